"""REST handlers: parse, authorise, delegate. Listings run the saeprobe CLI in a subprocess so
that torch never loads in the server process."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from saeprobe.store import to_jsonable

from .job_queue import JobManager, QueueFull

AUTH_RESOURCE = "saeprobe"
MAX_QUERY_CHARS = 200
THEMES = ("light", "dark")


def parse_body(raw: bytes) -> object:
    """The JSON of a request body. ``ValueError`` for text that is not strict JSON (NaN and
    Infinity included) or that nests too deeply to read."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not a JSON number; send finite numbers only")

    try:
        return json.loads(raw or b"null", parse_constant=refuse)
    except RecursionError:
        raise ValueError("the body nests too deeply; send a flat object of sweep parameters") from None
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8 text") from None


class FieldError(web.HTTPError):
    """A refused request whose fault lies in one parameter: the error's JSON names it (``field``),
    so a form can show the message beside that field."""

    def __init__(self, status_code: int, message: str, field: str | None = None):
        super().__init__(status_code, "%s", message)
        self.field = field


class SaeprobeHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def jobs(self) -> JobManager:
        return self.settings["saeprobe_jobs"]

    @property
    def owner(self) -> str:
        """Who a job belongs to, for the per-user queue limit. Every holder of the server's token is
        one user (jupyter_server names each token request anew)."""
        if self.identity_provider.is_token_authenticated(self):
            return "token"
        return self.current_user.username

    # APIHandler.prepare, which this extends, drops JupyterHandler's keyword the same way, and
    # jupyter_server ignores the mismatch there too.
    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        # Every request also reaps ended jobs and starts queued ones (a timer does it between requests).
        self.jobs.dispatch()

    def answer(self, payload: object) -> None:
        """Finish with strict JSON (no bare NaN or Infinity, which browsers cannot parse)."""
        self.finish(json.dumps(to_jsonable(payload), allow_nan=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """APIHandler's JSON error, with the message as it was written: tornado doubles every ``%``
        of a message given without arguments (for its own log's formatting), and APIHandler would
        answer the doubled text, so a path such as ``%2e%2e/x`` came back as ``%%2e%%2e/x``."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        if not isinstance(error, web.HTTPError) or not error.log_message:
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "application/json")
        answer = {"message": error.log_message % error.args, "reason": error.reason}
        if isinstance(error, FieldError) and error.field:
            answer["field"] = error.field
        self.finish(json.dumps(answer))

    def job_folder(self, job_id: str):
        try:
            return self.jobs.folder(job_id)
        except KeyError:
            raise web.HTTPError(404, f"no sweep job {job_id!r}") from None

    def job_output(self, job_id: str, name: str) -> str:
        """A finished job's output file, or 404 naming the job's state."""
        path = self.job_folder(job_id) / name
        if not path.is_file():
            raise web.HTTPError(
                404, f"sweep {job_id} has no {name} yet; its state is {self.jobs.status(job_id)['state']}"
            )
        return path.read_text()

    async def run_cli(self, command: str, **options: str) -> object:
        """Run ``saeprobe <command> --json`` in a subprocess (torch stays out of the server). User
        values are passed as ``--name=value``, so none can become an option of its own."""
        args = [f"--{name}={value}" for name, value in options.items()]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "saeprobe",
            command,
            *args,
            "--json",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise web.HTTPError(400, f"saeprobe {command} failed: {err.decode(errors='replace').strip()[-500:]}")
        return json.loads(out)


class PluginsHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.answer({"plugins": await self.run_cli("plugins")})


class SaesHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        model = self.get_query_argument("model", None)
        if model is not None and (len(model) > MAX_QUERY_CHARS or not model.isprintable()):
            raise web.HTTPError(400, f"model must be a printable name of at most {MAX_QUERY_CHARS} characters")
        self.answer({"model": model, "saes": await self.run_cli("saes", **({"model": model} if model else {}))})


class DataColumnsHandler(SaeprobeHandler):
    """The columns of a labelled file under the root, read from its head, with the text, label and
    split columns a sweep would likely read: a form offers them as choices."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from saeprobe.data import table_columns
        from saeprobe.errors import DataError

        path = self.get_query_argument("path", "")
        if not path or len(path) > 4 * MAX_QUERY_CHARS:
            raise web.HTTPError(400, "give path=FILE, a CSV, TSV or JSONL file under the server's root")
        try:
            checked = self.jobs.checked_path("data", path)
        except PermissionError as exc:
            raise web.HTTPError(403, str(exc)) from None
        except ValueError as exc:
            raise web.HTTPError(400, str(exc)) from None
        if not Path(checked).is_file():
            raise web.HTTPError(404, f"data {path!r}: no such file under the server's root")
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(None, table_columns, checked)
        except DataError as exc:
            raise web.HTTPError(400, str(exc)) from None
        self.answer({"path": checked, **found.__dict__})


class JobsHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.answer({"sweeps": self.jobs.all()})

    @web.authenticated
    @authorized
    def post(self) -> None:
        limit = self.settings["saeprobe_max_request_bytes"]
        if len(self.request.body) > limit:
            raise web.HTTPError(413, f"the request body has {len(self.request.body)} bytes; the limit is {limit}")
        try:
            params = self.jobs.validate(parse_body(self.request.body))
        except PermissionError as exc:
            raise FieldError(403, str(exc), field=getattr(exc, "option", None)) from None
        except ValueError as exc:
            raise FieldError(400, str(exc), field=getattr(exc, "option", None)) from None
        try:
            job_id = self.jobs.submit(params, owner=self.owner)
        except QueueFull as exc:
            raise web.HTTPError(429, str(exc)) from None
        self.set_status(202)
        self.set_header("Location", f"{self.base_url}saeprobe/api/sweeps/{job_id}")
        self.answer(self.jobs.status(job_id))


class JobHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def get(self, job_id: str) -> None:
        self.job_folder(job_id)
        self.answer(self.jobs.status(job_id))

    @web.authenticated
    @authorized
    def delete(self, job_id: str) -> None:
        self.job_folder(job_id)
        self.answer(self.jobs.cancel(job_id))


class JobResumeHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def post(self, job_id: str) -> None:
        self.job_folder(job_id)
        try:
            self.answer(self.jobs.resume(job_id))
        except ValueError as exc:
            raise web.HTTPError(409, str(exc)) from None


class JobResultHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def get(self, job_id: str) -> None:
        self.finish(self.job_output(job_id, "result.json"))


class JobReportHandler(SaeprobeHandler):
    @property
    def content_security_policy(self) -> str:
        # The report is one page with inline script and styles and no other request; sandboxing
        # gives its script a unique origin, so it cannot act on the server with the user's session.
        return "; ".join(
            [
                super().content_security_policy,
                "script-src 'unsafe-inline'",
                "style-src 'unsafe-inline'",
                "img-src data:",
                "sandbox allow-scripts",
            ]
        )

    @web.authenticated
    @authorized
    def get(self, job_id: str) -> None:
        page = self.job_output(job_id, "report.html")
        # ?theme=light|dark: the report follows the front end's theme rather than the system's.
        theme = self.get_query_argument("theme", None)
        if theme is not None:
            if theme not in THEMES:
                raise web.HTTPError(400, f"theme {theme!r} is not one of {list(THEMES)}")
            page = page.replace('<html lang="en">', f'<html lang="en" data-theme="{theme}">', 1)
        self.finish(page, set_content_type="text/html; charset=utf-8")
