"""Declared options: each setting is written once, as a dataclass field carrying its kind, its
check and its help text. The Python keywords, the command-line flags, the validation of JSON
requests and the cache keys are all derived from that one declaration.

An options class is a frozen dataclass deriving from :class:`Options` whose fields are made with
:func:`option`. Values are checked (and normalised: lists become tuples, numbers their type) in
``__post_init__``, so an instance is always valid.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from ..errors import SaeprobeError, SettingsError
from ._constraints import Constraint, OneOf

KINDS = ("str", "int", "float", "bool", "ints", "floats", "words", "layers", "choice")
# No setting needs more; bigger values are mistakes or attacks (a server echoes settings back).
MAX_TEXT = 10_000
MAX_ITEMS = 10_000
T = TypeVar("T", bound="Options")


def option(
    default: Any,
    help: str,
    *,
    kind: str,
    group: str,
    check: Constraint | None = None,
    optional: bool = False,
    flag: str | None = None,
) -> Any:
    """A dataclass field declaring one option.

    ``kind`` is one of :data:`KINDS`; ``group`` says which stage the option belongs to (cache keys
    are built from groups); ``check`` is the :class:`~saeprobe.config.Constraint` an already typed
    value must satisfy (a ``choice`` option's is :class:`~saeprobe.config.OneOf`); ``optional``
    allows ``None``; ``flag`` overrides the command-line name (default: the field name with dashes).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown option kind {kind!r}")
    choices = check.values if isinstance(check, OneOf) else ()
    if (kind == "choice") != bool(choices):
        raise ValueError("a choice option, and only one, takes check=OneOf(...)")
    metadata = {
        "help": help,
        "kind": kind,
        "group": group,
        "choices": choices,
        "optional": optional,
        "check": check,
        "flag": flag,
    }
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True)
class Options:
    """Base of the options classes: checking, dict round trips, replacement and CLI flags.
    ``error`` is the exception class a bad value raises (a :class:`SettingsError` subclass or the
    error family of the stage the options belong to)."""

    error: ClassVar[type[SaeprobeError]] = SettingsError

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # A misspelt keyword names the nearest option, as from_dict does, not a bare TypeError.
        check_names(cls.names(), kwargs, cls.__name__)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            try:
                object.__setattr__(self, field.name, _checked(field, getattr(self, field.name)))
            except SettingsError as exc:
                if self.error is SettingsError:
                    raise
                raise self.error(exc.template, option=exc.option) from None

    @classmethod
    def names(cls) -> list[str]:
        """The option names, in declaration order."""
        return [field.name for field in dataclasses.fields(cls)]

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-able values (tuples as lists)."""
        return {name: _plain(getattr(self, name)) for name in self.names()}

    @classmethod
    def from_dict(cls: type[T], payload: Mapping[str, Any]) -> T:
        """Options from a mapping such as :meth:`to_dict` gives; missing keys take their defaults.
        Raises :class:`SettingsError` for a key that is no option (naming the nearest one) or a
        value the option cannot take."""
        if not isinstance(payload, Mapping):
            raise SettingsError(
                f"{cls.__name__} needs a mapping of option names to values, got {type(payload).__name__}"
            )
        return cls(**dict(payload))  # the constructor refuses unknown names (see __new__)

    def replace(self: T, **changes: Any) -> T:
        """A copy with ``changes`` applied; unknown names are refused as in :meth:`from_dict`."""
        return dataclasses.replace(self, **changes)  # unknown names are refused by the constructor

    def parts(self, *groups: str) -> dict[str, Any]:
        """The options of ``groups`` as a JSON-able dict (for cache keys)."""
        return {
            field.name: _plain(getattr(self, field.name))
            for field in dataclasses.fields(self)
            if field.metadata["group"] in groups
        }

    @classmethod
    def describe(cls) -> str:
        """One line per option: name, default and help, for docstrings."""
        lines = []
        for field in dataclasses.fields(cls):
            lines.append(f"``{field.name}`` (default ``{field.default!r}``): {field.metadata['help']}")
        return "\n".join(lines)


def check_names(known: Sequence[str], given: Iterable[str], owner: str) -> None:
    """Raise :class:`SettingsError` for a name in ``given`` that is not in ``known`` (the options of
    ``owner``), naming the nearest known one."""
    for name in given:
        if name not in known:
            raise SettingsError(f"{owner} has no option {name!r}; {_nearest(name, known)}")


def _nearest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    if not close:
        close = [k for k in known if k.lower() == str(name).lower().replace("-", "_")]
    return f"did you mean {close[0]!r}?" if close else f"the options are {known}"


def flag_of(field: dataclasses.Field) -> str:
    """The command-line flag of an option field."""
    return "--" + (field.metadata["flag"] or field.name.replace("_", "-").lower())


def add_arguments(
    parser: argparse.ArgumentParser, cls: type[Options], only: Iterable[str] | None = None, skip: Iterable[str] = ()
) -> None:
    """Add one flag per option of ``cls`` (or of ``only``) to ``parser``; values stay text until
    :func:`from_arguments` reads them, so each is checked by the option itself."""
    wanted = set(only) if only is not None else None
    group = parser.add_argument_group(f"{cls.__name__} options")
    for field in dataclasses.fields(cls):
        if field.name in set(skip) or (wanted is not None and field.name not in wanted):
            continue
        meta = field.metadata
        default = _plain(field.default)
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        text = (
            meta["help"]
            if "default" in meta["help"]
            else f"{meta['help']} (default: {'none' if shown in (None, '', []) else shown})"
        )
        if meta["kind"] == "bool":
            group.add_argument(
                flag_of(field), dest=field.name, action=argparse.BooleanOptionalAction, default=None, help=text
            )
        else:
            metavar = "{" + ",".join(meta["choices"]) + "}" if meta["choices"] else field.name.upper()
            group.add_argument(flag_of(field), dest=field.name, default=None, metavar=metavar, help=text)


def from_arguments(cls: type[T], args: argparse.Namespace, **fixed: Any) -> T:
    """Build ``cls`` from parsed flags (those not given keep their defaults) and ``fixed`` values."""
    values = dict(fixed)
    for field in dataclasses.fields(cls):
        text = getattr(args, field.name, None)
        if text is not None and field.name not in fixed:
            values[field.name] = _from_text(field, text)
    return cls(**values)


def flags(*classes: type[Options]) -> dict[str, str]:
    """Option name → command-line flag, for rendering errors in the CLI's terms."""
    return {field.name: flag_of(field) for cls in classes for field in dataclasses.fields(cls)}


