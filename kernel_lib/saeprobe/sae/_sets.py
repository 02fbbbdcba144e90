"""Named SAE sets: one sweep compares several SAE families, each under a name of its own.

``saes={"task": DIR, "general": DIR2}`` sweeps two sets; a bare specification (``saes=DIR``) is
the set named ``sae``. Each set's representations carry its name after a colon (``sae:task``,
``sae_topk_5:task``, ``pca_matched:task``, ``sae_reconstruction:task``, ``sae_error:task``; see
:func:`saeprobe.records.representation_name`); the set named ``sae`` keeps the plain names
(``sae``, ``sae_topk_5``, ...), so results and scripts written for one SAE set read the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import SAEError
from ..records import DEFAULT_SET

SET_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")


def named_sets(saes: Any) -> dict[str, Any]:
    """The SAE specifications by set name: ``{}`` for ``None``, ``{"sae": saes}`` for one
    specification (a release, a directory, SAE objects, a mapping ``{layer: SAE}``), and a
    mapping ``{name: specification}`` checked name by name. Raises :class:`SAEError` for a bad
    name or an empty mapping."""
    if saes is None:
        return {}
    if not isinstance(saes, Mapping) or not _names_sets(saes):
        return {DEFAULT_SET: saes}
    if not saes:
        raise SAEError("saes={} names no SAE set; give {name: SAE specification}, one specification, or None")
    for name in saes:
        check_set_name(name)
    return dict(saes)


def check_set_name(name: str) -> str:
    """``name`` when it can name an SAE set (a letter, then up to 39 letters, digits, ``_ . -``);
    else :class:`SAEError` naming the rule."""
    if not isinstance(name, str) or not SET_NAME.match(name):
        raise SAEError(
            f"SAE set name {name!r} is not usable: start with a letter, then up to 39 letters, digits, "
            "'_', '.' or '-' (it becomes part of representation names such as 'sae:NAME')"
        )
    return name


def parse_set_option(value: str) -> tuple[str, str]:
    """Split a command-line ``--saes`` value into ``(name, specification)``: ``NAME=SPEC`` names
    the set, a bare ``SPEC`` is the set ``sae``."""
    name, sep, spec = value.partition("=")
    if sep and SET_NAME.match(name) and spec:
        return name, spec
    if sep and not spec and SET_NAME.match(name):
        raise SAEError(f"--saes {value!r} names the set {name!r} but gives no SAEs after '='; write {name}=DIR")
    return DEFAULT_SET, value


def sets_from_options(values: list[str] | None) -> dict[str, str] | str | None:
    """The ``saes`` argument for a repeated ``--saes`` option (``None`` without one, one
    specification for the unnamed set, else ``{name: specification}``); raises :class:`SAEError`
    when a name repeats."""
    if not values:
        return None
    found: dict[str, str] = {}
    for value in values:
        name, spec = parse_set_option(value)
        if name in found:
            raise SAEError(
                f"--saes names the set {name!r} twice ({found[name]!r} and {spec!r}); give each set "
                "a name of its own: --saes NAME=SPEC"
            )
        found[name] = spec
    return found if list(found) != [DEFAULT_SET] else found[DEFAULT_SET]


def _names_sets(saes: Mapping) -> bool:
    # A mapping of layers ({3: sae} or {"3": path}) is one set; string keys that are no layer
    # numbers name sets.
    return all(isinstance(key, str) and not key.strip().lstrip("-").isdigit() for key in saes)
