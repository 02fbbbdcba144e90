// The REST API of the saeprobe server extension, as the JupyterLab front end calls it: the only
// way the panel, the form and the report tabs reach saeprobe.
import { URLExt } from "@jupyterlab/coreutils";
import { ServerConnection } from "@jupyterlab/services";
import type { JobSummary } from "./jobs";

/** A refused call, worded as the API words it, with the field at fault where there is one. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly field?: string) {
    super(message);
  }
}

export interface JobStatus extends JobSummary {
  params: Record<string, unknown>;
  cli: string;
}

export interface DataColumns {
  path: string;
  columns: string[];
  n_rows_read: number;
  text_column: string | null;
  label_column: string | null;
  split_column: string | null;
}

export interface PretrainedSae {
  release: string;
  model: string;
  [key: string]: unknown;
}

export class SaeprobeApi {
  constructor(private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()) {}

  /** The URL of an API path (for a report's frame), with query arguments. */
  url(path: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    return URLExt.join(this.settings.baseUrl, "saeprobe/api", path) + (search ? `?${search}` : "");
  }

  async call<T>(path: string, init: RequestInit = {}, query: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(this.url(path, query), init, this.settings);
    } catch (error) {
      throw new ApiError(`the Jupyter server cannot be reached: ${(error as Error).message}`, 0);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      const found = (body ?? {}) as { message?: string; field?: string };
      const message = found.message ?? (response.status === 404
        ? "the saeprobe server extension is not enabled on this Jupyter server (pip install 'saeprobe[server]')"
        : `HTTP ${response.status}`);
      throw new ApiError(message, response.status, found.field);
    }
    return body as T;
  }

  sweeps(): Promise<{ sweeps: JobSummary[] }> {
    return this.call("sweeps");
  }

  sweep(id: string): Promise<JobStatus> {
    return this.call(`sweeps/${id}`);
  }

  start(params: Record<string, unknown>): Promise<JobStatus> {
    return this.call("sweeps", { method: "POST", body: JSON.stringify(params) });
  }

  cancel(id: string): Promise<JobStatus> {
    return this.call(`sweeps/${id}`, { method: "DELETE" });
  }

  resume(id: string): Promise<JobStatus> {
    return this.call(`sweeps/${id}/resume`, { method: "POST" });
  }

  result(id: string): Promise<Record<string, unknown>> {
    return this.call(`sweeps/${id}/result`);
  }

  columns(path: string): Promise<DataColumns> {
    return this.call("data/columns", {}, { path });
  }

  saes(model?: string): Promise<{ model: string | null; saes: PretrainedSae[] }> {
    return this.call("saes", {}, model ? { model } : {});
  }

  /** The URL of a finished job's report, in `theme`. */
  reportUrl(id: string, theme: "light" | "dark"): string {
    return this.url(`sweeps/${id}/report`, { theme });
  }
}
