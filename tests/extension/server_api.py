"""Calls of the extension's REST API through pytest-jupyter's ``jp_fetch``, shared by its tests."""

import asyncio
import json
import time

import pytest
from tornado.httpclient import HTTPClientError

from patience import patience


def fetch(jp_fetch, *parts, **kwargs):
    """A request to the saeprobe API, its time limit (pytest-jupyter's 20 s) stretched for the
    machine's load: a listing runs the saeprobe CLI in a subprocess, whose imports alone take seconds."""
    kwargs.setdefault("request_timeout", patience(60))
    return jp_fetch("saeprobe", "api", *parts, **kwargs)


async def fetch_json(jp_fetch, *parts, **kwargs):
    response = await fetch(jp_fetch, *parts, **kwargs)
    return response.code, json.loads(response.body)


async def expect_error(jp_fetch, code, *parts, **kwargs):
    with pytest.raises(HTTPClientError) as error:
        await fetch(jp_fetch, *parts, **kwargs)
    assert error.value.code == code
    return error.value.response.body.decode() if error.value.response else ""


async def wait_for(jp_fetch, job_id, states, timeout=240):
    deadline = time.monotonic() + patience(timeout)
    while True:
        _, status = await fetch_json(jp_fetch, "sweeps", job_id)
        if status["state"] in states or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.5)
