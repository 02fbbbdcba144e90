"""Paths as a user would type them, for headers and messages: never a long absolute path where a
shorter one names the same place."""

from __future__ import annotations

from pathlib import Path


def shown_path(path: Path) -> str:
    """The shortest of ``path`` relative to the working folder, from ``~`` and whole."""
    candidates = [str(path)]
    for base, prefix in ((Path.home(), "~/"), (Path.cwd(), "")):
        try:
            relative = path.relative_to(base)
        except ValueError:
            continue
        candidates.append(f"{prefix}{relative}" if str(relative) != "." else (prefix.rstrip("/") or "."))
    return min(reversed(candidates), key=len)
