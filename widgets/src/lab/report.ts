// Reports in main-area tabs. A job's report is the page the server serves, in a sandboxed frame,
// in JupyterLab's theme (light or dark, followed as it changes); a result JSON file in the
// workspace is drawn by the widget's own view, which reads JupyterLab's theme variables itself.
import { Widget } from "@lumino/widgets";
import { h } from "../shared/dom";
import type { SweepResult } from "../schema";
import { StaticModel, type WidgetTraits } from "../shared/model";
import { renderView } from "../suite/render";
import type { SaeprobeApi } from "./api";

/** JupyterLab's theme as the report endpoint takes it. */
export function labTheme(): "light" | "dark" {
  return document.body.dataset.jpThemeLight === "false" ? "dark" : "light";
}

export class JobReport extends Widget {
  private readonly frame: HTMLIFrameElement;

  constructor(private readonly api: SaeprobeApi, readonly jobId: string, label: string) {
    super();
    this.id = `saeprobe-report-${jobId}`;
    this.title.label = label;
    this.title.caption = `saeprobe report of sweep ${jobId}`;
    this.title.closable = true;
    this.addClass("sp-lab-report");
    // Scripts run, with an origin of their own: the report cannot act on the server as the user.
    this.frame = h("iframe", { sandbox: "allow-scripts allow-downloads", title: `saeprobe report: ${label}`, src: api.reportUrl(jobId, labTheme()) });
    this.node.append(this.frame);
  }

  /** Load the report again in JupyterLab's current theme. */
  followTheme(): void {
    const wanted = this.api.reportUrl(this.jobId, labTheme());
    if (this.frame.src !== new URL(wanted, window.location.href).href) this.frame.src = wanted;
  }
}

/** Whether a JSON document is a sweep result (`SweepResult.to_json`), which a ResultView draws. */
export function isSweepResult(document: unknown): document is Record<string, unknown> {
  const found = document as Record<string, unknown> | null;
  return Boolean(found) && typeof found === "object" && typeof found!.schema_version === "string" && Array.isArray(found!.layers);
}

export class ResultView extends Widget {
  constructor(result: Record<string, unknown>, path: string) {
    super();
    this.id = `saeprobe-result-${path}`;
    this.title.label = path.split("/").pop() ?? path;
    this.title.caption = `saeprobe result ${path}`;
    this.title.closable = true;
    this.addClass("sp-lab-result");
    const layers = (result.layers as { layer: number }[] | undefined) ?? [];
    const mount = h("div", {});
    this.node.append(mount);
    const traits: WidgetTraits = { result: result as unknown as SweepResult, selected_layer: layers[0]?.layer ?? 0, progress: {} };
    renderView({ model: new StaticModel(traits), el: mount });
  }
}
