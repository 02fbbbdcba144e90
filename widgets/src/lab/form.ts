// The form that starts a sweep with no code: the model (offline names suggested, or a folder from
// the file browser), the data file (picked, its columns read by the server and offered as lists),
// named SAE sets (folders or SAELens releases), then every setting, generated from the server's
// description of a sweep. The server validates; what it refuses is shown beside its field.
import type { IDocumentManager } from "@jupyterlab/docmanager";
import { FileDialog } from "@jupyterlab/filebrowser";
import { Widget } from "@lumino/widgets";
import { h } from "../shared/dom";
import { ApiError, type JobStatus, type SaeprobeApi } from "./api";
import { OFFLINE_MODELS, settingFields, sweepParams, type Field, type FormValues, type SaeRow } from "./fields";

const TABLE_FILE = /\.(csv|tsv|tab|jsonl|ndjson|json)$/i;
let forms = 0;

export interface FormOptions {
  /** A data file to start from (the file browser's "Sweep with saeprobe…"). */
  data?: string;
  onStarted: (job: JobStatus) => void;
}

export class SweepForm extends Widget {
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly saeRows: { name: HTMLInputElement; spec: HTMLInputElement; row: HTMLElement }[] = [];
  private readonly saeList = h("div", { class: "sp-lab-sae-rows" });
  private readonly releases = h("datalist", { id: `sp-lab-releases-${++forms}` });
  private readonly summary = h("p", { class: "sp-lab-form-status", role: "status", "aria-live": "polite" });
  private readonly prefix = `sp-lab-form-${forms}`;

  constructor(private readonly api: SaeprobeApi, private readonly documents: IDocumentManager, private readonly options: FormOptions) {
    super();
    this.addClass("sp-lab-form");
    this.title.label = "New saeprobe sweep";
    this.title.closable = true;
    const form = h("form", { "aria-label": "New saeprobe sweep", novalidate: true });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    const models = h("datalist", { id: `${this.prefix}-models` }, ...OFFLINE_MODELS.map((name) => h("option", { value: name })));
    const model = this.field("model", "Model", this.input("model", { list: models.id, placeholder: "minilm, smollm2, a hub name or a folder" }),
      this.picker("Pick a folder…", "model", async () => (await FileDialog.getExistingDirectory({ manager: this.documents })).value?.[0]?.path));
    model.append(models);
    const data = this.input("data", { placeholder: "a .csv, .tsv or .jsonl file, or demo" });
    data.addEventListener("change", () => void this.readColumns());
    const dataField = this.field("data", "Data", data, this.picker("Pick a file…", "data", async () => {
      const picked = await FileDialog.getOpenFiles({ manager: this.documents, filter: (item) => (item.type === "directory" || TABLE_FILE.test(item.name) ? {} : null) });
      return picked.value?.[0]?.path;
    }));
    const columns = ["text_column", "label_column", "split_column"].map((name) => this.field(name, name.replace("_", " "), this.select(name, [""])));
    const addSet = h("button", { type: "button", class: "jp-mod-styled" }, "Add an SAE set");
    addSet.addEventListener("click", () => this.addSaeRow());
    const saes = h("fieldset", { class: "sp-lab-saes" }, h("legend", {}, "SAE sets (none: raw probes only)"), this.saeList, addSet, this.releases,
      this.error("saes"));
    const fields = settingFields();
    const main = fields.filter((field) => !field.advanced).map((field) => this.settingField(field));
    const advanced = h("details", { class: "sp-lab-advanced" }, h("summary", {}, "Advanced settings"),
      ...fields.filter((field) => field.advanced).map((field) => this.settingField(field)));
    const start = h("button", { type: "submit", class: "jp-mod-styled jp-mod-accept" }, "Start sweep");
    form.append(h("h2", {}, "New saeprobe sweep"), model, dataField, h("div", { class: "sp-lab-columns" }, ...columns), saes, ...main, advanced,
      h("div", { class: "sp-lab-form-actions" }, start), this.summary);
    this.node.append(form);
    (this.inputs.get("model") as HTMLInputElement).addEventListener("change", () => void this.readReleases());
    if (options.data) {
      data.value = options.data;
      void this.readColumns();
    }
  }

  private input(name: string, attrs: Record<string, string> = {}): HTMLInputElement {
    const input = h("input", { type: "text", id: `${this.prefix}-${name}`, name, "aria-describedby": `${this.prefix}-${name}-error`, ...attrs });
    this.inputs.set(name, input);
    return input;
  }

  private select(name: string, options: string[], labels: Record<string, string> = {}): HTMLSelectElement {
    const select = h("select", { id: `${this.prefix}-${name}`, name, "aria-describedby": `${this.prefix}-${name}-error` },
      ...options.map((value) => h("option", { value }, labels[value] ?? (value || "(default)"))));
    this.inputs.set(name, select);
    return select;
  }

  private error(name: string): HTMLElement {
    const found = h("span", { class: "sp-lab-field-error", id: `${this.prefix}-${name}-error`, "aria-live": "polite" });
    this.errors.set(name, found);
    return found;
  }

  private field(name: string, label: string, control: HTMLElement, ...extra: HTMLElement[]): HTMLElement {
    return h("div", { class: "sp-lab-field", "data-field": name },
      h("label", { for: control.id }, label), h("div", { class: "sp-lab-control" }, control, ...extra), this.error(name));
  }

