// Bundle the widget (ES module for anywidget) and the offline report host (one classic script)
// into the Python package. Everything is bundled: no CDN imports at run time.
import { build } from "esbuild";

const out = "kernel_lib/saeprobe/view/static";
const common = {
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "none",
  // VS Code's notebook renderer defines a global AMD `define`; keep bundled code from using it.
  define: { "define.amd": "false" },
  logLevel: "info",
};

await build({ ...common, entryPoints: { widget: "widgets/src/index.ts" }, format: "esm", outdir: out });
await build({ ...common, entryPoints: { report: "widgets/src/report.ts" }, format: "iife", outdir: out, loader: { ".css": "empty" } });