def _from_text(field: dataclasses.Field, text: Any) -> Any:
    if not isinstance(text, str):
        return text
    kind = field.metadata["kind"]
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind in ("ints", "floats"):
            parse = int if kind == "ints" else float
            return tuple(parse(part) for part in text.split(",") if part.strip())
        if kind == "words":
            words = tuple(part.strip() for part in text.split(",") if part.strip())
            return () if words == ("none",) else words
    except ValueError:
        what = {
            "int": "a whole number",
            "float": "a number",
            "ints": "whole numbers separated by commas, e.g. 1,2,5",
            "floats": "numbers separated by commas, e.g. 0.1,0.3",
        }[kind]
        raise SettingsError(f"{{option}} takes {what}; got {text!r}", option=field.name) from None
    if field.metadata["optional"] and text == "":
        return None
    return text


def _checked(field: dataclasses.Field, value: Any) -> Any:
    meta = field.metadata
    if value is None:
        if meta["optional"]:
            return None
        raise SettingsError(f"{{option}} needs a value; its default is {field.default!r}", option=field.name)
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise SettingsError(f"{{option}} is {len(value)} characters long; the limit is {MAX_TEXT}", option=field.name)
    if isinstance(value, (list, tuple)) and len(value) > MAX_ITEMS:
        raise SettingsError(f"{{option}} lists {len(value)} values; the limit is {MAX_ITEMS}", option=field.name)
    typed = _typed(meta["kind"], value, meta["choices"])
    if typed is _WRONG:
        raise SettingsError(f"{{option}} must be {_KIND_WORDS[meta['kind']]}; got {value!r}", option=field.name)
    if meta["kind"] == "choice" and typed not in meta["choices"]:
        raise SettingsError(f"{{option}} must be one of {list(meta['choices'])}; got {value!r}", option=field.name)
    problem = meta["check"].problem(typed) if meta["check"] else None
    if problem:
        raise SettingsError(f"{{option}}={_plain(typed)!r} {problem}", option=field.name)
    return typed


_WRONG = object()
_KIND_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a finite number",
    "bool": "true or false",
    "ints": "a list of whole numbers",
    "floats": "a list of finite numbers",
    "words": "a list of words",
    "layers": "'all', a layer spec such as '0-5' or '1,3', or a list of layer numbers",
    "choice": "text",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_float(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _typed(kind: str, value: Any, choices: tuple[str, ...]) -> Any:
    if kind in ("str", "choice"):
        return value if isinstance(value, str) else _WRONG
    if kind == "bool":
        return value if isinstance(value, bool) else _WRONG
    if kind == "int":
        return int(value) if _is_int(value) else _WRONG
    if kind == "float":
        return float(value) if _is_float(value) else _WRONG
    if kind == "layers":
        if isinstance(value, str):
            return value.strip()
        if _is_int(value):
            return (int(value),)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return _WRONG
    items = list(value)
    if kind == "words":
        return tuple(items) if all(isinstance(item, str) for item in items) else _WRONG
    accept = _is_float if kind == "floats" else _is_int
    if not all(accept(item) for item in items):
        return _WRONG
    return tuple(float(item) if kind == "floats" else int(item) for item in items)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def json_schema(cls: type[Options]) -> dict[str, Any]:
    """The JSON Schema of ``cls.to_dict()``: one property per option, its type, what its constraint
    allows (``minimum``, ``maximum``, ``enum``, ``pattern``, ...) and its help text. None is
    required: a file written before an option existed leaves it out, and a reader takes its
    default. The result schema's ``settings`` is this (a test keeps the file and the declarations
    equal)."""
    properties = {}
    for field in dataclasses.fields(cls):
        meta = field.metadata
        kind = meta["kind"]
        allowed = meta["check"].schema() if meta["check"] else {}
        if kind == "choice":
            spec: dict[str, Any] = {"enum": [*allowed["enum"], *([None] if meta["optional"] else [])]}
        elif kind == "layers":
            spec = {"type": ["string", "array"], "items": {"type": "integer"}, **allowed}
        elif kind in ("ints", "floats", "words"):
            items = {
                "type": {"ints": "integer", "floats": "number", "words": "string"}[kind],
                **allowed.pop("items", {}),
            }
            spec = {"type": "array", "items": items, **allowed}
        else:
            base = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}[kind]
            spec = {"type": [base, "null"] if meta["optional"] else base, **allowed}
        properties[field.name] = {**spec, "description": meta["help"]}
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "additionalProperties": False,
        "properties": properties,
    }
