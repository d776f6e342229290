// Capsule Desktop entry point (placeholder until the GUI lands).
int main() { return 0; }
