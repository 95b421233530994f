"""Drawing a table graph as Mermaid text or as SVG (API-5), for `dj.Diagram` and for the diagrams of
publishing bundles.

The input is neutral: boxes (one per table, or per collapsed group of tables) with a tier and a group (the
schema), and arrows from parent to child. Tiers have their colours (API-5: Manual green, Lookup gray, Imported
blue, Computed orange-red); parts are white, collapsed groups a neutral gray. The SVG layout is layered: each
table sits one layer after its furthest parent, along the direction `LR` (left to right) or `TB`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# tier → (fill, stroke, text)
TIER_COLOURS = {
    "manual": ("#E4F1E6", "#2F7D46", "#1E4F2D"),
    "lookup": ("#EEEEEF", "#7B7C80", "#4A4B4F"),
    "imported": ("#E2F1FA", "#1B7FC2", "#0D4468"),
    "computed": ("#FCE8DF", "#E04A1B", "#8A2A0C"),
    "part": ("#FFFFFF", "#A9ADB2", "#4F5358"),
    "collapsed": ("#ECEDF0", "#7E8590", "#3C3F44"),
    "unknown": ("#FFFCE6", "#BFB25A", "#5E5720"),
}
ROUND = {"imported", "computed"}  # drawn as stadiums; the others as boxes
DIRECTIONS = ("LR", "TB")


@dataclass(frozen=True)
class Box:
    id: str
    label: str
    tier: str  # a key of TIER_COLOURS; any other tier is drawn as "unknown"
    group: str = ""

    def __post_init__(self):
        if self.tier not in TIER_COLOURS:
            object.__setattr__(self, "tier", "unknown")


@dataclass(frozen=True)
class Arrow:
    parent: str
    child: str
    renamed: bool = False  # a foreign key whose attribute names differ from the parent's


def _check(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(f"diagram direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return direction


def mermaid(boxes: Sequence[Box], arrows: Sequence[Arrow], direction: str = "LR") -> str:
    """A Mermaid flowchart: one subgraph per group, one class per tier, arrows from parent to child."""
    lines = [f"flowchart {_check(direction)}"]
    ids = {box.id: f"t{index}" for index, box in enumerate(boxes)}  # Mermaid ids; labels carry the names
    used = sorted({box.tier for box in boxes})
    for tier in used:
        fill, stroke, text = TIER_COLOURS[tier]
        lines.append(f"    classDef {tier} fill:{fill},stroke:{stroke},color:{text}")
    groups: dict[str, list[Box]] = {}
    for box in boxes:
        groups.setdefault(box.group, []).append(box)
    for number, (group, members) in enumerate(groups.items()):
        indent = "    "
        if group:
            lines.append(f'    subgraph g{number}["{group}"]')
            indent = "        "
        for box in members:
            left, right = ("([", "])") if box.tier in ROUND else ("[[", "]]") if box.tier == "collapsed" else ("[", "]")
            label = box.label.replace('"', "#quot;")
            lines.append(f'{indent}{ids[box.id]}{left}"{label}"{right}:::{box.tier}')
        if group:
            lines.append("    end")
    for arrow in arrows:
        lines.append(f"    {ids[arrow.parent]} {'-.->' if arrow.renamed else '-->'} {ids[arrow.child]}")
    return "\n".join(lines) + "\n"


_HEIGHT, _GAP, _LAYER_GAP, _MARGIN, _CHAR = 32, 18, 56, 16, 7.2


def _layers(boxes: Sequence[Box], arrows: Sequence[Arrow]) -> list[list[Box]]:
    """Boxes by layer (one after the furthest parent), ordered by their parents' average position."""
    ids = {box.id for box in boxes}
    parents: dict[str, list[str]] = {box.id: [] for box in boxes}
    for arrow in arrows:
        if arrow.parent in ids and arrow.child in ids and arrow.parent != arrow.child:
            parents[arrow.child].append(arrow.parent)
    depth: dict[str, int] = {}

    def layer_of(node: str, seen: frozenset = frozenset()) -> int:
        if node not in depth:
            above = [layer_of(p, seen | {node}) for p in parents[node] if p not in seen]
            depth[node] = 1 + max(above) if above else 0
        return depth[node]

    layers: list[list[Box]] = [[] for _ in range(1 + max((layer_of(b.id) for b in boxes), default=-1))]
    for box in boxes:
        layers[depth[box.id]].append(box)
    position: dict[str, float] = {}
    for layer in layers:
        layer.sort(key=lambda b: sum(position[p] for p in parents[b.id]) / len(parents[b.id]) if parents[b.id] else -1)
        position.update({box.id: index for index, box in enumerate(layer)})
    return layers


def svg(boxes: Sequence[Box], arrows: Sequence[Arrow], direction: str = "LR") -> str:
    """A standalone SVG drawing of the graph, in tier colours."""
    across = _check(direction) == "LR"
    width = {box.id: max(64.0, _CHAR * len(box.label) + 24) for box in boxes}
    place: dict[str, tuple[float, float]] = {}  # top-left corner of each box
    along = float(_MARGIN)
    for layer in _layers(boxes, arrows):
        side = float(_MARGIN)
        for box in layer:
            place[box.id] = (along, side) if across else (side, along)
            side += (_HEIGHT if across else width[box.id]) + _GAP
        along += (max(width[b.id] for b in layer) if across else _HEIGHT) + _LAYER_GAP
    right = max((x + width[i] for i, (x, _) in place.items()), default=0) + _MARGIN
    bottom = max((y + _HEIGHT for _, y in place.values()), default=0) + _MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{right:.0f}" height="{bottom:.0f}" '
        f'viewBox="0 0 {right:.0f} {bottom:.0f}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3A3F4A"/></marker></defs>',
    ]
    for arrow in arrows:
        if arrow.parent in place and arrow.child in place:
            (px, py), (cx, cy) = place[arrow.parent], place[arrow.child]
            if across:
                start, end = (px + width[arrow.parent], py + _HEIGHT / 2), (cx, cy + _HEIGHT / 2)
            else:
                start, end = (px + width[arrow.parent] / 2, py + _HEIGHT), (cx + width[arrow.child] / 2, cy)
            middle = ((start[0] + end[0]) / 2, start[1]) if across else (start[0], (start[1] + end[1]) / 2)
            turn = (middle[0], end[1]) if across else (end[0], middle[1])
            dash = ' stroke-dasharray="5,3"' if arrow.renamed else ""
            out.append(
                f'<path class="fk" d="M{start[0]:.1f},{start[1]:.1f} C{middle[0]:.1f},{middle[1]:.1f} '
                f'{turn[0]:.1f},{turn[1]:.1f} {end[0]:.1f},{end[1]:.1f}" fill="none" stroke="#3A3F4A"{dash} '
                'marker-end="url(#arrow)"/>'
            )
    for number, box in enumerate(boxes):
        x, y = place[box.id]
        fill, stroke, text = TIER_COLOURS[box.tier]
        radius = _HEIGHT / 2 if box.tier in ROUND else 5
        out += [
            f'<g class="table {box.tier}" id="t{number}">'
            f"<title>{escape(box.group + '.' if box.group else '')}{escape(box.label)}</title>",
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width[box.id]:.1f}" height="{_HEIGHT}" rx="{radius:.0f}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
            f'<text x="{x + width[box.id] / 2:.1f}" y="{y + _HEIGHT / 2 + 4:.1f}" text-anchor="middle" '
            f'fill="{text}">{escape(box.label)}</text></g>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"
