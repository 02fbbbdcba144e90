"""The documentation pages made from the code while the site builds (mkdocs-gen-files): the API
reference of every package, the settings reference from the declarations, the REST API from the
server's OpenAPI file, and the lesson's interactive report from its stored result."""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from typing import Any

import mkdocs_gen_files

from saeprobe.config import DataOptions, Options, SAETrainingSettings, SweepSettings, flag_of
from saeprobe.view import report_html

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "extension" / "saeprobe_server" / "openapi.json"
LESSON_RESULT = ROOT / "docs" / "lesson" / "smollm2-demo.json"
# The API reference: the package's public names, then each folder in the order of the data path.
PACKAGES = [
    "saeprobe",
    "saeprobe.config",
    "saeprobe.store",
    "saeprobe.data",
    "saeprobe.model",
    "saeprobe.records",
    "saeprobe.explain",
    "saeprobe.activations",
    "saeprobe.sae",
    "saeprobe.probe",
    "saeprobe.sweeps",
    "saeprobe.suites",
    "saeprobe.view",
    "saeprobe.app",
    "saeprobe.plugins",
    "saeprobe.errors",
]


def _summary(module: Any) -> str:
    return " ".join((module.__doc__ or "").strip().split("\n\n")[0].split())


def _public_names(module: Any) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        ]
    return sorted(names, key=lambda name: (not name[0].isupper(), name.lower()))


def api_pages() -> None:
    rows = []
    for name in PACKAGES:
        module = importlib.import_module(name)
        page = f"reference/api/{name.removeprefix('saeprobe.') if name != 'saeprobe' else 'saeprobe'}.md"
        members = _public_names(module)
        with mkdocs_gen_files.open(page, "w") as out:
            out.write(f"# `{name}`\n\n::: {name}\n    options:\n      members: {json.dumps(members)}\n")
        rows.append(f"| [`{name}`]({Path(page).name}) | {_summary(module)} |")
    with mkdocs_gen_files.open("reference/api/index.md", "w") as out:
        out.write(
            "# API reference\n\nGenerated from the docstrings. `saeprobe` itself holds the names most users need; "
            "each folder of the package re-exports its own public names.\n\n| module | holds |\n|---|---|\n"
        )
        out.write("\n".join(rows) + "\n")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _options_table(cls: type[Options]) -> str:
    lines = ["| setting | flag | default | allowed | cache key | what it does |", "|---|---|---|---|---|---|"]
    for field in dataclasses.fields(cls):
        meta = field.metadata
        check = meta["check"]
        allowed = check.describe() if check is not None else "true or false"
        if meta["optional"]:
            allowed += ", or none"
        default = json.dumps(list(field.default) if isinstance(field.default, tuple) else field.default)
        lines.append(
            f"| `{field.name}` | `{flag_of(field)}` | `{_cell(default)}` | {_cell(allowed)} | "
            f"{meta['group']} | {_cell(meta['help'])} |"
        )
    return "\n".join(lines)


def settings_page() -> None:
    with mkdocs_gen_files.open("reference/settings.md", "w") as out:
        out.write(
            "# Settings\n\nGenerated from the declarations in `kernel_lib/saeprobe/config/_settings.py`: the "
            "keyword arguments of `saeprobe.sweep`, the flags of `saeprobe sweep`, the fields the server accepts and "
            "the `settings` of a result file all come from them, and so does the JSON Schema of each (ranges, "
            "choices, patterns). "
            "*Cache key* says which cached stage a setting shapes: `extraction` the activations, `codes`, `probes`, "
            "`diagnostics` and `regimes` the finished layers, `target` what is read; `run` settings change how fast, "
            "never what.\n\n"
        )
        for cls in (SweepSettings, DataOptions, SAETrainingSettings):
            out.write(f"## `{cls.__name__}`\n\n{' '.join((cls.__doc__ or '').split())}\n\n{_options_table(cls)}\n\n")


def _schema_words(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[`{name}`](#{name.lower()})"
    if schema.get("type") == "array" and "items" in schema:
        return f"array of {_schema_words(schema['items'])}"
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type", "object")
    return " or ".join(kind) if isinstance(kind, list) else kind


def rest_page() -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    lines = [
        f"# REST API\n\n{document['info']['description']}\n",
        "The machine-readable description is `extension/saeprobe_server/openapi.json` (OpenAPI "
        f"{document['openapi']}), which ships with the extension; a test keeps it equal to the handlers. "
        f"Paths below are under `<base_url>{document['servers'][0]['url']}`.\n",
    ]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            lines.append(f"## `{method.upper()} {path}`\n\n{operation['summary']}.\n")
            body = operation.get("requestBody")
            if body:
                lines.append(f"Body: {_schema_words(body['content']['application/json']['schema'])}.\n")
            lines.append("| status | answer |\n|---|---|")
            for status, response in operation["responses"].items():
                schema = next(iter(response.get("content", {}).values()), {}).get("schema")
                shape = f" — {_schema_words(schema)}" if schema else ""
                lines.append(f"| {status} | {_cell(response['description'])}{shape} |")
            lines.append("")
    lines.append("## Schemas\n")
    for name, schema in document["components"]["schemas"].items():
        lines.append(f"### {name}\n")
        if schema.get("description"):
            lines.append(schema["description"] + "\n")
        properties = schema.get("properties", {})
        if properties:
            required = set(schema.get("required", []))
            lines.append("| field | type | required | meaning |\n|---|---|---|---|")
            for field, spec in properties.items():
                lines.append(
                    f"| `{field}` | {_schema_words(spec)} | {'yes' if field in required else ''} | "
                    f"{_cell(spec.get('description', ''))} |"
                )
            lines.append("")
        elif "enum" in schema:
            lines.append(_schema_words(schema) + "\n")
    with mkdocs_gen_files.open("reference/rest-api.md", "w") as out:
        out.write("\n".join(lines) + "\n")


def lesson_report() -> None:
    result = json.loads(LESSON_RESULT.read_text(encoding="utf-8"))
    page = report_html(
        result,
        selected_layer=result["layers"][0]["layer"],
        title="saeprobe lesson: SmolLM2-135M, film reviews, task and general SAEs",
    )
    with mkdocs_gen_files.open("lesson/report.html", "w") as out:
        out.write(page)


api_pages()
settings_page()
rest_page()
lesson_report()
