"""A peer group drawn as an arc diagram: members and places down the left, each link an arc to the right.

Line styles follow the map's confidence bands, as on an i2 chart: solid ─│ for links at or above the
inclusion threshold, dashed ╌╎ for links in the grey band. Greyed young people are drawn faded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from peermap.engine import visible

NodeKind = Literal["person", "place"]

N, E, S, W = 1, 2, 4, 8
SOLID = {
    E | W: "─",
    E: "─",
    W: "─",
    N | S: "│",
    N: "│",
    S: "│",
    S | W: "┐",
    N | W: "┘",
    S | E: "┌",
    N | E: "└",
    N | S | W: "┤",
    N | S | E: "├",
    E | S | W: "┬",
    N | E | W: "┴",
    N | E | S | W: "┼",
}
DASHED = {E | W: "╌", E: "╌", W: "╌", N | S: "╎", N: "╎", S: "╎", S | W: "╮", N | W: "╯"}
STYLE_SOLID = "bold"
STYLE_DASHED = "dim"


@dataclass(frozen=True)
class ArcNode:
    id: str
    label: str
    kind: NodeKind
    greyed: bool = False
    of_concern: bool = False


@dataclass(frozen=True)
class Arc:
    a: int  # row of one end (a < b)
    b: int
    solid: bool


def assign_columns(arcs: list[Arc]) -> list[int]:
    """Pack arcs into columns so that no two arcs in one column share a row; shorter arcs sit nearer."""
    order = sorted(range(len(arcs)), key=lambda i: (arcs[i].b - arcs[i].a, arcs[i].a, arcs[i].b))
    columns: list[list[tuple[int, int]]] = []
    placed = [0] * len(arcs)
    for i in order:
        arc = arcs[i]
        for c, spans in enumerate(columns):
            if all(arc.b < lo or arc.a > hi for lo, hi in spans):
                spans.append((arc.a, arc.b))
                placed[i] = c
                break
        else:
            columns.append([(arc.a, arc.b)])
            placed[i] = len(columns) - 1
    return placed


def marker(node: ArcNode) -> tuple[str, str]:
    if node.kind == "place":
        return ("◆ ", "bold yellow" if node.of_concern else "yellow")
    return ("○ ", "dim") if node.greyed else ("● ", "bold")


def draw(
    nodes: list[ArcNode],
    arcs: list[Arc],
    *,
    label_width: int = 22,
    max_columns: int = 14,
    click: dict[str, str] | None = None,
) -> tuple[list[Text], int]:
    """The diagram as lines of Text, and how many arcs did not fit (they stay in the list view)."""
    columns = assign_columns(arcs)
    keep = [(arc, col) for arc, col in zip(arcs, columns, strict=True) if col < max_columns]
    omitted = len(arcs) - len(keep)
    width = 2 * (max((c for _, c in keep), default=-1) + 1) + 1
    dirs = [[0] * width for _ in nodes]
    solid = [[False] * width for _ in nodes]

    def mark(row: int, x: int, bits: int, is_solid: bool) -> None:
        dirs[row][x] |= bits
        solid[row][x] = solid[row][x] or is_solid

    for arc, col in keep:
        x = 2 * col + 2
        for row, turn in ((arc.a, S), (arc.b, N)):
            for cx in range(x):
                mark(row, cx, E | W, arc.solid)
            mark(row, x, W | turn, arc.solid)
        for row in range(arc.a + 1, arc.b):
            mark(row, x, N | S, arc.solid)

    lines: list[Text] = []
    for r, node in enumerate(nodes):
        sym, sym_style = marker(node)
        label = visible(node.label)  # record text: an ESC in a name is shown, never obeyed
        name = label if len(label) <= label_width - 2 else label[: label_width - 3] + "…"
        name_style = Style.parse("dim" if node.greyed else "")
        if click and node.id in click:
            name_style += Style.from_meta({"@click": click[node.id]})
        line = Text()
        line.append(sym, style=sym_style)
        line.append(name, style=name_style)  # only the name is clickable, not the padding after it
        line.append(" " * (label_width - 2 - len(name)))
        for x in range(width):
            bits = dirs[r][x]
            if not bits:
                line.append(" ")
                continue
            if solid[r][x]:
                line.append(SOLID[bits], style=STYLE_SOLID)
            else:
                line.append(DASHED.get(bits, SOLID[bits]), style=STYLE_DASHED)
        line.rstrip()
        lines.append(line)
    return lines, omitted


class GroupBox(Static, can_focus=True):
    """One group (or the people and places outside any group) as a bordered, focusable arc diagram."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open group", show=False),
    ]

    class Opened(Message):
        """The user asked for this box's group detail."""

        def __init__(self, group_id: str) -> None:
            super().__init__()
            self.group_id = group_id

    def __init__(self, group_id: str | None, title: Text, subtitle: Text, body: Text, *, id: str | None = None) -> None:
        super().__init__(body, classes="group-box", id=id)
        self.group_id = group_id
        self.border_title = title
        self.border_subtitle = subtitle

    def action_open(self) -> None:
        if self.group_id is not None:
            self.post_message(self.Opened(self.group_id))

    def on_click(self, event: Click) -> None:
        # A click on a member's name runs that name's own action; a click anywhere else opens the group.
        if not event.style.meta.get("@click"):
            self.action_open()
