"""A griffe extension for the API reference: docstrings name objects with Sphinx roles
(:func:`saeprobe.sweep`, :class:`~saeprobe.SweepSettings`); the reference shows them as code."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc):`(~?)([^`]+)`")


class SphinxRolesAsCode(griffe.Extension):
    """Write each ``:role:`target``` of a docstring as ```target``` (the last part for ``~``)."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_as_code, obj.docstring.value)


def _as_code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"``{target.rsplit('.', 1)[-1] if short else target}``"
