import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { PYTHON } from "../../test/helpers.ts";
import {
  buildNetloc,
  isIPv6Address,
  pyNetlocHostPort,
  pyUnquote,
  pyUrljoin,
  pyUrlparse,
  pyUrlsplit,
  pyUrlunparse,
} from "./python-url.ts";

const URLS = [
  "https://example.com/a/b?q=1#frag",
  "  \u0001https://Example.COM:8080/x",
  "ht\ttps://exa\nmple.com/p\r",
  "HTTPS://[::1]:80/x",
  "https://[fe80::1%25eth0]/",
  "https://[v1.fe]/",
  "https://[vz.x]/",
  "https://[1.2.3.4]/",
  "https://[bar]/",
  "https://]example.com/",
  "https://[::1/x]",
  "https://user:pw@host:1/p;params?q#f",
  "file:///tmp/x.whl",
  "file://localhost/tmp/x",
  "file:/tmp/x",
  "FILE:///x",
  "file:///x?",
  "file:///x#",
  "file:///x;",
  "1http://x",
  "-x:y",
  "git+ssh://git@github.com/org/foo.git#egg=foo",
  "https://ex\u2100ample.com/",
  "https://\u00e9xample.com/",
  "https://[::ffff:1.2.3.4]/",
  "https://[1:2:3:4:5:6:7:8:9]/",
  "https://[::1::2]/",
  "https://[0001:2:3:4:5:6:7:8]/",
  "https://[01234::]/",
  "https://[1.2.3.04]/",
];

const JOINS: Array<[string, string]> = [
  ["file:///tmp/a/r.txt", "other.txt"],
  ["file:///tmp/a/r.txt", "sub dir.txt"],
  ["file:///tmp/a/r.txt", "../../../x.txt"],
  ["file:///tmp/a/r.txt", "./b/./c/../d.txt"],
  ["file:///tmp/a/", ".."],
  ["file:///tmp/a/r.txt", "/abs.txt"],
  ["file:///tmp/a/r.txt", "https://host/x.txt"],
  ["file:///tmp/a/r.txt", "file:other.txt"],
  ["https://h/a/b;p?q#f", ""],
  ["https://h/a/b;p?q#f", "?y"],
  ["https://h/a/b", "//other/c"],
  ["https://h/a//b/c", "d//e"],
  ["https://h", "x"],
];

const NETLOCS = [
  "example.com",
  "Example.COM:8080",
  "10.0.0.1",
  "::1",
  "[::1]:443",
  "fe80::1%eTh0",
  "user@Host:22",
  "host:port",
  "host:99999",
  "sub/other.txtexample.com",
  "svn+https://svn.example.com",
  "${EMPTY}",
  "10.0.0.1foo[bar]",
  ":80",
  "",
  "a:b:c@d",
];

const QUOTED = [
  "six-1.0.whl",
  "a%20b%2Fc.whl",
  "%E2%82%AC%e2%82%ac",
  "bad%ZZ%",
  "%",
  "%4",
  "%FF%FEx",
  "%E2%82",
  "%E2%82x%AC",
  "%C0%AF",
  "%ED%A0%80",
  "%F0%9F%98%80%F0%9F",
  "\u00e9%C3%A9",
];

/** Python 3.11's answers for every input, in one process; errors as ["ValueError", message]. */
function python(): { urls: unknown[]; netlocs: unknown[]; joins: unknown[]; unquoted: string[] } {
  const script = `
import json, sys, urllib.parse
sys.path.insert(0, "")
def attempt(f):
    try:
        return f()
    except ValueError as e:
        return ["ValueError", str(e)]
def split(u):
    s = urllib.parse.urlsplit(u)
    return [s.scheme, s.netloc, s.path, s.query, s.fragment, urllib.parse.urlunparse(urllib.parse.urlparse(u))]
def netloc(n):
    from pip._internal.utils.misc import parse_netloc, build_netloc
    host, port = parse_netloc(n)
    return [host, port, None if host is None else build_netloc(host, port)]
data = json.load(sys.stdin)
print(json.dumps({"urls": [attempt(lambda: split(u)) for u in data["urls"]],
                  "joins": [urllib.parse.urljoin(b, u) for b, u in data["joins"]],
                  "netlocs": [attempt(lambda: netloc(n)) for n in data["netlocs"]],
                  "unquoted": [urllib.parse.unquote(q) for q in data["quoted"]]}))
`;
  const result = spawnSync(PYTHON, ["-c", script], {
    input: JSON.stringify({ urls: URLS, netlocs: NETLOCS, joins: JOINS, quoted: QUOTED }),
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function attempt<T>(produce: () => T): T | string[] {
  try {
    return produce();
  } catch (error) {
    if ((error as Error).name !== "ValueError") throw error;
    return ["ValueError", (error as Error).message];
  }
}

describe("Python's URL parsing", () => {
  it("splits, round-trips, joins, unquotes and reads hosts as Python 3.11 and pip do", () => {
    const expected = python();
    URLS.forEach((url, index) => {
      const ours = attempt(() => {
        const s = pyUrlsplit(url);
        return [s.scheme, s.netloc, s.path, s.query, s.fragment, pyUrlunparse(pyUrlparse(url))];
      });
      // Messages are Python's too, except the bracketed host's, which repeats Python's repr.
      assert.deepEqual(ours, expected.urls[index], JSON.stringify(url));
    });
    NETLOCS.forEach((netloc, index) => {
      const ours = attempt(() => {
        const { hostname, port } = pyNetlocHostPort(netloc);
        return [hostname, port, hostname === null ? null : buildNetloc(hostname, port)];
      });
      assert.deepEqual(ours, expected.netlocs[index], JSON.stringify(netloc));
    });
    JOINS.forEach(([base, url], index) => {
      assert.equal(pyUrljoin(base, url), expected.joins[index], `${base} + ${url}`);
    });
    QUOTED.forEach((text, index) => {
      assert.equal(pyUnquote(text), expected.unquoted[index], JSON.stringify(text));
    });
  });

  it("knows IPv6 addresses as Python's ipaddress does", () => {
    for (const good of ["::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "::ffff:1.2.3.4", "fe80::1%z"])
      assert.ok(isIPv6Address(good), good);
    for (const bad of [
      "",
      ":",
      "1:2",
      ":1::2",
      "1::2:",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "::1%",
      "1::2::3",
      "::1.2.3",
    ])
      assert.ok(!isIPv6Address(bad), bad);
  });
});
