import { describe, expect, it } from "vitest";
import openapi from "../../../extension/saeprobe_server/openapi.json";
import { MAIN_FIELDS, settingFields, SOURCE_FIELDS, sweepParams } from "../../src/lab/fields";

const SCHEMA = openapi.components.schemas.SweepParams.properties as Record<string, unknown>;

describe("the sweep form's fields", () => {
  it("has one field per setting of the server's SweepParams, main ones first", () => {
    const fields = settingFields();
    expect(fields.map((f) => f.name).sort()).toEqual(Object.keys(SCHEMA).filter((n) => !SOURCE_FIELDS.includes(n)).sort());
    expect(fields.slice(0, MAIN_FIELDS.length).map((f) => f.name)).toEqual(MAIN_FIELDS);
    expect(fields.filter((f) => !f.advanced).map((f) => f.name)).toEqual(MAIN_FIELDS);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.pooling).toMatchObject({ kind: "select", options: ["", "last", "mean", "max"] });
    expect(byName.exclude_bos).toMatchObject({ kind: "switch" });
    expect(byName.top_ks).toMatchObject({ kind: "list", itemType: "integer" });
    expect(byName.cv_folds).toMatchObject({ kind: "number", itemType: "integer" });
    expect(byName.layers).toMatchObject({ kind: "text" });
    expect(byName.probes).toMatchObject({ kind: "list", itemType: "string" });
  });

  it("turns the typed values into the request body, leaving defaults out", () => {
    const { params, errors } = sweepParams(
      { model: " minilm ", data: "demo", pooling: "mean", layers: "0-5", top_ks: "1, 5,16", exclude_bos: "no", template: "Review: {text}\\nSentiment:", seed: "" },
      [{ name: "task", spec: "saes/task" }, { name: "", spec: "" }],
    );
    expect(errors).toEqual({});
    expect(params).toEqual({
      model: "minilm", data: "demo", saes: { task: "saes/task" }, pooling: "mean", layers: "0-5", top_ks: [1, 5, 16], exclude_bos: false,
      template: "Review: {text}\nSentiment:",
    });
  });

  it("names each field it cannot read, with why", () => {
    const { errors } = sweepParams({ model: "", data: "", cv_folds: "2.5", top_ks: "1,x" }, [{ name: "task", spec: "" }]);
    expect(Object.keys(errors).sort()).toEqual(["cv_folds", "data", "model", "saes", "top_ks"]);
    expect(errors.cv_folds).toBe("2.5 is not a whole number");
    expect(errors.top_ks).toContain("x is not a whole number");
  });
});
