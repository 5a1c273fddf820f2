// Marker environments shared by the standards' unit tests.

/** CPython 3.11 on x86_64 Linux, as `packaging.markers.default_environment()` reports it. */
export const linux311 = {
  implementation_name: "cpython",
  implementation_version: "3.11.7",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_release: "6.5.0",
  platform_system: "Linux",
  platform_version: "#1",
  python_full_version: "3.11.7",
  platform_python_implementation: "CPython",
  python_version: "3.11",
  sys_platform: "linux",
};
