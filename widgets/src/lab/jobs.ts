// The side panel's state logic, with no DOM: the jobs as the REST API lists them, newest first,
// what each shows and offers, and how often to ask again.

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

/** One job as `GET sweeps` lists it (the server's JobSummary). */
export interface JobSummary {
  id: string;
  state: JobState;
  queue_position?: number;
  progress?: { stage?: string; done?: number; total?: number };
  created?: number;
  started?: number | null;
  finished?: number | null;
  resumable?: boolean | null;
  error?: string | null;
  model?: string;
  data?: string;
  saes?: string | Record<string, string>;
}

export type JobAction = "cancel" | "resume" | "report" | "notebook" | "cli";

/** The jobs newest first (by creation time; ties by id, so the order never flickers). */
export function newestFirst(jobs: JobSummary[]): JobSummary[] {
  return [...jobs].sort((a, b) => (b.created ?? 0) - (a.created ?? 0) || a.id.localeCompare(b.id));
}

/** What a job offers: cancel while it waits or runs; resume once failed or cancelled (unless the
 * server says it cannot); its report and a notebook once done; its command line always. */
export function jobActions(job: JobSummary): JobAction[] {
  const actions: JobAction[] = [];
  if (job.state === "queued" || job.state === "running") actions.push("cancel");
  if ((job.state === "failed" || job.state === "cancelled") && job.resumable !== false) actions.push("resume");
  if (job.state === "done") actions.push("report", "notebook");
  actions.push("cli");
  return actions;
}

/** The progress line: the stage and its count while running, the queue place while waiting. */
export function progressText(job: JobSummary): string {
  if (job.state === "queued") return job.queue_position ? `queued, ${ordinal(job.queue_position)} in line` : "queued";
  const { stage, done, total } = job.progress ?? {};
  if (job.state === "running") return stage ? `${stage} ${done ?? 0}/${total ?? "?"}` : "starting";
  if (job.state === "failed") return job.error ? `failed: ${job.error}` : "failed";
  return job.state;
}

/** The share of the work done, 0 to 1, for the progress bar (null before any count is known). */
export function progressShare(job: JobSummary): number | null {
  if (job.state === "done") return 1;
  const { done, total } = job.progress ?? {};
  return typeof done === "number" && typeof total === "number" && total > 0 ? Math.min(1, done / total) : null;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** How long a job has run (or ran): "42 s", "3 min 05 s", "1 h 02 min"; empty before it starts. */
export function elapsed(job: JobSummary, now: number): string {
  if (!job.started) return "";
  const seconds = Math.max(0, Math.round((job.finished ?? now) - job.started));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** A clock time as the panel shows when a job started: "14:03". */
export function clockTime(epochSeconds: number | null | undefined): string {
  if (!epochSeconds) return "";
  const date = new Date(epochSeconds * 1000);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** The last part of a path, as a list names a model or a data file. */
export function shortName(value: string | undefined): string {
  if (!value) return "";
  return value.split(/[\\/]/).filter(Boolean).pop() ?? value;
}

// Polling: every second while a job waits or runs; once all are settled, half again as long each
// time, up to half a minute.
export const FAST_POLL_MS = 1000;
export const SLOW_POLL_MS = 30_000;

/** The wait before the next listing, after `previous` ms, given the jobs just listed. */
export function nextPollDelay(jobs: JobSummary[], previous: number): number {
  if (jobs.some((job) => job.state === "queued" || job.state === "running")) return FAST_POLL_MS;
  return Math.min(SLOW_POLL_MS, Math.max(FAST_POLL_MS, Math.round(previous * 1.5)));
}

/** The notebook that opens a finished job's result: one code cell showing the widget. */
export function resultNotebook(resultPath: string): Record<string, unknown> {
  return {
    cells: [{
      cell_type: "code", execution_count: null, metadata: {}, outputs: [],
      source: `import saeprobe\n\nresult = saeprobe.SweepResult.from_json(${JSON.stringify(resultPath)})\nresult.show()`,
    }],
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
