# Capsule Desktop: `make run` starts the app on an embedded capsule-local, `make test` runs every test.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CTEST_ARGS ?=

.PHONY: all deps configure build run test bench package clean format

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

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(PKG_BUILD_DIR)
