import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePyproject, resolveDependencyGroup } from "./pyproject.ts";

const valid = `
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "1.0"
license = "mit"
requires-python = ">=3.9"
dependencies = ["requests>=2"]
dynamic = ["description"]

[project.optional-dependencies]
Test_Extra = ["pytest"]

[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff"]
`;

describe("pyproject.toml", () => {
  it("reads build-system, project and dependency groups", () => {
    const pyproject = parsePyproject(valid);
    assert.equal(pyproject.buildSystem?.buildBackend, "setuptools.build_meta");
    assert.equal(pyproject.project?.version?.toString(), "1.0");
    assert.deepEqual(pyproject.project?.license, { expression: "MIT" });
    assert.deepEqual(Object.keys(pyproject.project?.optionalDependencies ?? {}), ["test-extra"]);
    assert.deepEqual(resolveDependencyGroup(pyproject, "test").map(String), ["pytest", "ruff"]);
  });

  it("names the key path of what is wrong", () => {
    const bad = (text: string, keyPath: string) =>
      assert.throws(
        () => parsePyproject(text, "x/pyproject.toml"),
        (error: Error & { keyPath?: string }) => {
          assert.equal(error.keyPath, keyPath);
          assert.match(error.message, /^x\/pyproject\.toml: /);
          return true;
        },
      );
    bad(
      '[project]\nname = "a"\nversion = "1"\ndependencies = ["ok", "ok2", "no good", "x"]',
      "project.dependencies[2]",
    );
    bad('[project]\nname = "a"', "project.version");
    bad('[project]\nname = "a"\nversion = "1"\ndynamic = ["version"]', "project.dynamic[0]");
    bad('[project]\nname = "a"\nversion = "1"\nlicense = "not-a-license"', "project.license");
    bad("[build-system]\nbuild-backend = 'x'", "build-system.requires");
    bad(
      '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]',
      "dependency-groups.a",
    );
    bad("[project\nname=1", "");
  });
});
