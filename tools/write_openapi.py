"""Rewrite the `SweepParams` schema of the server's OpenAPI file from the declarations: the sources
(model, data, saes) and every DataOptions and SweepSettings field, each optional but the model and
the data. The rest of the file is written by hand; tests/extension/test_openapi.py checks both.

    .venv/bin/python tools/write_openapi.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from saeprobe.app import SOURCES
from saeprobe.config import DataOptions, SweepSettings, json_schema

OPENAPI = Path(__file__).resolve().parents[1] / "extension" / "saeprobe_server" / "openapi.json"


def sweep_params() -> dict[str, Any]:
    """The JSON Schema of a sweep job's parameters (``POST sweeps``)."""
    sources: dict[str, Any] = {
        "model": {"type": "string", "minLength": 1, "description": "a model name or a path under the server's root"},
        "data": {"type": "string", "minLength": 1, "description": "a labelled file under the root, or a dataset name"},
        "saes": {
            "type": ["string", "object"],
            "minLength": 1,
            "additionalProperties": {"type": "string", "minLength": 1},
            "description": "one SAE specification, or {set name: specification} to compare named sets",
        },
    }
    assert set(sources) == set(SOURCES), "the sources the job runner reads changed"
    options = {**json_schema(DataOptions)["properties"], **json_schema(SweepSettings)["properties"]}
    return {
        "type": "object",
        "description": "A sweep: its sources, how the data is read (DataOptions) and every SweepSettings field; "
        "what is left out takes its default.",
        "required": [name for name, required in SOURCES.items() if required],
        "additionalProperties": False,
        "properties": {**sources, **options},
    }


def main() -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    document["components"]["schemas"]["SweepParams"] = sweep_params()
    OPENAPI.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote the SweepParams of {OPENAPI}")


if __name__ == "__main__":
    main()
