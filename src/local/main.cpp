// capsule-local entry point (placeholder until the control plane lands).
int main() { return 0; }
