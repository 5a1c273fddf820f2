"""The conformance vectors' expected values, computed by packaging 26.2 (their oracle): versions,
specifiers, markers, requirements, names, wheel/sdist file names, tags and core metadata."""
import sys
sys.set_int_max_str_digits(0)
from packaging.version import Version, InvalidVersion
from packaging.specifiers import SpecifierSet, Specifier, InvalidSpecifier
from packaging.markers import Marker, InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import Requirement, InvalidRequirement
from packaging.utils import (canonicalize_name, is_normalized_name, canonicalize_version,
    parse_wheel_filename, parse_sdist_filename, InvalidWheelFilename, InvalidSdistFilename, InvalidName)
from packaging import tags

def num(n):
    return str(n) if abs(n) > 2**53 - 1 else n

def version(inp):
    try:
        v = Version(inp["version"])
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "str": str(v), "public": v.public, "base_version": v.base_version,
            "local": v.local, "epoch": num(v.epoch), "release": [num(x) for x in v.release],
            "pre": [v.pre[0], num(v.pre[1])] if v.pre else None, "post": num(v.post) if v.post is not None else None,
            "dev": num(v.dev) if v.dev is not None else None, "is_prerelease": v.is_prerelease,
            "is_postrelease": v.is_postrelease, "is_devrelease": v.is_devrelease,
            "major": num(v.major), "minor": num(v.minor), "micro": num(v.micro),
            "canonical": canonicalize_version(v)}

def compare(inp):
    a, b = Version(inp["a"]), Version(inp["b"])
    return {"cmp": -1 if a < b else (1 if a > b else 0)}

def spec_parse(inp):
    try:
        s = SpecifierSet(inp["specifiers"])
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    specs = []
    # input order, duplicates kept
    for item in inp["specifiers"].split(","):
        if item.strip():
            sp = Specifier(item)
            specs.append({"operator": sp.operator, "version": sp.version, "prereleases": sp.prereleases})
    return {"valid": True, "str": str(s), "specs": specs, "prereleases": s.prereleases,
            "is_unsatisfiable": s.is_unsatisfiable()}

def contains(inp):
    s = SpecifierSet(inp["specifiers"], prereleases=inp.get("set_prereleases"))
    kw = {}
    if "installed" in inp: kw["installed"] = inp["installed"]
    return {"result": s.contains(inp["version"], prereleases=inp["prereleases"], **kw)}

def filt(inp):
    s = SpecifierSet(inp["specifiers"], prereleases=inp.get("set_prereleases"))
    return {"result": list(s.filter(inp["versions"], prereleases=inp["prereleases"]))}

def marker_parse(inp):
    try:
        m = Marker(inp["marker"])
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "str": str(m)}

def marker_eval(inp):
    m = Marker(inp["marker"])
    env = dict(inp["environment"])
    for k in ("extras", "dependency_groups"):
        if k in env: env[k] = set(env[k])
    try:
        return {"result": m.evaluate(env, inp["context"])}
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e)}

def req_parse(inp):
    try:
        r = Requirement(inp["requirement"])
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "name": r.name, "extras": sorted(r.extras), "specifier": str(r.specifier),
            "url": r.url, "marker": str(r.marker) if r.marker is not None else None, "str": str(r)}

def names(inp):
    n = inp["name"]
    try:
        canonicalize_name(n, validate=True); valid = True
    except InvalidName:
        valid = False
    return {"canonical": canonicalize_name(n), "is_normalized": is_normalized_name(n), "valid": valid}

def wheel_filename(inp):
    try:
        kw = {"validate_order": True} if inp.get("validate_order") else {}
        name, ver, build, tg = parse_wheel_filename(inp["filename"], **kw)
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "name": name, "version": str(ver), "build": [num(build[0]), build[1]] if build else [],
            "tags": sorted(str(t) for t in tg)}

def sdist_filename(inp):
    try:
        name, ver = parse_sdist_filename(inp["filename"])
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "name": name, "version": str(ver)}

def parse_tag(inp):
    try:
        kw = {"validate_order": True} if inp.get("validate_order") else {}
        tg = tags.parse_tag(inp["tag"], **kw)
    except Exception as e:
        return {"valid": False, "error": type(e).__name__}
    return {"valid": True, "tags": sorted(str(t) for t in tg)}

HANDLERS = {
    ("versions", "parse"): version, ("version_order", "compare"): compare,
    ("specifiers", "parse"): spec_parse, ("specifiers", "contains"): contains, ("specifiers", "filter"): filt,
    ("markers", "parse"): marker_parse, ("markers", "evaluate"): marker_eval,
    ("requirements", "parse"): req_parse, ("names", "canonicalize"): names,
    ("tags", "wheel_filename"): wheel_filename, ("tags", "sdist_filename"): sdist_filename,
    ("tags", "parse_tag"): parse_tag,
}


from packaging.metadata import parse_email, Metadata, ExceptionGroup as _EG, InvalidMetadata
import packaging.metadata as pm

FIELD_ORDER = [f for f in pm._RAW_TO_EMAIL_MAPPING]  # raw names

def enrich(name, value):
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version
    if isinstance(value, Version): return str(value)
    if isinstance(value, SpecifierSet): return str(value)
    if name == "requires_dist" or name == "requires_external_" : return [str(r) for r in value]
    if isinstance(value, list): return [str(x) if not isinstance(x, str) else x for x in value]
    if name == "dynamic": return [x.lower() for x in value]
    return value

def metadata(inp):
    text = inp["text"]
    raw, unparsed = parse_email(text)
    out = {"raw": raw, "unparsed": unparsed}
    try:
        m = Metadata.from_email(text, validate=True)
        md = {}
        for name in FIELD_ORDER:
            if name == "description": continue
            v = getattr(m, name)
            if v is None: continue
            md[name] = enrich(name, v)
        out["valid"] = True; out["metadata"] = md
    except Exception as eg:
        out["valid"] = False
        out["error_group"] = eg.message if hasattr(eg, "message") else str(eg)
        errs = [{"field": getattr(e, "field", None), "type": type(e).__name__, "message": str(e)} for e in getattr(eg, "exceptions", [eg])]
        out["errors"] = sorted(errs, key=lambda e: (e["field"] or "", e["message"]))
        m = Metadata.from_raw(raw, validate=False)
        fields = {}
        for name in FIELD_ORDER:
            if name == "description": continue
            if name not in raw and name not in ("metadata_version", "name", "version"): continue
            try:
                v = getattr(m, name)
                fields[name] = {"value": enrich(name, v)}
            except Exception as e:
                fields[name] = {"error": str(e)}
        out["fields"] = fields
    return out

HANDLERS[("metadata", "parse")] = metadata
