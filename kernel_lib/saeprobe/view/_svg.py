"""The accuracy-by-layer chart as a standalone SVG file, for slides and papers: one curve per
representation (test solid, train dashed), axis titles, the chance line and a legend, with every
style inline so the file renders anywhere. The widget's export button draws the same chart in the
browser; this one needs neither a browser nor a kernel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from ..records import DEFAULT_SET, SET_KINDS, probe_of, split_representation

# The widget's palette and colour rule (widgets/src/charts.ts, view.ts colorSlots), so a chart
# exported here looks like the one exported from the widget.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#7b4173",
    "#e7969c",
    "#6b6ecf",
    "#8c6d31",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#bd9e39",
    "#a55194",
)
WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 180, 36, 44
FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"


def accuracy_svg(
    result: dict[str, Any], representations: Sequence[str], splits: Sequence[str] = ("test", "train")
) -> str:
    """The SVG text of ``result`` (a result's JSON form) for ``representations``, one curve per
    representation and split (``test`` solid, ``train`` dashed)."""
    entries = sorted(result["layers"], key=lambda e: e["layer"])
    layers = [entry["layer"] for entry in entries]
    colors = _colors(result)
    curves = []
    for name in representations:
        for split in splits:
            points = [
                (entry["layer"], entry["scores"][name][f"{split}_accuracy"])
                for entry in entries
                if name in entry["scores"] and entry["scores"][name][f"{split}_accuracy"] is not None
            ]
            curves.append((name, split, colors[name], points))
    chance = 1 / len(result["classes"])
    values = [value for *_, points in curves for _, value in points] + [chance]
    low = max(0.0, (int((min(values) - 0.02) * 20)) / 20)
    x = _layer_scale(layers)

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / (1 - low or 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'style="{FONT};font-size:11px;background:#fff">',
        f'<text x="{LEFT}" y="20" style="font-size:13px;font-weight:600">{escape(_title(result))}</text>',
    ]
    for tenth in range(int(low * 10 + 0.999), 11):
        v = tenth / 10
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#555">{v:.1f}</text>'
        )
    for layer in layers:
        parts.append(
            f'<text x="{x(layer):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#555">{layer}</text>'
        )
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    parts.append(
        f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">layer</text>'
        f'<text x="14" y="{middle:.1f}" text-anchor="middle" transform="rotate(-90 14 {middle:.1f})">'
        "accuracy</text>"
    )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(chance):.1f}" y2="{y(chance):.1f}" stroke="#888" '
        f'stroke-dasharray="2 3"/><text x="{WIDTH - RIGHT - 2}" y="{y(chance) - 3:.1f}" text-anchor="end" '
        f'fill="#555">chance {chance:.3f}</text>'
    )
    for _name, split, color, points in curves:
        dash = ' stroke-dasharray="5 4"' if split == "train" else ""
        path = "".join(f"{'L' if i else 'M'}{x(layer):.1f},{y(value):.1f}" for i, (layer, value) in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        fill = "#fff" if split == "train" else color
        parts += [
            f'<circle cx="{x(layer):.1f}" cy="{y(value):.1f}" r="3" fill="{fill}" stroke="{color}"/>'
            for layer, value in points
        ]
    parts += _legend(representations, splits, colors)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _layer_scale(layers: list[int]) -> Callable[[int], float]:
    span = WIDTH - LEFT - RIGHT
    step = span / (len(layers) - 1) if len(layers) > 1 else 0
    return lambda layer: LEFT + (layers.index(layer) * step if len(layers) > 1 else span / 2)


def _title(result: dict[str, Any]) -> str:
    model = "/".join(str(result["model"]["name"]).split("/")[-2:])
    sets = sorted({name for entry in result["layers"] for name in entry.get("saes", {})})
    named = f" · SAE sets {', '.join(sets)}" if sets and sets != [DEFAULT_SET] else ""
    return f"{model} · {result['dataset']['name']}{named}"


def _colors(result: dict[str, Any]) -> dict[str, str]:
    """Each representation's colour as the widget gives it: order the representations as the
    widget lists them (raw; each set's sae, pca_matched, reconstruction, error; the sets' top-k;
    the raw top-k), then hand out the palette to raw and the sets' codes first, the rest after."""
    sets = list(dict.fromkeys(name for entry in result["layers"] for name in entry.get("saes", {})))
    names = {name for entry in result["layers"] for name in entry["scores"]}

    def rank(name: str) -> tuple:
        kind, set_name = split_representation(name)
        place = sets.index(set_name) if set_name in sets else len(sets)
        if set_name is None and kind == "raw":
            return (0, 0, "", 0)
        if set_name is not None and kind in SET_KINDS:
            return (1, place, set_name, SET_KINDS.index(kind))
        if kind.startswith(("sae_topk_", "raw_topk_")):
            return (2 if kind.startswith("sae") else 3, place, set_name or "", int(kind.rsplit("_", 1)[1]))
        return (4, 0, "", 0)

    def place_of(name: str) -> tuple:
        base, probe = probe_of(name)  # another probe's reading follows the representation it read
        return (rank(base), probe or "", name)

    ordered = sorted(names, key=place_of)
    first = [name for name in ordered if name == "raw" or split_representation(name)[0] == "sae"]
    slots = first + [name for name in ordered if name not in first]
    return {name: PALETTE[slot % len(PALETTE)] for slot, name in enumerate(slots)}


def _legend(representations: Sequence[str], splits: Sequence[str], colors: dict[str, str]) -> list[str]:
    left = WIDTH - RIGHT + 14
    rows = [f'<text x="{left}" y="{TOP}" style="font-weight:600">representation</text>']
    for index, name in enumerate(representations):
        top = TOP + 16 * (index + 1)
        rows.append(
            f'<line x1="{left}" x2="{left + 18}" y1="{top - 4}" y2="{top - 4}" stroke="{colors[name]}" '
            f'stroke-width="2"/><text x="{left + 24}" y="{top}">{escape(name)}</text>'
        )
    if len(splits) > 1:
        top = TOP + 16 * (len(representations) + 2)
        rows.append(f'<text x="{left}" y="{top}" fill="#555">solid: test · dashed: train</text>')
    return rows
