import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lchownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, machine } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { sharedObjectNeeding } from "./elf-builder.ts";
import { externallyManagedPython, runSpice, SPICE, spiceEnvironment, temporaryDirectory } from "./helpers.ts";
import { buildWheel, simplePackage } from "./wheel-builder.ts";

const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");
const work = temporaryDirectory("spice-doctor-");
after(() => work.remove());
const cacheDir = join(work.path, "cache");
const wheels = join(work.path, "wheels");
mkdirSync(wheels);
const alpha = buildWheel(wheels, simplePackage("alpha", "1.0", { requires: ["beta>=1.0"] }));
const beta = buildWheel(wheels, simplePackage("beta", "1.2"));

interface Finding {
  severity: string;
  code: string;
  message: string;
  why: string;
  fix?: string;
}

/** A clean PATH: only the directories a case puts there. */
function doctor(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = work.path,
): { status: number | null; findings: Finding[] } {
  const result = runSpice(["doctor", "--format", "json", ...args], {
    cwd,
    cacheDir,
    env: { PATH: "/usr/bin:/bin", VIRTUAL_ENV: "", CONDA_PREFIX: "", PYTHONPATH: "", PYTHONHOME: "", ...env },
  });
  assert.ok(result.stdout, result.stderr);
  return { status: result.status, findings: (JSON.parse(result.stdout) as { findings: Finding[] }).findings };
}

function codes(findings: Finding[]): string[] {
  return findings.map((finding) => finding.code).sort();
}

function freshVenv(name: string, withPackages = true): { root: string; python: string; site: string } {
  const root = join(work.path, name);
  assert.equal(runSpice(["venv", root, "--python", "3.11"], { cacheDir }).status, 0);
  const python = join(root, "bin", "python");
  if (withPackages)
    assert.equal(runSpice(["pip", "install", "--python", python, alpha, beta], { cacheDir }).status, 0);
  return { root, python, site: join(root, "lib", "python3.11", "site-packages") };
}

