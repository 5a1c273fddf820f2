import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pythonAnswers } from "../standards/test-fixtures.ts";
import { parseNetrc } from "./netrc.ts";

/**
 * What pip gets from each text: Python's netrc module parses it, and requests takes the login
 * (else the account) and the password of the host's entry, else of `default`.
 */
function pipReads(texts: string[]): Array<Record<string, [string, string]> | "error"> {
  const script = `
import json, netrc, sys, tempfile
out = []
for text in json.load(sys.stdin):
    with tempfile.NamedTemporaryFile("w", suffix=".netrc", delete=False) as f:
        f.write(text)
    try:
        hosts = netrc.netrc(f.name).hosts
    except netrc.NetrcParseError:
        out.append("error")
        continue
    out.append({("*" if h == "default" else h): [l or a, p] for h, (l, a, p) in hosts.items()})
print(json.dumps(out))
`;
  return pythonAnswers(script, texts);
}

function spiceReads(text: string): Record<string, [string, string]> | "error" {
  try {
    const logins = parseNetrc(text);
    return Object.fromEntries([...logins].map(([host, login]) => [host, [login.username, login.password]]));
  } catch (error) {
    if ((error as Error).name === "NetrcError") return "error";
    throw error;
  }
}

describe("parseNetrc", () => {
  it("reads every file as Python's netrc module (and so pip) reads it", () => {
    const texts = [
      "machine a.example login me password s3cret\n",
      "machine a login me password p\nmachine a login you password q\n",
      "machine a\n\tlogin me\n\tpassword p\n\ndefault login anon password x\n",
      'machine "a b" login "my name" password "p\\"q"\n',
      "machine a login m\\ e password p\\\\q\n",
      "machine a user me account acct password p\n",
      "machine a account acct password p\n",
      "machine a password p\n",
      "machine a login me\n",
      "# a comment line\nmachine a login me password p # trailing words\n",
      "machine a login me password #notacomment\n",
      "macdef init\ncd /pub\nbinary\n\nmachine a login me password p\n",
      "macdef init\ncd /pub\n",
      "machine a login me password p\nmacdef m\nmachine b login x password y\n\n",
      "machine\n",
      "machine a login me password p\nsomething else\n",
      "machine a login me passwd p\n",
      "default login anon password x machine a login me password p\n",
      "",
      "   \n\t\n",
      'machine a login "" password p\n',
      "machine a login me password p\r\nmachine b login you password q\r\n",
      'machine a login "unterminated password p\n',
      "machine a login me password p\\",
    ];
    const python = pipReads(texts);
    texts.forEach((text, index) => {
      assert.deepEqual(spiceReads(text), python[index], JSON.stringify(text));
    });
  });

  it("agrees with Python on 400 random files without comments", () => {
    const pieces = ["machine", "default", "login", "user", "account", "password", "macdef", "host", "me"];
    const spacing = [" ", "\n", "\t", "\n\n", '"', "\\", "x y", "\r\n"];
    let seed = 26;
    const random = (below: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % below;
    };
    const texts = Array.from({ length: 400 }, () => {
      let text = "";
      for (let count = random(14); count > 0; count--)
        text += pieces[random(pieces.length)] + spacing[random(spacing.length)];
      return text;
    });
    const python = pipReads(texts);
    texts.forEach((text, index) => {
      assert.deepEqual(spiceReads(text), python[index], JSON.stringify(text));
    });
  });

  it("takes comments where Python 3.8-3.10 and curl do, where 3.11's parser fails", () => {
    // 3.11 fails on a comment after an empty line and on `#word`, and pip then reads no netrc at all.
    assert.deepEqual(
      spiceReads("machine a login me password p\n\n# old entries\nmachine b login x password y\n"),
      {
        a: ["me", "p"],
        b: ["x", "y"],
      },
    );
    assert.deepEqual(spiceReads("#comment here\nmachine a login me password p\n"), { a: ["me", "p"] });
    // A comment's words are no entry: `login for` inside one does not become a user name.
    assert.deepEqual(spiceReads("machine a login me password p\n# login for the mirror\n"), {
      a: ["me", "p"],
    });
  });
});
