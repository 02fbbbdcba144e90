"""A package's public names, each loaded on first use.

Every package of saeprobe lists its public names in its ``__init__`` as relative imports under
``if TYPE_CHECKING:``: type checkers, editors and the API reference read them there. At run time
:func:`lazy_exports` reads the same block and imports a module only when one of its names is first
asked for. So importing a package costs nothing, and whether torch loads depends only on the
modules a caller really uses (the rule for each folder is in the README's layout table).
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def lazy_exports(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for the package ``package`` whose ``__init__``
    is ``init_file``: each public name, found in the ``if TYPE_CHECKING:`` block, is imported from
    its module when first used and then kept in the package's namespace."""
    where = _exported(Path(init_file).read_text(encoding="utf-8"))

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__, sorted(where)


def _exported(source: str) -> dict[str, str]:
    """Public name → relative module, from the imports under ``if TYPE_CHECKING:``."""
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.level == 1:
                for alias in statement.names:
                    found[alias.asname or alias.name] = "." + (statement.module or "")
    return found
