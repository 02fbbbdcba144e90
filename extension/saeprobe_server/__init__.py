"""Jupyter server extension of saeprobe: plugin and SAE listings, background sweep jobs, reports."""

from .app import SaeprobeServer


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "saeprobe_server", "app": SaeprobeServer}]


__all__ = ["SaeprobeServer"]
