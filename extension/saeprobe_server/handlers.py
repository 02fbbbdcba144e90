"""REST handlers: parse, authorise, delegate. Listings run the saeprobe CLI in a subprocess so
that torch never loads in the server process."""

from __future__ import annotations

import asyncio
import json
import sys

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .jobs import JobManager, QueueFull

AUTH_RESOURCE = "saeprobe"


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

    async def prepare(self) -> None:
        await super().prepare()
        # Every request also reaps ended jobs and starts queued ones (a timer does it between requests).
        self.jobs.dispatch()

    def job_folder(self, job_id: str):
        try:
            return self.jobs.folder(job_id)
        except KeyError:
            raise web.HTTPError(404, f"no sweep job {job_id!r}") from None

    def job_output(self, job_id: str, name: str) -> str:
        """A finished job's output file, or 404 naming the job's state."""
        path = self.job_folder(job_id) / name
        if not path.is_file():
            raise web.HTTPError(404, f"sweep {job_id} has no {name} yet; its state is {self.jobs.status(job_id)['state']}")
        return path.read_text()

    async def run_cli(self, *args: str) -> object:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "saeprobe.cli", *args, "--json",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise web.HTTPError(500, f"saeprobe {args[0]} failed: {err.decode()[-500:]}")
        return json.loads(out)


class PluginsHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(json.dumps({"plugins": await self.run_cli("plugins")}))


class SaesHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        model = self.get_query_argument("model", None)
        args = ["saes"] + (["--model", model] if model else [])
        self.finish(json.dumps({"model": model, "saes": await self.run_cli(*args)}))


class JobsHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.finish(json.dumps({"sweeps": self.jobs.all()}))

    @web.authenticated
    @authorized
    def post(self) -> None:
        limit = self.settings["saeprobe_max_request_bytes"]
        if len(self.request.body) > limit:
            raise web.HTTPError(413, f"the request body has {len(self.request.body)} bytes; the limit is {limit}")
        try:
            body = json.loads(self.request.body or b"null")
            params = self.jobs.validate(body)
        except (ValueError, json.JSONDecodeError) as exc:
            raise web.HTTPError(400, str(exc)) from None
        except PermissionError as exc:
            raise web.HTTPError(403, str(exc)) from None
        try:
            job_id = self.jobs.submit(params, owner=self.owner)
        except QueueFull as exc:
            raise web.HTTPError(429, str(exc)) from None
        self.set_status(202)
        self.set_header("Location", f"{self.base_url}saeprobe/api/sweeps/{job_id}")
        self.finish(json.dumps(self.jobs.status(job_id)))


class JobHandler(SaeprobeHandler):
    @web.authenticated
    @authorized
    def get(self, job_id: str) -> None:
        self.job_folder(job_id)
        self.finish(json.dumps(self.jobs.status(job_id)))

    @web.authenticated
    @authorized
    def delete(self, job_id: str) -> None:
        self.job_folder(job_id)
        self.finish(json.dumps(self.jobs.cancel(job_id)))


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
        return "; ".join([
            super().content_security_policy,
            "script-src 'unsafe-inline'", "style-src 'unsafe-inline'", "img-src data:", "sandbox allow-scripts",
        ])

    @web.authenticated
    @authorized
    def get(self, job_id: str) -> None:
        self.finish(self.job_output(job_id, "report.html"), set_content_type="text/html; charset=utf-8")
