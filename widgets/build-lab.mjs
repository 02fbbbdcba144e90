// Build the prebuilt JupyterLab extension into extension/labextension (shipped in the wheel under
// share/jupyter/labextensions/saeprobe): compile widgets/src/lab, with the widget's shared views,
// into one ES module, then let JupyterLab's builder bundle it with webpack as a federated
// extension. JupyterLab's and Lumino's packages stay imports: the running JupyterLab shares its own.
// The builder needs the core package list of the JupyterLab it targets: the one installed in
// .venv (or the first python3's), found by asking that Python.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["widgets/src/lab/index.ts"],
  outfile: "widgets/lab-build/index.js",
  bundle: true,
  format: "esm",
  target: "es2020",
  legalComments: "none",
  external: ["@jupyterlab/*", "@lumino/*"],
  loader: { ".css": "empty" },
  logLevel: "warning",
});

// Rebuilt whole: files of an older build (named by their hashes) must not linger.
rmSync("extension/labextension", { recursive: true, force: true });
const python = existsSync(".venv/bin/python") ? ".venv/bin/python" : "python3";
const core = execFileSync(python, ["-c", "import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), 'staging'))"], { encoding: "utf-8" }).trim();
execFileSync("node", ["node_modules/@jupyterlab/builder/lib/build-labextension.js", "--core-path", core, "."], { stdio: ["ignore", "ignore", "inherit"] });
console.log("built the JupyterLab extension into extension/labextension");
