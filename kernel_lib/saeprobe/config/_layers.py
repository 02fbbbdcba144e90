"""Layer specifications and TransformerLens hook names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import LayerError

HOOK_PATTERN = re.compile(r"^blocks\.(\d+)\.(hook_[A-Za-z0-9_]+)$")


def hook_name(layer: int, hook: str) -> str:
    """Return the TransformerLens hook name, e.g. ``blocks.3.hook_resid_post``.

    ``hook`` may be given with or without the ``hook_`` prefix.
    """
    point = hook if hook.startswith("hook_") else f"hook_{hook}"
    return f"blocks.{layer}.{point}"


def split_hook_name(name: str) -> tuple[int, str]:
    """Split ``blocks.N.hook_X`` into ``(N, "hook_X")``; raise :class:`LayerError` otherwise."""
    match = HOOK_PATTERN.match(name)
    if match is None:
        raise LayerError(
            f"hook name {name!r} is not a per-layer TransformerLens hook; "
            "expected the form 'blocks.<layer>.hook_<point>', e.g. 'blocks.3.hook_resid_post'"
        )
    return int(match.group(1)), match.group(2)


def parse_layers(spec: str | int | Iterable[int] | None, n_layers: int) -> list[int]:
    """Turn a layer specification into a sorted list of distinct layer indices.

    Accepts ``"all"``, a range ``"0-5"`` (inclusive), an evenly spaced range ``"0-29:4"`` (every
    fourth layer from 0), a list ``"1,3,5"`` (ranges may be mixed in), a single int, or an
    iterable of ints; negative ints count from the end. Raises
    :class:`LayerError` naming the model's valid range when a layer does not exist.
    """
    if spec is None or _is_all(spec):
        return list(range(n_layers))
    raw = _listed_layers(spec)
    if not raw:
        raise LayerError(f"layer specification {spec!r} names no layer; use 'all' or e.g. '0-{n_layers - 1}'")
    resolved = []
    for layer in raw:
        index = layer + n_layers if layer < 0 else layer
        if not 0 <= index < n_layers:
            raise LayerError(
                f"layer {layer} is out of range: the model has {n_layers} layers "
                f"(0-{n_layers - 1}); pick layers in that range or use 'all'"
            )
        resolved.append(index)
    return sorted(set(resolved))


def check_layer_spec(spec: str | tuple[int, ...]) -> str | None:
    """What is wrong with the form of a layer specification, before the model's depth is known
    (the checks of :func:`parse_layers` that need no model), or ``None``."""
    if _is_all(spec):
        return None
    try:
        listed = _listed_layers(spec)
    except LayerError as exc:
        return f"cannot be read: {exc}"
    return None if listed else "names no layer; use 'all' or e.g. '0-5'"


def _is_all(spec: object) -> bool:
    return spec is None or (isinstance(spec, str) and spec.strip().lower() == "all")


def _listed_layers(spec: str | int | Iterable[int]) -> list[int]:
    """The layer numbers a specification lists, in its order (negative ones as written)."""
    if isinstance(spec, int):
        return [spec]
    if not isinstance(spec, str):
        return [int(x) for x in spec]
    listed: list[int] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if re.fullmatch(r"-?\d+", part):
            listed.append(int(part))
        elif match := re.fullmatch(r"(\d+)\s*-\s*(\d+)(?:\s*:\s*(\d+))?", part):
            start, stop, step = int(match[1]), int(match[2]), int(match[3] or 1)
            if start > stop:
                raise LayerError(f"layer range {part!r} runs backwards; write it as '{stop}-{start}'")
            if step < 1:
                raise LayerError(f"layer range {part!r} has step {step}; the step must be at least 1")
            listed.extend(range(start, stop + 1, step))
        else:
            raise LayerError(
                f"cannot read layer specification {spec!r}; use 'all', a range like '0-5', "
                "every third layer like '0-29:3' or a list like '1,3,5'"
            )
    return listed
