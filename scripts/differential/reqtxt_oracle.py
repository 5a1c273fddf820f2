"""requirements-txt expected values from pip 23.2.1; `reqtxt_oracle.py VECTORS.json` compares it with
existing vectors (pip's --use-feature list leaks between cases in the original run: ignored)."""
import json, os, sys, tempfile, shutil, base64, re
sys.set_int_max_str_digits(0)
from optparse import Values
from pip._internal.req.req_file import parse_requirements
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.network.session import PipSession
from pip._internal.index.package_finder import PackageFinder
from pip._internal.index.collector import LinkCollector
from pip._internal.models.search_scope import SearchScope
from pip._internal.models.selection_prefs import SelectionPreferences
from pip._internal.exceptions import InstallationError
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import req_parse
from pip._vendor.packaging.requirements import Requirement as LegacyRequirement

def run_case(inp):
    root = tempfile.mkdtemp(prefix="rt-")
    root = os.path.realpath(root)
    old = os.getcwd(); oldenv = dict(os.environ)
    try:
        for path, content in inp["files"].items():
            target = os.path.join(root, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = base64.b64decode(content["base64"]) if isinstance(content, dict) else content.encode("utf-8")
            with open(target, "wb") as f: f.write(data)
        os.chdir(root)
        os.environ.clear(); os.environ.update(inp.get("env", {}))
        from pip._internal.cli import cmdoptions
        cmdoptions.use_new_feature.keywords["default"].clear()
        session = PipSession()
        finder = PackageFinder.create(LinkCollector(session, SearchScope.create([], [], False)), SelectionPreferences(allow_yanked=True))
        options = Values({"require_hashes": False, "features_enabled": [], "format_control": finder.format_control, "isolated_mode": False})
        out = {"error": None, "requirements": [], "options": None}
        parsed = []
        try:
            for p in parse_requirements(inp["entry"], session, finder=finder, options=options, constraint=inp.get("constraint", False)):
                parsed.append(p)
        except BaseException as e:
            out["error"] = {"stage": "file", "type": type(e).__name__, "message": str(e)}
            return out, root
        first_error = None
        for p in parsed:
            m = re.match(r"^-[rc] (.*) \(line (\d+)\)$", p.comes_from)
            row = {"file": m.group(1), "line": int(m.group(2)), "constraint": p.constraint, "editable": p.is_editable,
                   "requirement": p.requirement, "options": p.options or {}}
            try:
                ir = install_req_from_parsed_requirement(p, isolated=False, use_pep517=None, user_supplied=True)
                row["install_req"] = {"name": ir.name, "specifier": str(ir.req.specifier) if ir.req is not None else "", "extras": sorted(ir.extras),
                    "url": ir.req.url if ir.req is not None else None,
                    "link": ir.link.url if ir.link is not None else None, "markers": str(ir.markers) if ir.markers is not None else None,
                    "editable": ir.editable, "constraint": ir.constraint, "hash_options": ir.hash_options,
                    "global_options": ir.global_options, "config_settings": ir.config_settings}
                row["install_req_error"] = None
            except BaseException as e:
                row["install_req"] = None
                row["install_req_error"] = {"type": type(e).__name__, "message": str(e)}
                if first_error is None: first_error = {"stage": "requirement", "type": type(e).__name__, "message": str(e)}
            if not p.is_editable and (row["install_req"] is None or row["install_req"]["link"] is None):
                modern = req_parse({"requirement": p.requirement})
                row["pep508"] = modern
                try:
                    legacy = LegacyRequirement(p.requirement)
                    if not modern["valid"]: dis = ["valid"]
                    else:
                        dis = []
                        if legacy.name != modern["name"]: dis.append("name")
                        if sorted(legacy.extras) != modern["extras"]: dis.append("extras")
                        if str(legacy.specifier) != modern["specifier"]: dis.append("specifier")
                        if legacy.url != modern["url"]: dis.append("url")
                        if (str(legacy.marker) if legacy.marker else None) != modern["marker"]: dis.append("marker")
                except Exception:
                    dis = ["valid"] if modern["valid"] else []
                row["pep508_disagrees"] = dis
            out["requirements"].append(row)
        out["error"] = first_error
        fc = finder.format_control
        out["options"] = {"index_urls": list(finder.index_urls), "no_index": finder.search_scope.no_index, "find_links": list(finder.find_links),
            "pre": finder.allow_all_prereleases, "prefer_binary": finder.prefer_binary,
            "no_binary": sorted(fc.no_binary), "only_binary": sorted(fc.only_binary),
            "require_hashes": options.require_hashes, "features_enabled": list(options.features_enabled),
            "trusted_hosts": list(finder.trusted_hosts)}
        return out, root
    finally:
        os.chdir(old); os.environ.clear(); os.environ.update(oldenv)

def expected(inp):
    out, root = run_case(inp)
    shutil.rmtree(root, ignore_errors=True)
    return json.loads(json.dumps(out).replace(root, "{ROOT}"))

if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    bad = 0
    for c in cases:
        got = expected(c["input"])
        exp = c["expected"]
        def strip(x):
            x = json.loads(json.dumps(x))
            if x.get("error"): x["error"].pop("message", None)
            for r in x["requirements"]:
                if r.get("install_req_error"): r["install_req_error"].pop("message", None)
            if x.get("options"): x["options"]["features_enabled"] = [f for f in x["options"]["features_enabled"] if f not in ("fast-deps", "truststore")]
            return x
        g, e = strip(got), strip(exp)
        if g != e:
            bad += 1
            if bad <= 8:
                print(c["id"])
                for k in e:
                    if g.get(k) != e.get(k):
                        if k == "requirements":
                            for i,(a,b) in enumerate(zip(g[k], e[k])):
                                if a != b:
                                    for kk in b:
                                        if a.get(kk)!=b.get(kk): print("  req",i,kk,"exp",json.dumps(b.get(kk))[:200],"got",json.dumps(a.get(kk))[:200])
                            if len(g[k])!=len(e[k]): print("  len", len(g[k]), len(e[k]))
                        else: print(" ",k,"exp",json.dumps(e[k])[:300],"\n   got",json.dumps(g.get(k))[:300])
    print(len(cases), "cases", bad, "mismatch")
