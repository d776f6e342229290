# Capsule Desktop: `make run` starts the app on an embedded capsule-local, `make test` runs every test.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CTEST_ARGS ?=

.PHONY: all deps configure build run test bench package clean format test-asan fuzz test-deb-install

all: build

deps:
	@bash scripts/deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR)

run: build
	$(BUILD_DIR)/src/app/capsule-desktop

test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600 $(CTEST_ARGS)

bench: build
	bash bench/run.sh $(BUILD_DIR)

# Sanitizers (docs/testing.md): the whole suite built with AddressSanitizer + UBSan (+ LeakSanitizer)
# in its own build dir. Every process the tests start (capsule-local, capsule) is the ASAN build and
# writes any report to $(ASAN_BUILD_DIR)/sanitizer-reports/; a report aborts that process, and the
# target fails when any report was written, even by a child whose exit code a test ignores.
# -O1 -g1 (line tables only; the ASAN docs advise -O1) keeps the build about a third shorter
# than -O2 -g and the reports still name file:line. ASAN's quarantine of freed memory is kept at
# 16 MiB: the default 256 MiB shows up as RSS growth in the tests that bound server memory.
ASAN_BUILD_DIR ?= build-asan
ASAN_TIMEOUT_FACTOR ?= 3
SAN_REPORTS = $(abspath $(ASAN_BUILD_DIR))/sanitizer-reports
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:check_initialization_order=1:quarantine_size_mb=16:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_REPORTS)/ubsan \
	LSAN_OPTIONS=suppressions=$(abspath scripts/lsan.supp):print_suppressions=0

$(ASAN_BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	    -DCAPSULE_SANITIZE=address,undefined -DCAPSULE_TEST_TIMEOUT_FACTOR=$(ASAN_TIMEOUT_FACTOR)

test-asan: deps $(ASAN_BUILD_DIR)/build.ninja
	cmake --build $(ASAN_BUILD_DIR)
	rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	cd $(ASAN_BUILD_DIR) && $(SAN_ENV) QT_QPA_PLATFORM=offscreen \
	    ctest --output-on-failure --timeout $$((600 * $(ASAN_TIMEOUT_FACTOR))) $(CTEST_ARGS); \
	    rc=$$?; bash $(CURDIR)/scripts/sanitizer-reports.sh $(SAN_REPORTS) || rc=1; exit $$rc

# Fuzzing (docs/testing.md): clang-14 + libFuzzer in build-fuzz; each target runs FUZZ_SECONDS and
# keeps new inputs in build-fuzz/corpus/<target>; crashes land in fuzz/crashes/<target>/.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

$(FUZZ_BUILD_DIR)/build.ninja: CMakeLists.txt
	@bash scripts/deps.sh --fuzz
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja \
	    -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCAPSULE_FUZZ=ON

fuzz: $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) --target fuzz-all
	bash fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# A .deb and a .tar.gz from a separate Release build with Debian's hardening flags, checked
# with lintian (errors fail). The packages land in $(PKG_BUILD_DIR).
PKG_BUILD_DIR ?= build-pkg
package: deps
	DEB_BUILD_MAINT_OPTIONS=hardening=+all cmake -S . -B $(PKG_BUILD_DIR) -G Ninja \
	    -DCMAKE_BUILD_TYPE=Release -DCAPSULE_BUILD_TESTS=OFF \
	    -DCMAKE_CXX_FLAGS="$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS) $$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CXXFLAGS)" \
	    -DCMAKE_EXE_LINKER_FLAGS="$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)"
	cmake --build $(PKG_BUILD_DIR) --target package
	lintian --fail-on error --info $(PKG_BUILD_DIR)/capsule-desktop_*.deb
	bash tests/packaging/check-deb-depends.sh $(PKG_BUILD_DIR)/capsule-desktop_*.deb

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(FUZZ_BUILD_DIR) $(PKG_BUILD_DIR)

# Installs the .deb from `make package` on a fresh Debian 12 root (debootstrap bookworm minbase,
# needs root and the network) and starts the programs there; not part of `make test`.
test-deb-install:
	bash tests/packaging/deb-install-chroot.sh $(DEB)
