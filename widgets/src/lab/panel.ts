// The "saeprobe" side panel: the sweep jobs newest first, each with its state, progress, queue
// place, model, data, start and elapsed time and what it offers; it asks the server again every
// second while a job waits or runs, less and less often once all are settled.
import { Widget } from "@lumino/widgets";
import { h, replaceKeepingFocus } from "../shared/dom";
import { ApiError, type SaeprobeApi } from "./api";
import {
  clockTime, elapsed, FAST_POLL_MS, jobActions, newestFirst, nextPollDelay, progressShare, progressText, shortName,
  type JobAction, type JobSummary,
} from "./jobs";

/** What the panel's buttons do, given by the plugin (they open tabs and notebooks). */
export interface PanelActions {
  newSweep: () => void;
  openReport: (job: JobSummary) => void;
  openNotebook: (job: JobSummary) => Promise<void>;
}

const LABELS: Record<JobAction, string> = {
  cancel: "Cancel", resume: "Resume", report: "Open report", notebook: "Open in notebook", cli: "Copy command line",
};

export class SweepsPanel extends Widget {
  private jobs: JobSummary[] = [];
  private message = "";
  private delay = FAST_POLL_MS;
  private timer: number | undefined;
  private readonly list = h("ul", { class: "sp-lab-jobs", "aria-label": "Sweep jobs" });
  private readonly status = h("p", { class: "sp-lab-status", role: "status", "aria-live": "polite" });
  /** When the panel first saw each job running with a progress count (ms since the epoch): the
   * browser test reads it to time a click to the first progress update. */
  readonly firstProgress = new Map<string, number>();

  constructor(private readonly api: SaeprobeApi, private readonly actions: PanelActions) {
    super();
    this.id = "saeprobe-sweeps";
    this.title.caption = "saeprobe sweeps";
    this.title.label = "saeprobe";
    this.addClass("sp-lab-panel");
    const start = h("button", { type: "button", class: "jp-mod-styled jp-mod-accept sp-lab-new" }, "New sweep…");
    start.addEventListener("click", () => this.actions.newSweep());
    const refresh = h("button", { type: "button", class: "jp-mod-styled sp-lab-refresh", "aria-label": "Refresh the jobs" }, "Refresh");
    refresh.addEventListener("click", () => void this.refresh());
    this.node.append(h("div", { class: "sp-lab-toolbar" }, h("h2", {}, "saeprobe sweeps"), start, refresh), this.status, this.list);
  }

  protected onAfterAttach(): void {
    void this.refresh();
  }

  protected onBeforeDetach(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    super.dispose();
  }

  /** List the jobs now, draw them, and schedule the next listing. */
  async refresh(): Promise<void> {
    window.clearTimeout(this.timer);
    try {
      this.jobs = newestFirst((await this.api.sweeps()).sweeps);
      this.message = "";
      this.delay = nextPollDelay(this.jobs, this.delay);
    } catch (error) {
      this.message = (error as Error).message;
      this.delay = nextPollDelay([], this.delay);
    }
    const now = Date.now();
    for (const job of this.jobs) {
      if (job.state !== "queued" && (job.progress?.total ?? 0) > 0 && !this.firstProgress.has(job.id)) this.firstProgress.set(job.id, now);
    }
    this.draw();
    if (!this.isDisposed && this.isAttached) this.timer = window.setTimeout(() => void this.refresh(), this.delay);
  }

  /** Ask again soon: a job was just started, cancelled or resumed. */
  nudge(): void {
    this.delay = FAST_POLL_MS;
    void this.refresh();
  }

  private draw(): void {
    this.status.textContent = this.message || (this.jobs.length ? "" : "No sweeps yet: start one with New sweep…");
    this.status.classList.toggle("sp-lab-error", Boolean(this.message));
    const now = Date.now() / 1000;
    // Redrawn every second while jobs run: the focused button keeps the focus (by its key).
    replaceKeepingFocus(this.list, this.jobs.map((job) => this.row(job, now)));
  }

  private row(job: JobSummary, now: number): HTMLElement {
    const share = progressShare(job);
    const name = `${shortName(job.model)} on ${shortName(job.data)}`;
    // Indeterminate only while a running job has no count yet; a settled one stands still.
    const value = share ?? (job.state === "running" ? null : 0);
    const bar = h("progress", { max: 1, "aria-label": `Progress of ${name}`, ...(value === null ? {} : { value }) });
    const feedback = h("span", { class: "sp-lab-feedback", role: "status" });
    const buttons = jobActions(job).map((action) => {
      const button = h("button", {
        type: "button", class: "jp-mod-styled sp-lab-action", "data-action": action, "aria-label": `${LABELS[action]}: ${name}`,
        "data-focus-key": `${job.id}-${action}`,
      }, LABELS[action]);
      button.addEventListener("click", () => void this.act(action, job, feedback));
      return button;
    });
    const started = job.started ? `started ${clockTime(job.started)}` : `created ${clockTime(job.created)}`;
    const took = elapsed(job, now);
    return h("li", { class: `sp-lab-job sp-lab-${job.state}`, "data-job": job.id, "aria-label": `${name}, ${job.state}` },
      h("div", { class: "sp-lab-job-head" }, h("span", { class: "sp-lab-state" }, job.state), h("strong", { title: `${job.model} · ${job.data}` }, name)),
      bar,
      h("div", { class: "sp-lab-progress" }, progressText(job)),
      h("div", { class: "sp-lab-times" }, [started, took && `elapsed ${took}`].filter(Boolean).join(" · ")),
      h("div", { class: "sp-lab-actions", role: "group", "aria-label": `Actions for ${name}` }, ...buttons, feedback));
  }

  private async act(action: JobAction, job: JobSummary, feedback: HTMLElement): Promise<void> {
    try {
      if (action === "cancel") await this.api.cancel(job.id);
      else if (action === "resume") await this.api.resume(job.id);
      else if (action === "report") this.actions.openReport(job);
      else if (action === "notebook") await this.actions.openNotebook(job);
      else {
        const { cli } = await this.api.sweep(job.id);
        await navigator.clipboard.writeText(cli).then(() => { feedback.textContent = "copied"; }, () => { feedback.textContent = cli; });
        return;
      }
      if (action === "cancel" || action === "resume") this.nudge();
    } catch (error) {
      feedback.textContent = error instanceof ApiError ? error.message : `${LABELS[action]} failed: ${(error as Error).message}`;
      feedback.classList.add("sp-lab-error");
    }
  }
}