describe("spice doctor", () => {
  it("finds nothing wrong in a clean environment, and exits 0", () => {
    const { root, python } = freshVenv("clean");
    const result = doctor(["--python", python], { PATH: join(root, "bin") });
    assert.deepEqual(result.findings, []);
    assert.equal(result.status, 0);
  });

  it("spots CA certificates named where there are none, a container's certificate errors", () => {
    const { root, python } = freshVenv("ca-missing", false);
    const missingFile = join(work.path, "no-such-ca.pem");
    const result = doctor(["--python", python], {
      PATH: join(root, "bin"),
      SSL_CERT_FILE: missingFile,
      SSL_CERT_DIR: `${work.path}:${join(work.path, "no-such-certs")}`,
      REQUESTS_CA_BUNDLE: "",
    });
    assert.deepEqual(codes(result.findings), ["ca-certificates-missing", "ca-certificates-missing"]);
    assert.match(result.findings[0].message, /^SSL_CERT_FILE names .*no-such-ca\.pem, which does not exist$/);
    assert.match(result.findings[1].message, /^SSL_CERT_DIR names .*no-such-certs, which does not exist$/);
    assert.equal(result.status, 0, "a warning");
  });

  it("warns when `python` on PATH is not the project's .venv: the global-instead-of-venv mistake", () => {
    const project = join(work.path, "unactivated");
    mkdirSync(project);
    assert.equal(runSpice(["venv", "-q", "--python", "3.11"], { cwd: project, cacheDir }).status, 0);
    const run = (PATH: string) => {
      const result = runSpice(["doctor", "--format", "json"], {
        cwd: project,
        cacheDir,
        env: { PATH, VIRTUAL_ENV: "", CONDA_PREFIX: "", PYTHONPATH: "", PYTHONHOME: "" },
      });
      return {
        status: result.status,
        findings: (JSON.parse(result.stdout) as { findings: Finding[] }).findings,
      };
    };
    const global = run("/usr/bin:/bin");
    const warning = global.findings.find((finding) => finding.code === "venv-not-on-path");
    assert.ok(warning, JSON.stringify(global.findings));
    assert.match(warning.message, /`python3` on PATH runs \/usr\/bin\/python3, not this environment's/);
    assert.match(warning.fix ?? "", /unactivated\/\.venv\/bin\/activate/);
    assert.equal(global.status, 0, "a warning alone does not fail");
    assert.deepEqual(run(join(project, ".venv", "bin")).findings, []);
  });

  it("spots pip and python belonging to different interpreters", () => {
    const bin = join(work.path, "mixed-bin");
    mkdirSync(bin);
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(bin, "python"));
    writeFileSync(join(bin, "pip"), `#!${join(PYENV, "3.12.1", "bin", "python3.12")}\nimport sys\n`);
    chmodSync(join(bin, "pip"), 0o755);
    const { findings, status } = doctor([], { PATH: `${bin}:/usr/bin:/bin` });
    const mismatch = findings.find((finding) => finding.code === "pip-python-mismatch");
    assert.ok(mismatch, JSON.stringify(findings));
    assert.match(mismatch.fix ?? "", /use `python -m pip`/);
    assert.equal(status, 0, "a warning alone does not fail");
    assert.equal(doctor(["--strict"], { PATH: `${bin}:/usr/bin:/bin` }).status, 1);
    // A pip whose Python is gone fails outright: an error, not a mismatch.
    writeFileSync(join(bin, "pip3"), "#!/nonexistent/bin/python3.9\nimport sys\n");
    chmodSync(join(bin, "pip3"), 0o755);
    const orphan = doctor([], { PATH: `${bin}:/usr/bin:/bin` });
    const missing = orphan.findings.filter(
      (finding) => finding.code.startsWith("pip-") && finding.message.includes("pip3"),
    );
    assert.deepEqual(
      missing.map((finding) => [finding.severity, finding.code, finding.message]),
      [
        [
          "error",
          "pip-interpreter-missing",
          `\`pip3\` (${join(bin, "pip3")}) runs /nonexistent/bin/python3.9, which does not exist`,
        ],
      ],
    );
    assert.equal(orphan.status, 1);
    rmSync(join(bin, "pip3"));
    // `python -m pip` is no fix in a venv without pip (spice's, unless seeded): spice pip is.
    const { root, python } = freshVenv("pipless", false);
    const pipless = doctor(["--python", python], { PATH: `${join(root, "bin")}:${bin}:/usr/bin:/bin` });
    const unseeded = pipless.findings.find((finding) => finding.code === "pip-python-mismatch");
    assert.ok(unseeded, JSON.stringify(pipless.findings));
    assert.match(unseeded.fix ?? "", /has no pip, so `python -m pip` fails there too/);
    assert.match(unseeded.fix ?? "", new RegExp(`spice pip install --python ${python} pip`));
  });

  it("spots pyenv's shim first on PATH when the version pyenv chooses here is not installed", () => {
    const { python } = freshVenv("pyenv-shim", false);
    const root = join(work.path, "fake-pyenv");
    mkdirSync(join(root, "shims"), { recursive: true });
    mkdirSync(join(root, "versions"));
    writeFileSync(join(root, "shims", "python"), '#!/bin/sh\nexec pyenv exec python "$@"\n');
    chmodSync(join(root, "shims", "python"), 0o755);
    const env = { PYENV_ROOT: root, PATH: `${join(root, "shims")}:/usr/bin:/bin` };
    const chosen = doctor(["--python", python], { ...env, PYENV_VERSION: "3.99.9" }).findings;
    const missing = chosen.find((finding) => finding.code === "pyenv-version-missing");
    assert.ok(missing, JSON.stringify(chosen));
    assert.equal(missing.severity, "error");
    assert.equal(
      missing.message,
      `\`python\` on PATH is pyenv's shim (${join(root, "shims")}), and pyenv's version here, 3.99.9 (chosen by PYENV_VERSION), is not installed`,
    );
    assert.match(
      missing.fix ?? "",
      /^pyenv install 3\.99\.9, or choose an installed version .*set PYENV_VERSION to one, or unset it$/,
    );
    // Chosen by a project's .python-version instead: its fix is `pyenv local`.
    const project = join(work.path, "pyenv-project");
    mkdirSync(project);
    writeFileSync(join(project, ".python-version"), "3.98.0\n");
    const local = doctor(["--python", python], env, project).findings.find(
      (finding) => finding.code === "pyenv-version-missing",
    );
    assert.match(
      local?.message ?? "",
      /3\.98\.0 \(chosen by \S*pyenv-project\/\.python-version\), is not installed$/,
    );
    assert.match(local?.fix ?? "", /`pyenv local VERSION` rewrites \S*pyenv-project\/\.python-version$/);
    // Nothing chooses one (no global version file): pyenv's "system", which has no python here.
    const none = doctor(["--python", python], { ...env, PATH: join(root, "shims") }).findings.find(
      (finding) => finding.code === "pyenv-version-missing",
    );
    assert.match(none?.message ?? "", /system \(chosen by pyenv's default\), has no such command$/);
    assert.match(none?.fix ?? "", /^choose an installed version .*: `pyenv global VERSION` sets one$/);
    // Installed: the shim leads somewhere, and nothing is said.
    mkdirSync(join(root, "versions", "3.99.9", "bin"), { recursive: true });
    symlinkSync(
      join(PYENV, "3.11.7", "bin", "python3.11"),
      join(root, "versions", "3.99.9", "bin", "python"),
    );
    const fine = doctor(["--python", python], { ...env, PYENV_VERSION: "3.99.9" }).findings;
    assert.ok(!codes(fine).includes("pyenv-version-missing"), JSON.stringify(fine));
  });

  it("spots a venv nearby that `python` here does not run: the image whose CMD runs the global Python", () => {
    const app = join(work.path, "image-app");
    mkdirSync(join(app, "src"), { recursive: true });
    // Not .venv (spice would examine that one): a name of the project's choosing.
    assert.equal(runSpice(["venv", "-q", join(app, "appenv"), "--python", "3.11"], { cacheDir }).status, 0);
    const bin = join(work.path, "global-python-bin");
    mkdirSync(bin);
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(bin, "python3"));
    const { findings } = doctor([], { PATH: `${bin}:/usr/bin:/bin` }, join(app, "src"));
    const unused = findings.find((finding) => finding.code === "venv-unused");
    assert.ok(unused, JSON.stringify(findings));
    assert.match(
      unused.message,
      new RegExp(
        `^\`python3\` here runs ${join(bin, "python3")}, outside the virtual environments? ${join(app, "appenv")}`,
      ),
    );
    assert.match(unused.fix ?? "", new RegExp(`ENV PATH="${join(app, "appenv", "bin")}:\\$PATH"`));
    // With that venv's bin first on PATH, `python3` is the venv's, and doctor examines it.
    const fixed = doctor(
      [],
      { PATH: `${join(app, "appenv", "bin")}:${bin}:/usr/bin:/bin` },
      join(app, "src"),
    );
    assert.equal(codes(fixed.findings).includes("venv-unused"), false, JSON.stringify(fixed.findings));
  });

  it("spots pip settings that send every install elsewhere (PIP_TARGET, PIP_PREFIX, PIP_ROOT, PIP_USER, or pip.conf), and a pip.conf pip cannot load", () => {
    const { python } = freshVenv("installs-elsewhere", false);
    const sent = (env: NodeJS.ProcessEnv) =>
      doctor(["--python", python], env)
        .findings.filter((finding) => finding.code === "pip-installs-elsewhere")
        .map((finding) => finding.message.replace(/:.*/, ""));
    assert.deepEqual(
      sent({ PIP_TARGET: "/srv/lib", PIP_PREFIX: "/srv", PIP_ROOT: "/stage", PIP_USER: "1" }),
      [
        "PIP_TARGET is set (/srv/lib)",
        "PIP_PREFIX is set (/srv)",
        "PIP_ROOT is set (/stage)",
        "PIP_USER is set (1)",
      ],
    );
    assert.deepEqual(sent({ PIP_USER: "0", PIP_TARGET: "" }), []);
    // The same settings in pip's configuration files, which pip and spice pip read as well.
    const config = join(work.path, "installs-elsewhere.conf");
    writeFileSync(config, "[global]\ntarget = /srv/lib\n[install]\nuser = yes\n[download]\nprefix = /srv\n");
    assert.deepEqual(sent({ PIP_CONFIG_FILE: config }), [
      `target = /srv/lib in ${config} [global]`,
      `user = yes in ${config} [install]`,
    ]);
    const { findings } = doctor(["--python", python], { PIP_CONFIG_FILE: config });
    assert.match(
      findings.find((finding) => finding.code === "pip-installs-elsewhere")?.fix ?? "",
      /^remove target from /,
    );
    // A file pip cannot load fails every pip command.
    writeFileSync(config, "[global\nindex-url = http://127.0.0.1:9/\n");
    const broken = doctor(["--python", python], { PIP_CONFIG_FILE: config });
    const unloadable = broken.findings.find((finding) => finding.code === "pip-config-unloadable");
    assert.ok(unloadable, JSON.stringify(broken.findings));
    assert.equal(unloadable.message, `Could not load pip's configuration file ${config}`);
    assert.match(unloadable.why, /^line 1: .+: every pip command fails on it/);
    assert.equal(broken.status, 1);
  });

  it("spots `python` and `python3` running different interpreters", () => {
    const first = join(work.path, "python-only-bin");
    const second = join(work.path, "python3-only-bin");
    mkdirSync(first);
    mkdirSync(second);
    symlinkSync(join(PYENV, "3.12.1", "bin", "python3.12"), join(first, "python"));
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(second, "python3"));
    const split = doctor([], { PATH: `${first}:${second}:/bin` }).findings.find(
      (finding) => finding.code === "python-python3-mismatch",
    );
    assert.equal(
      split?.message,
      `\`python\` runs ${join(first, "python")}, but \`python3\` runs ${join(second, "python3")}`,
    );
    // One directory's two names for one interpreter (a venv's bin/) are no finding.
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(second, "python"));
    assert.equal(
      codes(doctor([], { PATH: `${second}:/bin` }).findings).includes("python-python3-mismatch"),
      false,
    );
  });

  it("spots VIRTUAL_ENV pointing away from the python in use, or at nothing", () => {
    const { root } = freshVenv("inactive", false);
    assert.ok(
      codes(doctor(["--python", join(root, "bin", "python")], { VIRTUAL_ENV: root }).findings).includes(
        "virtual-env-inactive",
      ),
    );
    const gone = doctor([], { VIRTUAL_ENV: join(work.path, "does-not-exist") });
    assert.ok(codes(gone.findings).includes("virtual-env-missing"));
    assert.equal(gone.status, 1);
  });

  it("spots an active environment that is not the project's .venv it is run in", () => {
    const active = freshVenv("active-elsewhere", false);
    const project = freshVenv(join("project-with-venv", ".venv"), false);
    const inProject = doctor(
      [],
      { VIRTUAL_ENV: active.root, PATH: `${join(active.root, "bin")}:/usr/bin:/bin` },
      dirname(project.root),
    );
    const finding = inProject.findings.find((item) => item.code === "active-env-elsewhere");
    assert.ok(finding, JSON.stringify(inProject.findings));
    assert.match(finding.message, /^the active VIRTUAL_ENV is \S*active-elsewhere, not \.venv here$/);
    assert.match(finding.fix ?? "", /^`deactivate`, or pass --python \.venv/);
    // The project's own, activated: nothing to say.
    const own = doctor(
      [],
      { VIRTUAL_ENV: project.root, PATH: `${join(project.root, "bin")}:/usr/bin:/bin` },
      dirname(project.root),
    );
    assert.ok(!codes(own.findings).includes("active-env-elsewhere"));
  });

  it("spots a moved venv: its home and its scripts' interpreters gone", () => {
    const { root, python } = freshVenv("moved");
    const config = join(root, "pyvenv.cfg");
    writeFileSync(config, readFileSync(config, "utf8").replace(/^home = .*$/m, "home = /nonexistent/bin"));
    writeFileSync(join(root, "bin", "old-tool"), "#!/somewhere/else/bin/python\nprint(1)\n");
    chmodSync(join(root, "bin", "old-tool"), 0o755);
    const { findings, status } = doctor(["--python", python]);
    assert.ok(codes(findings).includes("venv-home-missing"), JSON.stringify(findings));
    assert.ok(codes(findings).includes("script-interpreter-missing"));
    assert.equal(status, 1);
  });

  it("spots a venv whose own python link dangles; installs refuse to change it, list still reads it", () => {
    const { root, site } = freshVenv("dangling");
    rmSync(join(root, "bin", "python"));
    symlinkSync("/nonexistent/bin/python3.11", join(root, "bin", "python"));
    const { findings, status } = doctor(["--python", root]);
    const missing = findings.find((finding) => finding.code === "venv-python-missing");
    assert.ok(missing, JSON.stringify(findings));
    assert.match(missing.message, /links to \/nonexistent\/bin\/python3\.11/);
    assert.equal(status, 1);
    const uninstall = runSpice(["pip", "uninstall", "--python", root, "-y", "alpha"], { cacheDir });
    assert.equal(uninstall.status, 1);
    assert.match(uninstall.stderr, /has no working python[\s\S]*spice venv --allow-existing --python 3\.11/);
    assert.ok(existsSync(join(site, "alpha")), "nothing was uninstalled");
    const list = runSpice(["pip", "list", "--python", root, "--format", "freeze"], { cacheDir });
    assert.equal(list.stdout, "alpha==1.0\nbeta==1.2\n");
    assert.equal(
      runSpice(["venv", "-q", "--allow-existing", "--python", "3.11", root], { cacheDir }).status,
      0,
    );
    assert.ok(!codes(doctor(["--python", root]).findings).includes("venv-python-missing"));
  });

  it("fails on an environment it was pointed at whose Python is gone, as a venv copied alone into an image", () => {
    const { root } = freshVenv("copied-alone", false);
    const config = join(root, "pyvenv.cfg");
    // The image has no Python where the one the venv was made with was (its other links lead to this one).
    writeFileSync(config, readFileSync(config, "utf8").replace(/= \/\S*\/bin/g, "= /nonexistent/bin"));
    rmSync(join(root, "bin", "python"));
    symlinkSync("/nonexistent/bin/python3", join(root, "bin", "python"));
    for (const how of [["--python", root], []]) {
      const { findings, status } = doctor(how, how.length === 0 ? { VIRTUAL_ENV: root } : {});
      const unusable = findings.find((finding) => finding.code === "environment-unusable");
      assert.ok(unusable, JSON.stringify(findings));
      assert.equal(unusable.severity, "error");
      assert.match(
        unusable.message,
        /^The virtual environment at \S*copied-alone has no working interpreter$/,
      );
      // Its links made anew for the Python it was made with keep its packages.
      assert.match(
        unusable.fix ?? "",
        /spice venv --allow-existing --python 3\.11 \S*copied-alone` \(its packages stay\)/,
      );
      assert.match(unusable.why, /bin\/python links to \/nonexistent\/bin\/python3, which no longer exists/);
      assert.equal(status, 1);
    }
    // Named by its python, the same advice.
    const byPython = runSpice(["pip", "list", "--python", join(root, "bin", "python")], { cacheDir });
    assert.equal(byPython.status, 1);
    assert.match(
      byPython.stderr,
      /caused by: it links to \/nonexistent\/bin\/python3, which no longer exists/,
    );
    assert.match(
      byPython.stderr,
      /hint: Repair the environment for Python 3\.11 with `spice venv --allow-existing/,
    );
    // A Python asked for that is not there is as much an error; a request spice cannot read is the
    // usage mistake it is in every command.
    const missing = doctor(["--python", "3.99"]);
    assert.deepEqual(codes(missing.findings), ["environment-unusable"]);
    assert.equal(missing.status, 1);
    const unreadable = runSpice(["doctor", "--python", ">>3"], { cacheDir });
    assert.equal(unreadable.stdout, "");
    assert.match(unreadable.stderr, /^error: '>>3' is not a Python request spice understands/);
  });

  // Giving files to another user takes root, which .ci/run has (it installs with apt-get).
  const asRoot = process.getuid?.() === 0;
  it("spots what another user installed into a venv, as a `sudo pip install` leaves it", {
    skip: asRoot ? false : "changing owners takes root",
  }, () => {
    const { root, site } = freshVenv("sudo-installed");
    assert.ok(!codes(doctor(["--python", root]).findings).includes("venv-foreign-owner"));
    // Reached through a link that someone else owns, the venv is still its directory's.
    const link = join(work.path, "sudo-installed-link");
    symlinkSync(root, link);
    lchownSync(link, 65534, 65534);
    assert.ok(!codes(doctor(["--python", link]).findings).includes("venv-foreign-owner"));
    // The directories only: their files are links into the test's cache.
    for (const name of ["alpha", "alpha-1.0.dist-info"]) chownSync(join(site, name), 65534, 65534);
    const { findings, status } = doctor(["--python", root]);
    const foreign = findings.filter((finding) => finding.code === "venv-foreign-owner");
    assert.equal(foreign.length, 1, JSON.stringify(findings));
    assert.match(
      foreign[0].message,
      /^2 entries in \S*sudo-installed belong to (nobody|65534), not to root, who owns the environment: lib\/python3\.11\/site-packages\/alpha and lib\/python3\.11\/site-packages\/alpha-1\.0\.dist-info$/,
    );
    assert.match(foreign[0].fix ?? "", /^sudo chown -R root:root \S*sudo-installed$/);
    assert.equal(status, 0, "a warning");
  });

  it("says a venv's python is out of this user's reach, as one root made from a Python in its home, run as another user", {
    skip: asRoot ? false : "running as another user takes root",
  }, () => {
    // Everything the other user runs sits where it may go: spice's bundles and the venv.
    const shared = join(work.path, "shared");
    mkdirSync(shared);
    chmodSync(work.path, 0o711);
    chmodSync(shared, 0o755);
    for (const file of readdirSync(dirname(SPICE)))
      if (file.endsWith(".cjs")) cpSync(join(dirname(SPICE), file), join(shared, file));
    // The base interpreter behind a directory only root may enter (/root/.pyenv, say).
    const hidden = join(work.path, "root-only");
    mkdirSync(hidden, { mode: 0o700 });
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(hidden, "python3"));
    const root = join(shared, "venv");
    assert.equal(runSpice(["venv", "-q", root, "--python", "3.11"], { cacheDir }).status, 0);
    for (const name of ["python", "python3", "python3.11"]) {
      rmSync(join(root, "bin", name));
      symlinkSync(join(hidden, "python3"), join(root, "bin", name));
    }
    const config = join(root, "pyvenv.cfg");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(/= \/\S*\/bin(\/python[\d.]*)?$/gm, `= ${hidden}$1`),
    );
    const asNobody = (args: string[]) =>
      spawnSync(process.execPath, [join(shared, "spice.cjs"), ...args, "--no-cache"], {
        uid: 65534,
        gid: 65534,
        cwd: shared,
        env: { ...spiceEnvironment(), HOME: shared, PATH: "/usr/bin:/bin" },
        encoding: "utf8",
      });
    const examined = asNobody(["doctor", "--python", root]);
    assert.equal(examined.status, 1, examined.stderr);
    assert.match(
      examined.stdout,
      /^error: The virtual environment at \S*venv has no interpreter this user may run$/m,
    );
    assert.match(
      examined.stdout,
      /why: bin\/python links to \S*root-only\/python3, in a directory this user is not allowed to enter \(permission denied\)/,
    );
    const listed = asNobody(["pip", "list", "--python", join(root, "bin", "python")]);
    assert.equal(listed.status, 1);
    assert.match(listed.stderr, /^error: No Python interpreter this user may run at \S*venv\/bin\/python$/m);
    // Root itself runs it as ever.
    assert.equal(runSpice(["pip", "list", "--python", root], { cacheDir }).status, 0);
  });

  it("spots a venv `python -m venv` never finished (ensurepip missing, as on Debian without python3-venv)", () => {
    const root = join(work.path, "unfinished");
    const made = spawnSync(join(PYENV, "3.11.7", "bin", "python3"), ["-m", "venv", "--without-pip", root]);
    assert.equal(made.status, 0, made.stderr?.toString());
    assert.ok(!codes(doctor(["--python", root]).findings).includes("venv-unfinished"));
    // What the failed run leaves: the interpreter and pyvenv.cfg, no activation scripts.
    for (const name of readdirSync(join(root, "bin")))
      if (name.toLowerCase().startsWith("activate")) rmSync(join(root, "bin", name));
    const unfinished = doctor(["--python", root]).findings.find(
      (finding) => finding.code === "venv-unfinished",
    );
    assert.ok(unfinished);
    assert.equal(
      unfinished.message,
      `${join(root, "bin", "activate")} is missing: the environment was never finished`,
    );
    assert.match(unfinished.fix ?? "", /^spice venv --clear \S*unfinished \(it needs no ensurepip/);
  });

  it("spots packages left in another Python version's site-packages by venv --allow-existing", () => {
    const root = join(work.path, "remade");
    assert.equal(runSpice(["venv", "-q", root, "--python", "3.12"], { cacheDir }).status, 0);
    assert.equal(runSpice(["pip", "install", "--python", root, beta], { cacheDir }).status, 0);
    assert.equal(
      runSpice(["venv", "-q", root, "--python", "3.11", "--allow-existing"], { cacheDir }).status,
      0,
    );
    const { findings } = doctor(["--python", root]);
    const stale = findings.find((finding) => finding.code === "venv-other-version-packages");
    assert.ok(stale, JSON.stringify(findings));
    assert.match(
      stale.message,
      /lib\/python3\.12\/site-packages holds beta, for Python 3\.12; this environment runs Python 3\.11/,
    );
  });

  it("spots a venv whose base Python was upgraded to another version under it (a distribution's upgrade)", () => {
    // As `python3 -m venv` makes it on Debian: links to /usr/bin/python3, which an upgrade repoints.
    const root = join(work.path, "upgraded");
    const home = join(work.path, "upgraded-home");
    mkdirSync(home);
    symlinkSync(join(PYENV, "3.12.1", "bin", "python3.12"), join(home, "python3"));
    const made = spawnSync(join(home, "python3"), ["-m", "venv", "--without-pip", root]);
    assert.equal(made.status, 0, String(made.stderr));
    assert.equal(runSpice(["pip", "install", "--python", root, beta], { cacheDir }).status, 0);
    rmSync(join(home, "python3"));
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(home, "python3"));
    const { findings, status } = doctor(["--python", root]);
    const upgraded = findings.find((finding) => finding.code === "venv-base-upgraded");
    assert.ok(upgraded, JSON.stringify(findings));
    assert.equal(upgraded.severity, "error");
    assert.equal(
      upgraded.message,
      "The environment was made for Python 3.12.1, and its python now runs Python 3.11.7",
    );
    assert.match(
      upgraded.why,
      /\(home = \S*upgraded-home\).*: beta, installed in \S*lib\/python3\.12\/site-packages, cannot be imported/,
    );
    assert.match(
      upgraded.fix ?? "",
      /^where Python 3\.12 is still installed: spice venv --allow-existing --python 3\.12 \S*upgraded; else: spice pip freeze --path \S*python3\.12\/site-packages > requirements\.txt/,
    );
    // Said once: not again as packages another venv left behind.
    assert.ok(!codes(findings).includes("venv-other-version-packages"));
    assert.equal(status, 1);
    // Other commands say it where they would otherwise list nothing, or install for 3.11 unawares.
    const list = runSpice(["pip", "list", "--python", root], { cacheDir });
    assert.equal(list.status, 0, list.stderr);
    assert.match(
      list.stderr,
      /^warning: \S*upgraded was made for Python 3\.12\.1, and its python now runs Python 3\.11\.7: what was installed for 3\.12 is not importable \(`spice doctor` explains\)$/m,
    );
    // Mended as it says, the environment is whole again.
    assert.equal(
      runSpice(["venv", "-q", "--allow-existing", "--python", "3.12", root], { cacheDir }).status,
      0,
    );
    assert.ok(!codes(doctor(["--python", root]).findings).includes("venv-base-upgraded"));
  });

  it("spots leakage: system site-packages, PYTHONPATH shadowing, .pth files adding outside paths", () => {
    const { root, python, site } = freshVenv("leaky");
    const config = join(root, "pyvenv.cfg");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        "include-system-site-packages = false",
        "include-system-site-packages = true",
      ),
    );
    const outside = join(work.path, "outside");
    mkdirSync(join(outside, "beta"), { recursive: true });
    writeFileSync(join(outside, "beta", "__init__.py"), "SHADOW = True\n");
    // A .pth line may name a file (a zipped egg, or anything): on the path, but no directory to list
    // (found by fuzzing: doctor crashed on `/etc/passwd` there).
    const zipped = join(work.path, "zipped.egg");
    writeFileSync(zipped, "not a directory");
    writeFileSync(join(site, "extra.pth"), `${join(work.path, "elsewhere")}\n${zipped}\n`);
    mkdirSync(join(work.path, "elsewhere"), { recursive: true });
    const { findings } = doctor(["--python", python], { PYTHONPATH: outside });
    const found = codes(findings);
    for (const code of ["system-site-packages", "pythonpath-set", "shadowed-module", "pth-outside"])
      assert.ok(found.includes(code), `${code} in ${found}`);
    const shadow = findings.find((finding) => finding.code === "shadowed-module");
    assert.match(shadow?.message ?? "", /`beta` is provided by 2 places/);
  });

  it("names the .pth file that puts the base interpreter's site-packages in a venv", () => {
    const { root, python, site } = freshVenv("base-leak", false);
    const home = /^home = (.*)$/m.exec(readFileSync(join(root, "pyvenv.cfg"), "utf8"))?.[1] ?? "";
    const baseSite = join(dirname(home), "lib", "python3.11", "site-packages");
    assert.ok(existsSync(baseSite), baseSite);
    writeFileSync(join(site, "base.pth"), `${baseSite}\n`);
    // A directory inside the venv is the venv's own business (an editable install of its project).
    mkdirSync(join(root, "src"));
    writeFileSync(join(site, "own.pth"), `${join(root, "src")}\n`);
    const leaks = doctor(["--python", python]).findings.filter((finding) => finding.code === "pth-outside");
    assert.deepEqual(
      leaks.map((finding) => finding.message),
      [`${join(site, "base.pth")} adds the base interpreter's ${baseSite} to sys.path`],
    );
    assert.match(leaks[0].fix ?? "", /spice venv --system-site-packages/);
  });

  it("spots metadata pip fails on or misreads: no Version, a version PEP 440 does not read, a direct_url.json pip cannot read", () => {
    const { python, site } = freshVenv("odd-metadata");
    const metadata = join(site, "beta-1.2.dist-info", "METADATA");
    writeFileSync(metadata, readFileSync(metadata, "utf8").replace(/^Version: .*\n/m, ""));
    const alphaInfo = readdirSync(site).find((name) => name.startsWith("alpha-"));
    assert.ok(alphaInfo);
    const alphaMetadata = join(site, alphaInfo, "METADATA");
    writeFileSync(
      alphaMetadata,
      readFileSync(alphaMetadata, "utf8").replace(/^Version: .*$/m, "Version: not.a.version!"),
    );
    writeFileSync(join(site, alphaInfo, "direct_url.json"), '{"vcs_info": {"vcs": "git"}}');
    const { findings, status } = doctor(["--python", python]);
    assert.equal(status, 1);
    const messages = (code: string) =>
      findings.filter((finding) => finding.code === code).map((finding) => finding.message);
    assert.deepEqual(messages("broken-metadata"), [
      `${join(site, "beta-1.2.dist-info")} has no valid metadata (no Version)`,
    ]);
    assert.deepEqual(messages("invalid-version"), [
      `alpha's version 'not.a.version!' is not a PEP 440 version (${join(site, alphaInfo)})`,
    ]);
    assert.deepEqual(messages("invalid-direct-url"), [
      `alpha's direct_url.json cannot be read: url must have a value (${join(site, alphaInfo)})`,
    ]);
    // freeze leaves out what it could only write as `beta===`, saying so.
    const frozen = runSpice(["pip", "freeze", "--python", python], { cacheDir });
    assert.equal(frozen.stdout, "alpha===not.a.version!\n");
    assert.match(frozen.stderr, /Skipping .*beta-1\.2\.dist-info due to invalid metadata entry 'version'/);
  });

  it("reports what a leaked directory shadows once, not once a module", () => {
    const { python, site } = freshVenv("leaked-directory");
    const outside = join(work.path, "leaked-outside");
    const elsewhere = join(work.path, "leaked-elsewhere");
    for (const directory of [outside, elsewhere]) {
      for (const name of ["m1", "m2", "m3", "m4", "m5"]) {
        mkdirSync(join(directory, name), { recursive: true });
        writeFileSync(join(directory, name, "__init__.py"), "");
        mkdirSync(join(directory, `${name}-1.0.dist-info`));
        writeFileSync(
          join(directory, `${name}-1.0.dist-info`, "METADATA"),
          `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n`,
        );
      }
    }
    // One version differs: a conflict, still reported on its own.
    writeFileSync(
      join(elsewhere, "m5-1.0.dist-info", "METADATA"),
      "Metadata-Version: 2.1\nName: m5\nVersion: 2.0\n",
    );
    writeFileSync(join(site, "elsewhere.pth"), `${elsewhere}\n`);
    const { findings } = doctor(["--python", python], { PYTHONPATH: outside });
    const shadowed = findings.filter((finding) => finding.code === "shadowed-module");
    assert.equal(shadowed.length, 1, JSON.stringify(shadowed));
    assert.match(
      shadowed[0].message,
      /^5 modules are provided by 2 places: .*leaked-outside, .*leaked-elsewhere \(`m1`, `m2`, `m3`, `m4` and `m5`\)$/,
    );
    // The fix names what put each directory on sys.path.
    assert.match(
      shadowed[0].fix ?? "",
      new RegExp(`\\(unset PYTHONPATH; remove the line in ${join(site, "elsewhere.pth")}\\)$`),
    );
    const duplicates = findings.filter((finding) => finding.code === "duplicate-distribution");
    assert.deepEqual(
      duplicates.map((finding) => [finding.severity, finding.message.replace(/ in \/.*$/, "")]),
      [
        ["error", "m5 is installed 2 times: 1.0"],
        ["warning", "4 distributions are installed at the same versions"],
      ],
    );
    assert.match(duplicates[1].message, /: m1 1\.0, m2 1\.0, m3 1\.0 and m4 1\.0$/);
    for (const duplicate of duplicates)
      assert.match(duplicate.fix ?? "", /unset PYTHONPATH; remove the line in .*elsewhere\.pth/);
  });

  it("tells one version recorded twice in one directory apart from two copies", () => {
    // As Debian's python3-cryptography ships it: an .egg-info beside the .dist-info.
    const { python, site } = freshVenv("recorded-twice");
    mkdirSync(join(site, "twice"));
    writeFileSync(join(site, "twice", "__init__.py"), "");
    mkdirSync(join(site, "twice-1.0.dist-info"));
    writeFileSync(
      join(site, "twice-1.0.dist-info", "METADATA"),
      "Metadata-Version: 2.1\nName: twice\nVersion: 1.0\n",
    );
    writeFileSync(join(site, "twice-1.0.dist-info", "RECORD"), "twice/__init__.py,,\n");
    mkdirSync(join(site, "twice.egg-info"));
    writeFileSync(
      join(site, "twice.egg-info", "PKG-INFO"),
      "Metadata-Version: 1.1\nName: twice\nVersion: 1.0\n",
    );
    const { findings } = doctor(["--python", python]);
    const duplicates = findings.filter((finding) => finding.code === "duplicate-distribution");
    assert.deepEqual(
      duplicates.map((finding) => [finding.severity, finding.message]),
      [["info", `twice 1.0 is recorded 2 times in ${site}: twice-1.0.dist-info, twice.egg-info`]],
    );
    assert.equal(
      duplicates[0].fix,
      `remove ${join(site, "twice.egg-info")} (twice-1.0.dist-info lists the files)`,
    );
  });

  it("spots files in the current directory named like the modules they shadow", () => {
    const { root, python } = freshVenv("cwd-shadow");
    const project = join(work.path, "cwd-project");
    mkdirSync(join(project, "tests"), { recursive: true });
    // A script named after the package it imports, one named like a standard module, and a
    // tests directory (the standard library has `test`, packages leave `tests`): not worth saying.
    for (const file of ["beta.py", "random.py", "app.py", "tests/test_app.py"])
      writeFileSync(join(project, file), "");
    const env = { PATH: join(root, "bin") };
    const shadowed = doctor(["--python", python], env, project).findings.filter(
      (finding) => finding.code === "shadowed-by-cwd",
    );
    assert.deepEqual(
      shadowed.map((finding) => finding.message),
      [
        `beta.py in ${project} shadows the module \`beta\` of ${join(root, "lib", "python3.11", "site-packages", "beta")}`,
        `random.py in ${project} shadows the module \`random\` of ${join(PYENV, "3.11.7", "lib", "python3.11", "random.py")}`,
      ],
    );
    assert.match(shadowed[0].fix ?? "", /run Python with -P/);
    assert.deepEqual(
      codes(doctor(["--python", python], { ...env, PYTHONSAFEPATH: "1" }, project).findings),
      [],
    );
    // Many at once are one finding.
    for (const file of ["json.py", "email.py", "alpha.py"]) writeFileSync(join(project, file), "");
    const many = doctor(["--python", python], env, project).findings;
    assert.deepEqual(codes(many), ["shadowed-by-cwd"]);
    assert.match(
      many[0].message,
      /^5 files in .* are named like modules they shadow \(`alpha`, `beta`, `email`/,
    );
  });

  it("spots duplicate, broken and unsatisfied distributions", () => {
    const { python, site } = freshVenv("broken");
    cpSync(join(site, "beta-1.2.dist-info"), join(site, "beta-1.0.dist-info"), { recursive: true });
    writeFileSync(
      join(site, "beta-1.0.dist-info", "METADATA"),
      "Metadata-Version: 2.1\nName: beta\nVersion: 1.0\n",
    );
    rmSync(join(site, "alpha-1.0.dist-info", "RECORD"));
    mkdirSync(join(site, "ghost-1.0.dist-info"));
    const { findings, status } = doctor(["--python", python]);
    const found = codes(findings);
    for (const code of ["duplicate-distribution", "no-record", "no-metadata"])
      assert.ok(found.includes(code), `${code} in ${found}`);
    assert.equal(status, 1);
    // An unmet requirement, as pip check would report it.
    const missing = freshVenv("missing-dep", false);
    assert.equal(
      runSpice(["pip", "install", "--python", missing.python, alpha, "--no-deps"], { cacheDir }).status,
      0,
    );
    assert.ok(codes(doctor(["--python", missing.python]).findings).includes("missing-requirement"));
  });

  it("spots files two distributions both install, and files a distribution lost", () => {
    const { root, python, site } = freshVenv("clashing");
    const clash = buildWheel(wheels, {
      name: "clash",
      version: "1.0",
      files: { "beta/__init__.py": "CLASH = 1\n" },
    });
    const installed = runSpice(["pip", "install", "--python", python, clash], { cacheDir });
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(
      installed.stderr,
      /warning: clash overwrote beta\/__init__\.py of beta 1\.2: both install it, so uninstalling either one removes the other's files\n/,
    );
    const shared = doctor(["--python", python]).findings.filter((finding) => finding.code === "shared-files");
    assert.deepEqual(
      shared.map((finding) => [finding.severity, finding.message]),
      [["warning", "beta 1.2 and clash 1.0 both install beta/__init__.py"]],
    );
    assert.equal(runSpice(["pip", "uninstall", "--python", python, "clash"], { cacheDir }).status, 0);
    assert.equal(existsSync(join(site, "beta", "__init__.py")), false);
    const { findings, status } = doctor(["--python", python]);
    const missing = findings.filter((finding) => finding.code === "missing-files");
    assert.deepEqual(
      missing.map((finding) => [finding.severity, finding.message, finding.fix]),
      [
        [
          "error",
          "beta 1.2 is missing 1 of the 11 files its RECORD lists: beta/__init__.py",
          // Named as doctor was told of it: `spice pip` here would not find it by itself.
          `spice pip install --reinstall --no-deps beta==1.2 --python ${python}`,
        ],
      ],
    );
    assert.equal(status, 1);
    // Activated, it is what `spice pip` acts on: the fix needs no --python.
    const activated = doctor([], { VIRTUAL_ENV: root }).findings.find(
      (finding) => finding.code === "missing-files",
    );
    assert.equal(activated?.fix, "spice pip install --reinstall --no-deps beta==1.2");
    // The fix, with the wheel in place of an index.
    assert.equal(
      runSpice(["pip", "install", "--python", python, "--reinstall", "--no-deps", beta], { cacheDir }).status,
      0,
    );
    assert.deepEqual(
      codes(doctor(["--python", python]).findings).filter((code) => code.endsWith("-files")),
      [],
    );
  });

  it("spots wheels for another machine or Python, whose compiled modules do not load here", () => {
    const { root, python } = freshVenv("other-platform", false);
    // A real compiled module of this Python, and its bytes as another machine's build has them.
    const here = machine();
    const other = here === "aarch64" ? "x86_64" : "aarch64";
    const dynload = join(PYENV, "3.11.7", "lib", "python3.11", "lib-dynload");
    const native = readFileSync(join(dynload, `_json.cpython-311-${here}-linux-gnu.so`));
    const foreign = Buffer.from(native);
    foreign.writeUInt16LE(other === "aarch64" ? 183 : 62, 18); // e_machine
    const wheel = (name: string, tag: string, files: Record<string, string | Uint8Array>) =>
      buildWheel(wheels, { name, version: "1.0", tag, rootIsPurelib: false, files });
    const installed = [
      // Copied from an image of another architecture, with its Python's module names.
      wheel("copied", `cp311-cp311-manylinux_2_17_${other}`, {
        "copied/__init__.py": "",
        [`copied/_json.cpython-311-${other}-linux-gnu.so`]: foreign,
      }),
      // A stable-ABI module: its name loads anywhere, its machine code does not.
      wheel("abithree", `cp37-abi3-manylinux_2_17_${other}`, { "abithree/_json.abi3.so": foreign }),
      // Built on a Mac for a Lambda function.
      wheel("mactool", "cp311-cp311-macosx_11_0_arm64", { "mactool/_m.cpython-311-darwin.so": "\xcf\xfa" }),
      // Tags for another Python on a library loaded by path (as some real wheels have): it loads.
      wheel("oddtags", `cp39-cp39-manylinux_2_17_${here}`, { "oddtags/liboddtags.so": native }),
      wheel("fine", `cp311-cp311-manylinux_2_17_${here}`, {
        [`fine/_json.cpython-311-${here}-linux-gnu.so`]: native,
      }),
      // From an Alpine image: this machine's Python and architecture, musl's C library.
      wheel("alpine", `cp311-cp311-musllinux_1_2_${here}`, {
        [`alpine/_json.cpython-311-${here}-linux-gnu.so`]: sharedObjectNeeding(
          [`libc.musl-${here}.so.1`],
          here === "aarch64" ? 183 : 62,
        ),
      }),
    ];
    const install = runSpice(["pip", "install", "--ignore-tags", "--python", python, ...installed], {
      cacheDir,
    });
    assert.equal(install.status, 0, install.stderr);
    // What Python says of them, and of the ones that are fine.
    const imports = (module: string) => spawnSync(python, ["-c", `import ${module}`], { encoding: "utf8" });
    assert.match(imports("copied._json").stderr, /ModuleNotFoundError: No module named 'copied._json'/);
    assert.match(imports("abithree._json").stderr, /ImportError: /);
    // (A made-up object, which glibc refuses before it looks for musl's C library.)
    assert.match(imports("alpine._json").stderr, /ImportError: /);
    assert.equal(imports("fine._json").status, 0, imports("fine._json").stderr);
    const { findings, status } = doctor(["--python", python], { PATH: join(root, "bin") });
    const foreignWheels = findings.filter((finding) => finding.code === "wheel-for-other-platform");
    assert.deepEqual(
      foreignWheels.map((finding) => finding.message.split(" ")[0]),
      ["abithree", "alpine", "copied", "mactool"],
      JSON.stringify(findings),
    );
    assert.equal(status, 1);
    const [abithree, alpine, copied, mactool] = foreignWheels;
    assert.match(alpine.message, new RegExp(`\\(built for musl: it needs libc\\.musl-${here}\\.so\\.1\\)$`));
    assert.match(abithree.message, new RegExp(`cannot load _json\\.abi3\\.so \\(built for ${other}\\)$`));
    assert.match(
      copied.message,
      new RegExp(
        `^copied 1\\.0 was installed from a wheel for cp311-cp311-manylinux_2_17_${other}, which this Python does not take, and cannot load _json\\.cpython-311-${other}-linux-gnu\\.so \\(its name is for cpython-311-${other}-linux-gnu\\)$`,
      ),
    );
    assert.match(mactool.message, /_m\.cpython-311-darwin\.so \(its name is for cpython-311-darwin\)$/);
    assert.equal(
      copied.fix,
      `spice pip install --reinstall --no-deps copied==1.0 --python ${python} (a wheel for this Python)`,
    );
  });

  it("spots an environment for another Python than the project's requires-python or .python-version", () => {
    const project = join(work.path, "project-python");
    mkdirSync(project);
    writeFileSync(
      join(project, "pyproject.toml"),
      '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.12"\n',
    );
    assert.equal(runSpice(["venv", "-q", "--python", "3.11"], { cwd: project, cacheDir }).status, 0);
    const examine = () => doctor([], { PATH: join(project, ".venv", "bin") }, project);
    const older = examine();
    assert.deepEqual(
      older.findings.map((finding) => [finding.code, finding.message]),
      [
        [
          "requires-python-unmet",
          `${join(project, "pyproject.toml")} requires Python >=3.12, but ${join(project, ".venv")} runs Python 3.11.7`,
        ],
      ],
    );
    assert.equal(older.status, 1);
    // A .python-version pin is checked too, and the requires-python beside it.
    writeFileSync(join(project, ".python-version"), "3.12\n");
    assert.deepEqual(codes(examine().findings), ["python-version-mismatch", "requires-python-unmet"]);
    writeFileSync(join(project, ".python-version"), "3.11\n");
    assert.deepEqual(codes(examine().findings), ["requires-python-unmet"]);
    // The fix: spice venv reads them.
    writeFileSync(join(project, ".python-version"), "3.12\n");
    assert.equal(runSpice(["venv", "-q", "--clear"], { cwd: project, cacheDir }).status, 0);
    const fixed = examine();
    assert.deepEqual(fixed.findings, []);
    assert.equal(fixed.status, 0);
  });

  it("warns when an externally managed Python is used without a venv", () => {
    const python = externallyManagedPython(join(work.path, "managed-python"), "Use apt.");
    const { findings } = doctor(["--python", python]);
    assert.ok(codes(findings).includes("externally-managed"), JSON.stringify(codes(findings)));
  });
});
