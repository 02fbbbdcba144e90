import { describe, expect, it } from "vitest";
import {
  clockTime, elapsed, FAST_POLL_MS, jobActions, newestFirst, nextPollDelay, progressShare, progressText, resultNotebook, shortName, SLOW_POLL_MS,
  type JobSummary,
} from "../../src/lab/jobs";

const job = (over: Partial<JobSummary>): JobSummary => ({ id: "a".repeat(32), state: "running", created: 100, ...over });

describe("the side panel's jobs", () => {
  it("lists the newest first, ties in a stable order", () => {
    const jobs = [job({ id: "b", created: 5 }), job({ id: "c", created: 9 }), job({ id: "a", created: 5 })];
    expect(newestFirst(jobs).map((j) => j.id)).toEqual(["c", "a", "b"]);
  });

  it("offers what each state allows", () => {
    expect(jobActions(job({ state: "queued" }))).toEqual(["cancel", "cli"]);
    expect(jobActions(job({ state: "running" }))).toEqual(["cancel", "cli"]);
    expect(jobActions(job({ state: "done" }))).toEqual(["report", "notebook", "cli"]);
    expect(jobActions(job({ state: "failed", resumable: true }))).toEqual(["resume", "cli"]);
    expect(jobActions(job({ state: "cancelled" }))).toEqual(["resume", "cli"]);
    expect(jobActions(job({ state: "failed", resumable: false }))).toEqual(["cli"]);
  });

  it("says the stage and count, the place in the queue, or the error as the API words it", () => {
    expect(progressText(job({ progress: { stage: "forward pass", done: 3, total: 10 } }))).toBe("forward pass 3/10");
    expect(progressText(job({}))).toBe("starting");
    expect(progressText(job({ state: "queued", queue_position: 2 }))).toBe("queued, 2nd in line");
    expect(progressText(job({ state: "queued", queue_position: 11 }))).toBe("queued, 11th in line");
    expect(progressText(job({ state: "failed", error: "column 'txt' is not in 'reviews.csv'" }))).toBe("failed: column 'txt' is not in 'reviews.csv'");
    expect(progressShare(job({ progress: { done: 3, total: 12 } }))).toBe(0.25);
    expect(progressShare(job({}))).toBeNull();
    expect(progressShare(job({ state: "done" }))).toBe(1);
  });

  it("writes elapsed and start times as a reader would", () => {
    expect(elapsed(job({ started: null }), 500)).toBe("");
    expect(elapsed(job({ started: 100 }), 142)).toBe("42 s");
    expect(elapsed(job({ started: 100, finished: 285 }), 9999)).toBe("3 min 05 s");
    expect(elapsed(job({ started: 0 + 1, finished: 3721 }), 0)).toBe("1 h 02 min");
    expect(clockTime(null)).toBe("");
    expect(clockTime(new Date(2026, 0, 1, 9, 5).getTime() / 1000)).toBe("09:05");
    expect([shortName("/root/data/reviews.csv"), shortName("minilm"), shortName(undefined)]).toEqual(["reviews.csv", "minilm", ""]);
  });

  it("asks every second while a job waits or runs, then backs off to half a minute", () => {
    expect(nextPollDelay([job({ state: "queued" })], 20_000)).toBe(FAST_POLL_MS);
    let delay = FAST_POLL_MS;
    const delays: number[] = [];
    for (let i = 0; i < 12; i += 1) delays.push((delay = nextPollDelay([job({ state: "done" })], delay)));
    expect(delays[0]).toBe(1500);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
    expect(delays.at(-1)).toBe(SLOW_POLL_MS);
  });

  it("opens a result in a notebook of one cell that shows the widget", () => {
    const notebook = resultNotebook("sweep-1234.json") as { cells: { source: string }[]; nbformat: number };
    expect(notebook.nbformat).toBe(4);
    expect(notebook.cells[0].source).toContain('saeprobe.SweepResult.from_json("sweep-1234.json")');
    expect(notebook.cells[0].source).toContain("result.show()");
  });
});
