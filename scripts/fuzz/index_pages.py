#!/usr/bin/env python3
"""Fuzzes spice's index client: mutated PEP 503 HTML and PEP 691 JSON project pages.

One local server answers every /simple/<name>/ request with the case's page and content type;
files come from the mirror. spice must never crash: a page it cannot read is a clean error."""
from common import MIRROR, SPICE_JS, WORK
import gzip, http.server, json, os, random, socketserver, subprocess, sys, threading, hashlib, shutil, zlib
SPICE = ["node", SPICE_JS]
state = {"page": b"", "ctype": "text/html", "metadata": b"", "coding": None}
import zipfile
SIX_METADATA = zipfile.ZipFile(os.path.join(MIRROR, "files", "six-1.17.0-py2.py3-none-any.whl")).read("six-1.17.0.dist-info/METADATA")
META_SNIPPETS = [b"Requires-Dist: ", b"Requires-Dist: idna (>=1\n", b"Requires-Dist: idna; extra == 'x'\n", b"Requires-Dist: idna; python_version > '3\n",
    b"Requires-Python: ", b"Requires-Python: >=3.99\n", b"Requires-Python: garbage\n", b"Name: other\n", b"Version: 9.9\n", b"Version: x\n",
    b"Metadata-Version: 9.0\n", b"Metadata-Version: 2.4\n", b"Dynamic: Requires-Dist\n", b"\x00", b"\xff", b"\n\n", b"Provides-Extra: \n", b"Requires-Dist: six\n",
    b"Requires-Dist: ../x\n", b"Requires-Dist: idna @ http://[::1/x.whl\n", b"Requires-Dist: idna @ file:///etc/passwd\n", b"Requires-Dist: idna[" + b"a," * 50 + b"]\n"]

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.endswith(".metadata"):
            body = state["metadata"]
            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body); return
        if self.path.startswith("/files/"):
            p = os.path.join(MIRROR, "files", os.path.basename(self.path.split("#")[0].split("?")[0]))
            if os.path.exists(p):
                data = open(p, "rb").read()
                self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data); return
            self.send_response(404); self.end_headers(); return
        body, coding = encoded(state["page"], state["coding"])
        self.send_response(200); self.send_header("Content-Type", state["ctype"])
        if coding: self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body))); self.send_header("Cache-Control", "no-store"); self.end_headers()
        self.wfile.write(body)

