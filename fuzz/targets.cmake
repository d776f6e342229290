# The fuzz targets and the libraries each one links; shared by fuzz/CMakeLists.txt (libFuzzer
# builds, make fuzz) and tests/fuzz/CMakeLists.txt (the corpus replay in make test).
set(CAPSULE_FUZZ_TARGETS
    fuzz_onboard capsule-core
    fuzz_exec_stream capsule-core
    fuzz_pty_frame capsule-core
    fuzz_terminal capsule-terminal
    fuzz_json_request capsule-local-lib
    fuzz_http_head capsule-local-lib
    fuzz_path_confinement capsule-local-lib)
