// The script spice runs once per interpreter (then caches): it prints one JSON document with the
// facts spice needs. It must run on every Python from 2.7 on, so it sticks to what 2.7 has.
//
// It runs with -S, and imports as little as it can, because its start-up is a cold install's:
// site.main() runs every .pth file of the base site-packages (one that imports certifi costs
// 30 ms on some machines), and json and platform pull in re and enum (15 ms on 3.11). Without
// site, a venv's interpreter would not know it is one (site.venv sets sys.prefix), and a
// sitecustomize may change what is reported, so there the script runs site.main() itself;
// otherwise a base interpreter's sys_path gets the directories site.main() would add (user site,
// site-packages), not what its .pth files add, which no venv of it sees.
export const INSPECT_SCRIPT = String.raw`
import sys
# -c puts '' (the current directory) first on sys.path: an os.py, struct.py or sysconfig.py of the
# user's there must not stand in for the interpreter's own, whose answer is cached for every
# directory. Imports run without it; sys_path reports it, as programs see it.
first_path = sys.path[:1]
while "" in sys.path:
    sys.path.remove("")
import os, struct
try:
    import site
except Exception:
    site = None

def is_venv():
    here = os.path.dirname(sys.executable)
    return any(os.path.isfile(os.path.join(d, "pyvenv.cfg")) for d in (here, os.path.dirname(here)))

def site_dirs():
    """The directories site.main() adds: the user site when enabled, then the site-packages."""
    dirs = []
    try:
        if site.check_enableusersite():
            dirs.append(site.getusersitepackages())
    except Exception:
        pass
    try:
        dirs.extend(site.getsitepackages())
    except Exception:
        pass
    return dirs

def customize_exists():
    """Would site.main() import a sitecustomize or usercustomize? Those may change what this
    script reports (Homebrew's moved sys.executable and added a site-packages directory)."""
    for d in [entry for entry in sys.path if entry] + site_dirs():
        for name in ("sitecustomize", "usercustomize"):
            stem = os.path.join(d, name)
            if os.path.isfile(stem + ".py") or os.path.isfile(stem + ".pyc") or os.path.isdir(stem):
                return True
    return False

# Python 2's "import site" runs site.main() even under -S; Python 3's does not.
site_ran = site is not None and (not sys.flags.no_site or sys.version_info[0] < 3)
if site is not None and not site_ran and (is_venv() or customize_exists()):
    site.main()
    site_ran = True
import sysconfig  # only now: it reads sys.prefix, which site.main() sets in a venv, when imported

def site_path():
    """sys.path as site.main() leaves it, less what .pth files add."""
    path = [""] if first_path == [""] else []
    for entry in sys.path:
        if entry not in path:  # as site.removeduppaths() does
            path.append(entry)
    if site_ran or site is None:
        return path
    for d in site_dirs():
        d = os.path.abspath(d)
        if os.path.isdir(d) and d not in path:
            path.append(d)
    return path

def platform_module():
    import platform
    return platform

def uname():
    """os.uname() where it exists; platform's answer elsewhere (its import costs 10 ms)."""
    try:
        u = os.uname()
        if u[0] and u[4]:
            return u[0], u[2], u[3], u[4]
    except Exception:
        pass
    p = platform_module()
    return p.system(), p.release(), p.version(), p.machine()

IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython"}

def python_implementation(name):
    return IMPLEMENTATIONS.get(name) or platform_module().python_implementation()

def to_json(value):
    """json.dumps for the types below, without importing json (and with it re)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)) or type(value).__name__ == "long":
        return repr(value).rstrip("L")
    if isinstance(value, (list, tuple)):
        return "[" + ",".join([to_json(item) for item in value]) + "]"
    if isinstance(value, dict):
        return "{" + ",".join([to_json(str(k)) + ":" + to_json(v) for k, v in value.items()]) + "}"
    if sys.version_info[0] < 3:
        if isinstance(value, str):
            value = value.decode("utf-8", "replace")
        elif type(value).__name__ != "unicode":
            value = str(value).decode("utf-8", "replace")
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    out = []
    for ch in value:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7f:
            out.append(ch)
        elif code > 0xffff:
            code -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff)))
        else:
            out.append("\\u%04x" % code)
    return '"' + "".join(out) + '"'

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

def preferred_prefix_scheme():
    # What pip installs --prefix with (3.10+): Debian's Pythons prefer posix_local there.
    try:
        return sysconfig.get_preferred_scheme("prefix")
    except Exception:
        return "posix_prefix"

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
    except Exception:
        # Some builds lack the name (pyenv's 2.7): ask glibc itself, as packaging does.
        if not sys.platform.startswith("linux"):
            return None
        try:
            import ctypes
            function = ctypes.CDLL(None).gnu_get_libc_version
            function.restype = ctypes.c_char_p
            version = function()
            if not isinstance(version, str):
                version = version.decode("ascii")
        except Exception:
            return None
    try:
        parts = version.split(".")
        return [int(parts[0]), int(parts[1])]
    except Exception:
        return None

def manylinux_refusals(glibc):
    """PEP 600: a _manylinux module (stdlib or site-packages) may refuse manylinux tags; the
    (glibc minor, arch) pairs it refuses, as packaging asks it, or None without one."""
    if glibc is None or not sys.platform.startswith("linux"):
        return None
    saved = sys.path[:]
    sys.path.extend([d for d in site_dirs() if d not in sys.path])
    try:
        import _manylinux
    except Exception:
        return None
    finally:
        sys.path[:] = saved
    linux = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    if not linux.startswith("linux_"):
        return None
    if struct.calcsize("P") == 4:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    archs = ["armv8l", "armv7l"] if arch == "armv8l" else [arch]
    legacy = {5: "manylinux1_compatible", 12: "manylinux2010_compatible", 17: "manylinux2014_compatible"}
    refused = []
    for each in archs:
        for minor in range(glibc[1], -1, -1):
            try:
                if hasattr(_manylinux, "manylinux_compatible"):
                    result = _manylinux.manylinux_compatible(glibc[0], minor, each)
                    compatible = True if result is None else bool(result)
                elif minor in legacy and hasattr(_manylinux, legacy[minor]):
                    compatible = bool(getattr(_manylinux, legacy[minor]))
                else:
                    compatible = True
            except Exception:
                compatible = True
            if not compatible:
                refused.append([minor, each])
    return refused

def implementation():
    impl = getattr(sys, "implementation", None)
    if impl is not None:
        info = impl.version
        version = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            version += info.releaselevel[0] + str(info.serial)
        return impl.name, version
    platform = platform_module()
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
    enabled = getattr(site, "ENABLE_USER_SITE", None)
    if enabled is None:
        try:
            enabled = site.check_enableusersite()
        except Exception:
            enabled = False
    user_site_enabled = bool(enabled)

# platform.python_version(): the version as sys.version spells it ("3.13.0rc1", "3.14.0a1+").
python_full_version = sys.version.split()[0].split("|")[0]
os_system, os_release, os_version, os_machine = uname()

mac = None
if sys.platform == "darwin":
    try:
        mac_release = platform_module().mac_ver()[0].split(".")
        mac = [int(mac_release[0]), int(mac_release[1]) if len(mac_release) > 1 else 0]
    except Exception:
        mac = None

glibc = glibc_version()
facts = {
    "executable": sys.executable,
    "version_info": [sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.version_info[3], sys.version_info[4]],
    "python_full_version": python_full_version,
    "implementation_name": impl_name,
    "implementation_version": impl_version,
    "prefix": prefix,
    "base_prefix": base_prefix,
    "exec_prefix": sys.exec_prefix,
    "base_exec_prefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
    "sys_path": site_path(),
    "stdlib": stdlib,
    "paths": sysconfig.get_paths(),
    "scheme_posix_prefix": scheme_paths("posix_prefix", placeholder),
    "scheme_venv": scheme_paths("venv", placeholder),
    "scheme_prefix": scheme_paths(preferred_prefix_scheme(), placeholder),
    "scheme_placeholder": placeholder,
    "externally_managed": bool(stdlib) and os.path.isfile(os.path.join(stdlib, "EXTERNALLY-MANAGED")),
    "user_site": user_site,
    "user_site_enabled": user_site_enabled,
    "markers": {
        "implementation_name": impl_name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": os_machine,
        "platform_release": os_release,
        "platform_system": os_system,
        "platform_version": os_version,
        "python_full_version": python_full_version,
        "platform_python_implementation": python_implementation(impl_name),
        "python_version": "%d.%d" % sys.version_info[:2],
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
        "WHEEL_PKG_DIR": config_var("WHEEL_PKG_DIR"),
    },
    "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
    "extension_suffixes": extension_suffixes(),
    "maxunicode": sys.maxunicode,
    "sysconfig_platform": sysconfig.get_platform(),
    "platform_system": os_system,
    "platform_machine": os_machine,
    "pointer_bits": struct.calcsize("P") * 8,
    "glibc_version": glibc,
    "manylinux_refusals": manylinux_refusals(glibc),
    "mac_version": mac,
}
sys.stdout.write("SPICE-INSPECT:" + to_json(facts) + "\n")
`;