def encoded(body, coding):
    """The page in a content coding (spice asks for gzip, deflate, br), sometimes damaged or unknown."""
    if coding is None: return body, None
    name, damage = coding
    data = {"gzip": lambda b: gzip.compress(b), "deflate": lambda b: zlib.compress(b),
            "raw-deflate": lambda b: zlib.compress(b)[2:-4], "zstd": lambda b: b}[name](body)
    if damage == "truncate": data = data[:len(data) // 2]
    elif damage == "flip" and data: data = data[:len(data) // 3] + bytes([data[len(data) // 3] ^ 0x40]) + data[len(data) // 3 + 1:]
    return data, "deflate" if name == "raw-deflate" else name

def sha(name):
    return hashlib.sha256(open(os.path.join(MIRROR, "files", name), "rb").read()).hexdigest()

WHEEL = "six-1.17.0-py2.py3-none-any.whl"
def html_page(rng):
    attrs = [("href", f"/files/{WHEEL}#sha256={sha(WHEEL)}")]
    extra = rng.choice([[], [("data-requires-python", rng.choice([">=3", "&gt;=3.7", ">=3.99", "", "garbage", "<", ">=3.7,"]))],
                        [("data-yanked", rng.choice(["", "reason", "&amp;"]))], [("data-dist-info-metadata", rng.choice(["sha256=abc", "true", "", "md5=x"]))],
                        [("data-core-metadata", "sha256=" + "0" * 64)]])
    a = "".join(f' {k}="{v}"' for k, v in attrs + extra)
    return f'<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="{rng.choice(["1.0", "1.1", "2.0", "x", "1"])}"></head><body>\n<a{a}>{WHEEL}</a>\n</body></html>'.encode()

def json_page(rng):
    f = {"filename": WHEEL, "url": f"/files/{WHEEL}", "hashes": {"sha256": sha(WHEEL)}}
    mut = rng.choice(["none", "hashes", "yanked", "rp", "meta", "size", "url", "filename", "drop", "versions", "meta-version", "types"])
    if mut == "hashes": f["hashes"] = rng.choice([{}, {"sha256": 5}, {"md5": "x"}, "abc", None, {"sha256": "zz"}])
    if mut == "yanked": f["yanked"] = rng.choice([True, "why", 1, None, [], {}])
    if mut == "rp": f["requires-python"] = rng.choice([">=3", 3, None, "<<3", ""])
    if mut == "meta": f[rng.choice(["core-metadata", "dist-info-metadata", "data-dist-info-metadata"])] = rng.choice([True, False, {"sha256": "0" * 64}, "x", 1, {}, None])
    if mut == "size": f["size"] = rng.choice([-1, "10", 1.5, None, 10**20])
    if mut == "url": f["url"] = rng.choice(["", "::::", "http://[::1", "file:///etc/passwd", "../../x", 5, None, "javascript:alert(1)"])
    if mut == "filename": f["filename"] = rng.choice(["", "six.whl", "../six-1.17.0-py2.py3-none-any.whl", 5, None, "six-1.17.0.tar.gz"])
    if mut == "drop": f.pop(rng.choice(list(f)))
    doc = {"meta": {"api-version": "1.1"}, "name": "six", "files": [f], "versions": ["1.17.0"]}
    if mut == "versions": doc["versions"] = rng.choice([None, "1.0", [1], ["x"]])
    if mut == "meta-version": doc["meta"] = rng.choice([{"api-version": "2.0"}, {"api-version": 1}, {}, None, "x"])
    if mut == "types": doc[rng.choice(["files", "name", "meta"])] = rng.choice([None, 5, "x", {}, []])
    return json.dumps(doc).encode()

def bytes_mutate(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b: b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1: b[i:i + rng.randint(1, 20)] = b""
        elif op == 2: b[i:i] = rng.choice([b"<", b">", b'"', b"&", b"\x00", b"\xff", b"{", b"]", b"<a href=", b"#sha256=", b"\\", b"%", "é".encode()])
        else: b = b[:i]
    return bytes(b)

def main(seed, count):
    rng = random.Random(seed)
    server = socketserver.TCPServer(("127.0.0.1", 0), Handler); port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1")
    for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"]:
        env.pop(k, None)
    venv = WORK + "/venv"
    if not os.path.exists(venv): subprocess.run(SPICE + ["venv", venv, "--python", "3.11", "-q"], env=env, check=True)
    problems = 0; outcomes = {}
    for n in range(count):
        state["metadata"] = SIX_METADATA
        if rng.random() < 0.4:
            state["ctype"] = "text/html"
            page = f'<a href="/files/{WHEEL}#sha256={sha(WHEEL)}" data-core-metadata="true">{WHEEL}</a>'.encode()
            m = bytearray(SIX_METADATA)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(m) + 1)
                if rng.random() < 0.7: m[i:i] = rng.choice(META_SNIPPETS)
                else: m[i:i + rng.randint(1, 30)] = b""
            state["metadata"] = bytes(m)
            state["page"] = page
            kind = "meta"
        elif rng.random() < 0.5: state["ctype"], page = "text/html", html_page(rng)
        else: state["ctype"], page = "application/vnd.pypi.simple.v1+json", json_page(rng)
        if rng.random() < 0.5 and state["metadata"] is SIX_METADATA: page = bytes_mutate(page, rng)
        state["page"] = page
        state["coding"] = None if rng.random() < 0.7 else (
            rng.choice(["gzip", "deflate", "raw-deflate", "zstd"]), rng.choice([None, None, "truncate", "flip"]))
        cache = WORK + "/cache"; shutil.rmtree(cache, ignore_errors=True)
        cmd = SPICE + ["pip", "install", "--python", venv + "/bin/python", "--dry-run", "--index-url", f"http://127.0.0.1:{port}/simple/", "--cache-dir", cache, "six"]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        out = r.stdout + r.stderr
        key = (state["ctype"][:9], r.returncode); outcomes[key] = outcomes.get(key, 0) + 1
        if "internal error" in out or "    at " in out or r.returncode not in (0, 1):
            problems += 1
            open(f"{WORK}/bad-{seed}-{n}.page", "wb").write(page)
            print(f"[{n}] {state['ctype']}: rc={r.returncode}\n{out[-1200:]}", flush=True)
    print("outcomes", outcomes); print(f"{count} cases, {problems} problems")

main(int(sys.argv[1]), int(sys.argv[2]))
