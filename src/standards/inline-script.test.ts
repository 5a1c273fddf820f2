import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseScriptMetadata } from "./inline-script.ts";
import { pythonAnswers } from "./test-fixtures.ts";

/** The specification's reference reader, run by Python: the TOML of the script block, or an error. */
function referenceReads(scripts: string[]): Array<Record<string, unknown> | "none" | "error"> {
  const program = `
import json, re, sys, tomllib
REGEX = r'(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\\s(?P<content>(^#(| .*)$\\s)+)^# ///$'
out = []
for script in json.load(sys.stdin):
    script = script.replace("\\r\\n", "\\n").replace("\\r", "\\n")
    matches = [m for m in re.finditer(REGEX, script) if m.group('type') == 'script']
    if len(matches) > 1:
        out.append("error"); continue
    if not matches:
        out.append("none"); continue
    content = ''.join(line[2:] if line.startswith('# ') else line[1:]
                      for line in matches[0].group('content').splitlines(keepends=True))
    try:
        out.append(tomllib.loads(content))
    except tomllib.TOMLDecodeError:
        out.append("error")
print(json.dumps(out))
`;
  return pythonAnswers(program, scripts);
}

function spiceReads(script: string): { dependencies: string[]; requiresPython?: string } | "none" | "error" {
  try {
    const metadata = parseScriptMetadata(script, "script.py");
    if (metadata === null) return "none";
    return {
      dependencies: metadata.dependencies.map(String),
      ...(metadata.requiresPython === null ? {} : { requiresPython: String(metadata.requiresPython) }),
    };
  } catch (error) {
    if ((error as Error).name === "InvalidScriptMetadata") return "error";
    throw error;
  }
}

describe("parseScriptMetadata", () => {
  it("finds the script block as the specification's reference reader does", () => {
    const block =
      '# /// script\n# requires-python = ">=3.11"\n# dependencies = [\n#   "requests<3",\n#   "rich",\n# ]\n# ///\n';
    const scripts = [
      `${block}\nimport requests\n`,
      `#!/usr/bin/env python3\n"""Doc."""\n${block}print(1)\n`,
      block.replace(/\n/g, "\r\n"),
      "print('no metadata')\n",
      "# /// script\n# dependencies = []\nprint(1)\n# ///\n",
      `${block}${block}`,
      "# /// pyproject\n# [tool.x]\n# y = 1\n# ///\n",
      '# /// script\n#dependencies = ["six"]\n#\n# ///\n',
      '# /// script\n# dependencies = ["six"]\n# ///\n# more comment\n# ///\n',
      "# /// script\n# dependencies = [\n# ///\n",
      '# /// script\n#  dependencies = ["six"]\n# ///',
      "# /// script\n# ///\n",
      "# /// script \n# x = 1\n# ///\n",
      '    # /// script\n    # dependencies = ["six"]\n    # ///\n',
    ];
    const reference = referenceReads(scripts);
    scripts.forEach((script, index) => {
      const expected = reference[index];
      const actual = spiceReads(script);
      if (expected === "none" || expected === "error") assert.equal(actual, expected, JSON.stringify(script));
      else
        assert.deepEqual(
          actual,
          {
            dependencies: (expected.dependencies as string[] | undefined) ?? [],
            ...(expected["requires-python"] === undefined
              ? {}
              : { requiresPython: expected["requires-python"] as string }),
          },
          JSON.stringify(script),
        );
    });
  });

  it("says which field is wrong", () => {
    const read = (toml: string) => () =>
      parseScriptMetadata(`# /// script\n${toml.replace(/^/gm, "# ")}\n# ///\n`, "tool.py");
    assert.throws(read('dependencies = "six"'), /tool\.py: `dependencies` must be an array of strings/);
    assert.throws(read("dependencies = [1]"), /tool\.py: dependencies\[0\] must be a string/);
    assert.throws(read('dependencies = ["six ("]'), /tool\.py: dependencies\[0\] is not a valid requirement/);
    assert.throws(read('requires-python = "3.11"'), /tool\.py: `requires-python` is not a valid specifier/);
    assert.throws(read("dependencies = ["), /tool\.py: its `# \/\/\/ script` block is not valid TOML/);
  });
});
