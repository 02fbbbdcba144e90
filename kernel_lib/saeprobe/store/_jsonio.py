"""JSON helpers shared by the result and the caches: plain values from dataclasses and numpy,
typed records back from JSON, and files written atomically, optionally with a checksum that is
verified on every read (a damaged file reads as missing, never as wrong values)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON values: dataclasses as dicts, tuples as lists, numpy scalars and arrays
    as Python numbers and lists, and NaN or infinity as ``None`` (JSON has no NaN; undefined metrics,
    e.g. an AUC on a one-class test split, become null)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return to_jsonable(value.tolist())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def from_jsonable(kind: Any, value: Any) -> Any:
    """Rebuild a value of type ``kind`` (a dataclass, ``dict[str, X]``, ``list[X]``, ``X | None``,
    a number) from its :func:`to_jsonable` form; ``None`` in a float slot becomes NaN. Raises
    ``ValueError`` when the value does not have the shape ``kind`` asks for."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if value is None:
            return None
        return from_jsonable(options[0], value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValueError(f"expected an object for {kind.__name__}, got {type(value).__name__}")
        hints = typing.get_type_hints(kind)
        names = {field.name for field in dataclasses.fields(kind) if field.init}
        return kind(**{name: from_jsonable(hints[name], item) for name, item in value.items() if name in names})
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        _, item_kind = typing.get_args(kind)
        return {key: from_jsonable(item_kind, item) for key, item in value.items()}
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {type(value).__name__}")
        (item_kind, *_) = typing.get_args(kind) or (Any,)
        return [from_jsonable(item_kind, item) for item in value]
    if kind is float:
        if value is None:
            return float("nan")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def dumps(value: Any, indent: int | None = None) -> str:
    """Strict JSON text of ``value`` (through :func:`to_jsonable`; never NaN or Infinity)."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False)


def atomic_write(path: Path, write: Callable[[BinaryIO], Any]) -> None:
    """Write a file through ``write(stream)`` next to ``path`` and rename it into place: a killed
    process leaves either the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as strict JSON to ``path`` atomically."""
    text = json.dumps(to_jsonable(payload), indent=2, sort_keys=True, allow_nan=False)
    atomic_write(Path(path), lambda stream: stream.write(text.encode()))


def read_json(path: Path) -> Any | None:
    """The JSON value stored at ``path``, or ``None`` when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


CHECKSUM_MAGIC = b"\nsaeprobe-sha256:"


def write_checked(path: Path, data: bytes, identity: str = "") -> None:
    """Write ``data`` atomically, followed by the SHA-256 of ``identity`` and ``data``, so
    :func:`read_checked` can tell a damaged file (truncated, a flipped bit, garbage), or one that
    belongs elsewhere (another ``identity``: another layer, chunk or cache entry), from a good one."""
    digest = _checksum(data, identity).encode()
    atomic_write(Path(path), lambda stream: stream.write(data + CHECKSUM_MAGIC + digest))


def read_checked(path: Path, identity: str = "") -> bytes | None:
    """The data :func:`write_checked` stored at ``path`` with this ``identity`` (or, written by
    saeprobe 0.4.0 or earlier, with none), or ``None`` when the file is missing, its checksum does
    not match, or it was written as something else."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    data, magic, digest = raw.rpartition(CHECKSUM_MAGIC)
    if not magic:
        return None
    # Files written before identities were bound (saeprobe 0.4.0 and earlier) carry the checksum of
    # their content alone; they are read as they are, so their caches stay valid.
    if digest == _checksum(data, identity).encode() or (identity and digest == _checksum(data, "").encode()):
        return data
    return None


def _checksum(data: bytes, identity: str) -> str:
    found = hashlib.sha256()
    if identity:
        found.update(b"identity:" + identity.encode() + b"\n")
    found.update(data)
    return found.hexdigest()


def write_json_checked(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON inside an envelope holding its checksum (readable by people)."""
    body = json.dumps(to_jsonable(payload), sort_keys=True, allow_nan=False)
    envelope = {"sha256": hashlib.sha256(body.encode()).hexdigest(), "payload": json.loads(body)}
    atomic_write(Path(path), lambda stream: stream.write(json.dumps(envelope, indent=1, sort_keys=True).encode()))


def read_json_checked(path: Path) -> Any | None:
    """The payload :func:`write_json_checked` stored, or ``None`` when the file is missing, is not
    such an envelope, or its checksum does not match."""
    envelope = read_json(path)
    if not isinstance(envelope, dict) or set(envelope) != {"sha256", "payload"}:
        return None
    body = json.dumps(envelope["payload"], sort_keys=True, allow_nan=False)
    return envelope["payload"] if hashlib.sha256(body.encode()).hexdigest() == envelope["sha256"] else None
