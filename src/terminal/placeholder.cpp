// Placeholder translation unit until the terminal surface lands.
namespace capsule::terminal {}
