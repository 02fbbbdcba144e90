"""pytest-jupyter's server fixtures (jp_fetch, jp_serverapp, ...), for the extension's tests only:
its event-loop handling would clash with Playwright's in the browser tests."""

from pytest_jupyter.jupyter_server import *  # noqa: F403