  private picker(text: string, name: string, pick: () => Promise<string | undefined>): HTMLElement {
    const button = h("button", { type: "button", class: "jp-mod-styled", "aria-label": `${text.replace("…", "")} for ${name}` }, text);
    button.addEventListener("click", async () => {
      const path = await pick();
      if (path === undefined) return;
      const input = this.inputs.get(name) as HTMLInputElement;
      input.value = path;
      input.dispatchEvent(new Event("change"));
    });
    return button;
  }

  private settingField(field: Field): HTMLElement {
    const control = field.kind === "select" || field.kind === "switch"
      ? this.select(field.name, field.options)
      : this.input(field.name, field.kind === "list" ? { placeholder: "comma-separated" } : field.kind === "number" ? { inputmode: "decimal" } : {});
    const node = this.field(field.name, field.name.replace(/_/g, " "), control);
    node.append(h("p", { class: "sp-lab-help" }, field.description));
    return node;
  }

  private addSaeRow(name = "", spec = ""): void {
    const index = this.saeRows.length + 1;
    const nameInput = h("input", { type: "text", value: name, placeholder: "name, e.g. task", "aria-label": `Name of SAE set ${index}` });
    const specInput = h("input", { type: "text", value: spec, list: this.releases.id, placeholder: "a folder of SAEs or a SAELens release", "aria-label": `SAEs of set ${index}` });
    const pick = h("button", { type: "button", class: "jp-mod-styled", "aria-label": `Pick a folder for SAE set ${index}` }, "Pick a folder…");
    pick.addEventListener("click", async () => {
      const path = (await FileDialog.getExistingDirectory({ manager: this.documents })).value?.[0]?.path;
      if (path !== undefined) specInput.value = path;
    });
    const remove = h("button", { type: "button", class: "jp-mod-styled", "aria-label": `Remove SAE set ${index}` }, "Remove");
    const row = h("div", { class: "sp-lab-sae-row" }, nameInput, specInput, pick, remove);
    const entry = { name: nameInput, spec: specInput, row };
    remove.addEventListener("click", () => {
      this.saeRows.splice(this.saeRows.indexOf(entry), 1);
      row.remove();
    });
    this.saeRows.push(entry);
    this.saeList.append(row);
    nameInput.focus();
  }

  /** Offer the data file's columns as the text, label and split choices, the likely ones chosen. */
  private async readColumns(): Promise<void> {
    const path = (this.inputs.get("data") as HTMLInputElement).value.trim();
    this.mark("data", "");
    if (!TABLE_FILE.test(path)) return;
    try {
      const found = await this.api.columns(path);
      const fill = (name: string, chosen: string | null, none: string) => {
        const select = this.inputs.get(name) as HTMLSelectElement;
        select.replaceChildren(h("option", { value: "" }, none), ...found.columns.map((column) => h("option", { value: column }, column)));
        select.value = chosen ?? "";
      };
      fill("text_column", found.text_column, "(text)");
      fill("label_column", found.label_column, "(label)");
      fill("split_column", found.split_column, "(a stratified split)");
    } catch (error) {
      this.mark("data", (error as Error).message);
    }
  }

  /** Offer SAELens's pretrained releases for the model as SAE specifications. */
  private async readReleases(): Promise<void> {
    const model = (this.inputs.get("model") as HTMLInputElement).value.trim();
    if (!model) return;
    try {
      const { saes } = await this.api.saes(model);
      const releases = [...new Set(saes.map((sae) => sae.release))];
      this.releases.replaceChildren(...releases.map((release) => h("option", { value: release })));
    } catch {
      this.releases.replaceChildren();
    }
  }

  private mark(name: string, message: string): void {
    const target = this.errors.get(name);
    if (target) target.textContent = message;
    this.inputs.get(name)?.setAttribute("aria-invalid", message ? "true" : "false");
  }

  private values(): { values: FormValues; saes: SaeRow[] } {
    const values: FormValues = {};
    for (const [name, input] of this.inputs) values[name] = input.value;
    return { values, saes: this.saeRows.map((row) => ({ name: row.name.value, spec: row.spec.value })) };
  }

  private async submit(): Promise<void> {
    for (const name of this.errors.keys()) this.mark(name, "");
    const { values, saes } = this.values();
    const { params, errors } = sweepParams(values, saes);
    const wrong = Object.entries(errors);
    if (wrong.length) {
      wrong.forEach(([name, message]) => this.mark(name, message));
      this.summary.textContent = `Fix ${wrong.length === 1 ? "the field" : `the ${wrong.length} fields`} marked above.`;
      this.inputs.get(wrong[0][0])?.focus();
      return;
    }
    this.summary.textContent = "Starting…";
    try {
      const job = await this.api.start(params);
      this.summary.textContent = `Started: ${job.state === "queued" && job.queue_position ? `queued, ${job.queue_position} in line` : job.state}. The saeprobe panel follows it.`;
      this.options.onStarted(job);
    } catch (error) {
      const found = error as ApiError;
      const field = found.field && (this.errors.has(found.field) ? found.field : undefined);
      if (field) {
        this.mark(field, found.message);
        this.inputs.get(field)?.focus();
        this.summary.textContent = "The server refused a field: see the message beside it.";
      } else {
        this.summary.textContent = found.message;
      }
    }
  }
}
