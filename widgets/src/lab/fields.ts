// The sweep form's fields, generated from the server's own description of a sweep's parameters
// (SweepParams in openapi.json, itself written from the settings' declarations), so a new setting
// appears in the form with no front-end change. Pure: turned into DOM by form.ts.
import openapi from "../../../extension/saeprobe_server/openapi.json";

interface PropertySchema {
  type?: string | string[];
  enum?: (string | number | null)[];
  items?: { type?: string; enum?: string[] };
  description?: string;
}

export type FieldKind = "select" | "switch" | "number" | "list" | "text";

export interface Field {
  name: string;
  kind: FieldKind;
  description: string;
  /** The choices of a select ("" is "the default"). */
  options: string[];
  /** How a list's items or a number are read. */
  itemType: "number" | "integer" | "string";
  advanced: boolean;
}

/** Parameters the form asks for in fields of their own: the sources and the data columns. */
export const SOURCE_FIELDS = ["model", "data", "saes", "text_column", "label_column", "split_column"];
/** The settings shown before "Advanced": what a first sweep usually sets. */
export const MAIN_FIELDS = ["layers", "pooling", "template"];

const SCHEMA = (openapi as unknown as { components: { schemas: { SweepParams: { properties: Record<string, PropertySchema> } } } })
  .components.schemas.SweepParams.properties;

const types = (spec: PropertySchema): string[] => (Array.isArray(spec.type) ? spec.type : spec.type ? [spec.type] : []);

function fieldOf(name: string, spec: PropertySchema): Field {
  const kinds = types(spec);
  const base = { name, description: spec.description ?? "", options: [] as string[], itemType: "string" as Field["itemType"], advanced: !MAIN_FIELDS.includes(name) };
  if (spec.enum) return { ...base, kind: "select", options: ["", ...spec.enum.filter((v) => v !== null).map(String)] };
  if (kinds.includes("boolean")) return { ...base, kind: "switch", options: ["", "yes", "no"] };
  if (kinds.includes("array") && !kinds.includes("string")) {
    const item = spec.items?.type === "integer" || spec.items?.type === "number" ? spec.items.type : "string";
    return { ...base, kind: "list", itemType: item };
  }
  if (kinds.includes("integer") || kinds.includes("number")) return { ...base, kind: "number", itemType: kinds.includes("integer") ? "integer" : "number" };
  return { ...base, kind: "text" };
}

/** Every setting of a sweep but the sources, main ones first, each as a form field. */
export function settingFields(schema: Record<string, PropertySchema> = SCHEMA): Field[] {
  const names = Object.keys(schema).filter((name) => !SOURCE_FIELDS.includes(name));
  const ordered = [...MAIN_FIELDS.filter((name) => names.includes(name)), ...names.filter((name) => !MAIN_FIELDS.includes(name))];
  return ordered.map((name) => fieldOf(name, schema[name]));
}

/** What the user typed, by field name; empty means "the default". */
export type FormValues = Record<string, string>;

/** A named SAE set as the form holds it: its name and its specification (a folder or a release). */
export interface SaeRow {
  name: string;
  spec: string;
}

/** The request body of a sweep from the form's values, or the fields that cannot be read, each
 * with why: the server checks the rest and names its field when it refuses one. */
export function sweepParams(
  values: FormValues, saes: SaeRow[], fields: Field[] = settingFields(),
): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const name of ["model", "data", "text_column", "label_column", "split_column"]) {
    const value = (values[name] ?? "").trim();
    if (value) params[name] = value;
  }
  if (!params.model) errors.model = "name a model: minilm, smollm2, a hub name or a folder under the server's root";
  if (!params.data) errors.data = "pick a labelled file, or name a dataset such as demo";
  const sets = saes.filter((row) => row.name.trim() || row.spec.trim());
  for (const row of sets) {
    if (!row.name.trim() || !row.spec.trim()) errors.saes = "give every SAE set both a name and a folder or release";
  }
  if (sets.length && !errors.saes) params.saes = Object.fromEntries(sets.map((row): [string, string] => [row.name.trim(), row.spec.trim()]));
  for (const field of fields) {
    const raw = (values[field.name] ?? "").trim();
    if (!raw) continue;
    const read = readValue(field, raw);
    if (read instanceof Refusal) errors[field.name] = read.reason;
    else params[field.name] = read;
  }
  return { params, errors };
}

/** A value the form cannot read, and why. */
class Refusal {
  constructor(readonly reason: string) {}
}

function readValue(field: Field, raw: string): unknown {
  const number = (text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || (field.itemType === "integer" && !Number.isInteger(value))) return null;
    return value;
  };
  if (field.kind === "switch") return raw === "yes";
  if (field.kind === "number") {
    const value = number(raw);
    return value === null ? new Refusal(`${raw} is not ${field.itemType === "integer" ? "a whole number" : "a number"}`) : value;
  }
  if (field.kind === "list") {
    const items = raw.split(",").map((item) => item.trim()).filter(Boolean);
    if (field.itemType === "string") return items;
    const values = items.map(number);
    const bad = items.find((_, i) => values[i] === null);
    return bad === undefined ? values : new Refusal(`${bad} is not ${field.itemType === "integer" ? "a whole number" : "a number"}; separate values with commas`);
  }
  // The server reads \n in a template as a new line, as the command line does.
  return field.name === "template" ? raw.replace(/\\n/g, "\n") : raw;
}

/** The models that load with no network, suggested in the model field. */
export const OFFLINE_MODELS = ["minilm", "smollm2"];
