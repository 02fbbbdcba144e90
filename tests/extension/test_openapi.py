"""The OpenAPI file describes the REST API the handlers serve: the same routes and methods, the
parameters the job runner accepts, and answers that match their documented schemas."""

import importlib.util
import json
import re
from pathlib import Path

import jsonschema
import pytest
from server_api import expect_error, fetch_json
from tornado import web

import saeprobe_server
from saeprobe_server import SaeprobeServer
from saeprobe_server.app import API

pytestmark = pytest.mark.integration

OPENAPI = Path(saeprobe_server.__file__).parent / "openapi.json"
DOCUMENT = json.loads(OPENAPI.read_text())
TOOL = Path(__file__).resolve().parents[2] / "tools" / "write_openapi.py"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"saeprobe_server": True}},
        "SaeprobeServer": {"results_dir": str(tmp_path / "results")},
    }


def _matches(name: str, instance: object) -> None:
    """Validate ``instance`` against the component schema ``name`` (its references resolved in the
    document)."""
    jsonschema.validate(instance, {"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]})


def _served_routes() -> dict[str, set[str]]:
    app = SaeprobeServer()
    app.handlers = []
    app.initialize_handlers()
    routes = {}
    for pattern, handler in app.handlers:
        own = {m for m in METHODS if getattr(handler, m) is not getattr(web.RequestHandler, m)}
        routes[re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern.removeprefix(API))] = own
    return routes


def test_the_document_lists_every_route_and_method_the_handlers_serve():
    documented = {path: {m for m in item if m in METHODS} for path, item in DOCUMENT["paths"].items()}
    assert documented == _served_routes()
    assert DOCUMENT["openapi"].startswith("3.1")
    for path, item in DOCUMENT["paths"].items():
        for method in set(item) & set(METHODS):
            assert "403" in item[method]["responses"], f"{method} {path} does not document the refused request"


def test_the_sweep_parameters_are_the_declarations_of_today():
    spec = importlib.util.spec_from_file_location("write_openapi", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert DOCUMENT["components"]["schemas"]["SweepParams"] == tool.sweep_params(), (
        "the settings changed: run python tools/write_openapi.py"
    )


async def test_answers_match_their_documented_schemas(jp_fetch, workspace):
    code, body = await fetch_json(jp_fetch, "plugins")
    assert code == 200
    _matches("Plugin", body["plugins"][0])
    code, body = await fetch_json(jp_fetch, "saes", params={"model": "gpt2-small"})
    assert code == 200 and body["saes"]
    for entry in body["saes"][:5]:
        _matches("PretrainedSAE", entry)
    params = {"model": "model", "data": "reviews.csv", "saes": {"task": "saes"}, "layers": "0-1", "top_ks": [1, 5]}
    _matches("SweepParams", params)
    code, started = await fetch_json(jp_fetch, "sweeps", method="POST", body=json.dumps(params))
    assert code == 202
    _matches("JobStatus", started)
    code, listing = await fetch_json(jp_fetch, "sweeps")
    _matches("JobSummary", listing["sweeps"][0])
    code, cancelled = await fetch_json(jp_fetch, "sweeps", started["id"], method="DELETE")
    _matches("JobStatus", cancelled)
    assert cancelled["state"] == "cancelled"


async def test_refused_parameters_are_refused_by_the_schema_and_the_server(jp_fetch, workspace):
    for params in (
        {"data": "reviews.csv"},
        {"model": "model", "data": "reviews.csv", "polling": "mean"},
        {"model": "model", "data": "reviews.csv", "seed": -1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            _matches("SweepParams", params)
        text = await expect_error(jp_fetch, 400, "sweeps", method="POST", body=json.dumps(params))
        _matches("Error", json.loads(text))
