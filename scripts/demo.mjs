// `npm run demo`: spice end to end, offline, from nothing but the repo. Each step prints its
// command and result; the demo fails if a step fails.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const spice = fileURLToPath(new URL("../dist/spice.mjs", import.meta.url));
const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "spice-demo-"));
const wheels = join(work, "wheels");
const env = {
  ...process.env,
  SPICE_CACHE_DIR: join(work, "cache"),
  VIRTUAL_ENV: "",
  PIP_CONFIG_FILE: "/dev/null",
};
const started = performance.now();
let steps = 0;

function step(title, command, args, options = {}) {
  steps++;
  const shown = [
    command === process.execPath ? (args[0] === spice ? "spice" : "node") : command,
    ...args.slice(command === process.execPath ? 1 : 0),
  ]
    .map((arg) => (/[\s<>!=,*;]/.test(arg) ? `'${arg}'` : arg.replace(work, "$DEMO")))
    .join(" ");
  console.log(`\n# ${title}\n$ ${shown}`);
  const result = spawnSync(command, args, { cwd: options.cwd ?? work, env, stdio: "inherit" });
  if (result.status !== 0 && !options.mayFail) {
    console.error(`demo: this step failed (exit ${result.status})`);
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  }
}

const run = (title, args, options) => step(title, process.execPath, [spice, ...args], options);

try {
  step(
    "build the example wheels (examples/packages)",
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./example-wheels.ts", import.meta.url)), wheels],
    { cwd: fileURLToPath(new URL("..", import.meta.url)) },
  );
  run("the interpreters on this machine", ["python", "list"]);
  run("a virtual environment (no Python is run)", ["venv", join(work, ".venv"), "--python", "3.12"]);
  run(
    "install the app and its dependency from local wheels",
    ["pip", "install", "spiceapp", "--find-links", wheels],
    { cwd: work },
  );
  step("run its console script", join(work, ".venv", "bin", "spiceapp"), ["spice user"]);
  run("what is installed (pip's format)", ["pip", "list"], { cwd: work });
  run("pin it", ["pip", "freeze"], { cwd: work });
  run("the dependency tree", ["pip", "tree"], { cwd: work });
  run("is anything wrong?", ["doctor"], { cwd: work });
  run("read a requirements file as pip does", ["debug", "requirements", join(examples, "requirements.txt")]);
  // Serve the wheels as an index and let the stock pip install from it.
  steps++;
  console.log(
    "\n# serve the wheels as a package index, and install from it with pip itself\n$ spice serve $DEMO/wheels &",
  );
  const server = spawn(process.execPath, [spice, "serve", wheels], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    server.stdout.once("data", (chunk) => resolve(String(chunk).trim()));
    server.once("exit", (code) => reject(new Error(`spice serve exited with ${code}`)));
  });
  console.log(url);
  const target = join(work, "pip-target");
  const pip = await new Promise((resolve) => {
    const child = spawn(
      "python3",
      [
        "-m",
        "pip",
        "install",
        "--index-url",
        url,
        "--target",
        target,
        "--quiet",
        "--root-user-action",
        "ignore",
        "--disable-pip-version-check",
        "spiceapp",
      ],
      { env, stdio: "inherit" },
    );
    child.on("exit", resolve);
  });
  server.kill("SIGTERM");
  console.log(
    `$ python3 -m pip install --index-url ${url} --target $DEMO/pip-target spiceapp  -> exit ${pip}`,
  );
  if (pip !== 0) throw new Error("pip could not install from spice serve");
  run("uninstall everything", ["pip", "uninstall", "spiceapp", "spicelib"], { cwd: work });
  console.log(`\ndemo: ${steps} steps in ${((performance.now() - started) / 1000).toFixed(1)}s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
