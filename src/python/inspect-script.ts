// The script spice runs once per interpreter (then caches): it prints one JSON document with the
// facts spice needs. It must run on every Python from 2.7 on, so it sticks to what 2.7 has.

export const INSPECT_SCRIPT = String.raw`
import json, os, platform, struct, sys, sysconfig
try:
    import site
except Exception:
    site = None

def config_var(name):
    try:
        return sysconfig.get_config_var(name)
    except Exception:
        return None

def scheme_paths(scheme, base):
    try:
        names = sysconfig.get_scheme_names()
        if scheme not in names:
            return None
        vars = {"base": base, "platbase": base, "installed_base": base, "installed_platbase": base}
        return sysconfig.get_paths(scheme, vars=vars)
    except Exception:
        return None

def extension_suffixes():
    try:
        import importlib.machinery
        return list(importlib.machinery.EXTENSION_SUFFIXES)
    except Exception:
        try:
            import imp
            return [s[0] for s in imp.get_suffixes() if s[2] == imp.C_EXTENSION]
        except Exception:
            return []

def glibc_version():
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
        name, version = text.split()
        parts = version.split(".")
        return [int(parts[0]), int(parts[1])]
    except Exception:
        return None

def implementation():
    impl = getattr(sys, "implementation", None)
    if impl is not None:
        info = impl.version
        version = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            version += info.releaselevel[0] + str(info.serial)
        return impl.name, version
    return platform.python_implementation().lower(), platform.python_version()

impl_name, impl_version = implementation()
prefix = sys.prefix
base_prefix = getattr(sys, "base_prefix", getattr(sys, "real_prefix", sys.prefix))
placeholder = "/__spice_base__"
stdlib = sysconfig.get_path("stdlib")
user_site = None
user_site_enabled = None
if site is not None:
    try:
        user_site = site.getusersitepackages()
    except Exception:
        pass
    user_site_enabled = bool(getattr(site, "ENABLE_USER_SITE", False))

mac = None
if sys.platform == "darwin":
    try:
        release = platform.mac_ver()[0].split(".")
        mac = [int(release[0]), int(release[1]) if len(release) > 1 else 0]
    except Exception:
        mac = None

facts = {
    "executable": sys.executable,
    "version_info": [sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.version_info[3], sys.version_info[4]],
    "python_full_version": platform.python_version(),
    "implementation_name": impl_name,
    "implementation_version": impl_version,
    "prefix": prefix,
    "base_prefix": base_prefix,
    "exec_prefix": sys.exec_prefix,
    "base_exec_prefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
    "sys_path": sys.path,
    "stdlib": stdlib,
    "paths": sysconfig.get_paths(),
    "scheme_posix_prefix": scheme_paths("posix_prefix", placeholder),
    "scheme_venv": scheme_paths("venv", placeholder),
    "scheme_placeholder": placeholder,
    "externally_managed": bool(stdlib) and os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED")),
    "user_site": user_site,
    "user_site_enabled": user_site_enabled,
    "markers": {
        "implementation_name": impl_name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
    "config_vars": {
        "SOABI": config_var("SOABI"),
        "EXT_SUFFIX": config_var("EXT_SUFFIX") or config_var("SO"),
        "Py_DEBUG": config_var("Py_DEBUG"),
        "Py_GIL_DISABLED": config_var("Py_GIL_DISABLED"),
        "WITH_PYMALLOC": config_var("WITH_PYMALLOC"),
        "py_version_nodot": config_var("py_version_nodot"),
        "Py_UNICODE_SIZE": config_var("Py_UNICODE_SIZE"),
        "MULTIARCH": config_var("MULTIARCH"),
        "LIBDIR": config_var("LIBDIR"),
        "platlibdir": config_var("platlibdir"),
    },
    "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
    "extension_suffixes": extension_suffixes(),
    "maxunicode": sys.maxunicode,
    "sysconfig_platform": sysconfig.get_platform(),
    "platform_system": platform.system(),
    "platform_machine": platform.machine(),
    "pointer_bits": struct.calcsize("P") * 8,
    "glibc_version": glibc_version(),
    "mac_version": mac,
}
sys.stdout.write("SPICE-INSPECT:" + json.dumps(facts) + "\n")
`;
