"""The map: peer groups and places drawn as arc diagrams, with a filterable list beside them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Input, LoadingIndicator, Static

from ..safe import count, join, plain
from ..widgets.arc import Arc, ArcNode, GroupBox, draw
from ..workspace import Loaded
from .base import PeermapScreen

GROUPS_PER_PAGE = 40
NARROW = 110
LEGEND = join(
    ("─── ", "bold"),
    "at or above the inclusion threshold   ",
    ("╌╌╌ ", "dim"),
    "grey band   ",
    ("● ", "bold"),
    "included   ",
    ("○ ", "dim"),
    ("greyed", "dim"),
    "   ",
    ("◆ ", "yellow"),
    "place",
)


def node_action(kind: str, node_id: str) -> str:
    """The click action for a node (the id as a Python literal, so no record text is ever parsed)."""
    return f"screen.open_node({kind!r}, {node_id!r})"


class MapScreen(PeermapScreen):
    """Groups as boxes (members and places, links by confidence band) and the list of everything shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("v", "cycle_view", "Graph/list"),
        Binding("plus", "more_groups", "More groups", key_display="+", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    AUTO_FOCUS = "#map-list"
    view: reactive[str] = reactive("both")

    def __init__(self) -> None:
        super().__init__()
        self._groups_shown = GROUPS_PER_PAGE
        self._box_of_group: dict[str, str] = {}
        self._auto_narrowed = False
        self._generation = 0
        self._drawn: object = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="map-body"):
            with VerticalScroll(id="canvas", can_focus=False):
                yield LoadingIndicator()
            with Vertical(id="list-pane"):
                yield Input(placeholder="Filter by name, id or group (/)", id="map-filter")
                yield DataTable(id="map-list", cursor_type="row", zebra_stripes=True)
        yield Static(LEGEND, id="legend")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#map-list", DataTable)
        table.add_column("Kind", key="kind", width=6)
        table.add_column("Name", key="name", width=20)
        table.add_column("Status", key="status", width=8)
        table.add_column("Group", key="group", width=5)
        table.add_column("Id", key="id", width=10)  # the longest agency ids (NPOL-58945) fit whole

    # -- drawing -------------------------------------------------------------------------------

    def show_loaded(self, loaded: Loaded) -> None:
        if loaded.result is self._drawn:
            return  # only the suggestions changed (after a decision): the map itself is the same
        self._drawn = loaded.result
        self._fill_list(loaded, self.query_one("#map-filter", Input).value)
        self._draw_canvas(loaded)
        typing = isinstance(self.focused, Input) and self.view != "graph"
        if not typing:  # the boxes were just replaced: put the focus somewhere visible
            self.call_after_refresh(self._focus_default)

    def _focus_default(self) -> None:
        """Keyboard-first: the list when it is showing, else the first group box."""
        if self.view != "graph":
            self.query_one("#map-list", DataTable).focus()
        else:
            boxes = self.query(GroupBox)
            if boxes:
                boxes.first().focus()

    def _draw_canvas(self, loaded: Loaded) -> None:
        canvas = self.query_one("#canvas", VerticalScroll)
        canvas.remove_children()
        self._box_of_group.clear()
        self._generation += 1  # new ids: the old boxes are removed asynchronously
        boxes: list[Static] = []
        groups = loaded.result.groups
        for i, group in enumerate(groups[: self._groups_shown]):
            box_id = f"box-{self._generation}-{i}"
            self._box_of_group[group.id] = box_id
            members = [*group.members, *group.locations]
            boxes.append(self._box(loaded, group.id, members, box_id))
        if len(groups) > self._groups_shown:
            boxes.append(
                Static(
                    plain(
                        f"{len(groups) - self._groups_shown} more groups: press + to draw them, "
                        "or find them in the list",
                        "italic",
                    ),
                    classes="more",
                )
            )
        in_group = set(loaded.group_of)
        loose = [s.person_id for s in loaded.shown if s.person_id not in in_group]
        loose += [p for p in self.workspace.places(loaded) if p not in in_group]
        if loose:
            boxes.append(self._box(loaded, None, loose, f"box-{self._generation}-loose"))
        if not boxes:
            boxes.append(Static(plain("Nobody is on the map under the policy in force."), classes="more"))
        canvas.mount_all(boxes)

    def _box(self, loaded: Loaded, group_id: str | None, members: list[str], box_id: str) -> GroupBox:
        snap = loaded.result.snapshot
        nodes: list[ArcNode] = []
        click: dict[str, str] = {}
        names = [snap.people[m].name for m in members if m in snap.people]
        for node_id in members:
            st = loaded.result.statuses.get(node_id)
            if st is not None:
                name = snap.people[node_id].name
                if names.count(name) > 1:  # two young people of one name must never read as one
                    name = f"{name} ({node_id})"
                nodes.append(ArcNode(node_id, name, "person", greyed=st.status == "greyed"))
                click[node_id] = node_action("person", node_id)
            else:
                loc = snap.locations[node_id]
                nodes.append(ArcNode(node_id, loc.name, "place", of_concern=bool(loc.of_concern)))
                click[node_id] = node_action("place", node_id)
        row = {n.id: r for r, n in enumerate(nodes)}
        pairs: dict[tuple[int, int], bool] = {}
        for link in loaded.result.shown_links:
            a, b = row.get(link.source), row.get(link.target)
            if a is None or b is None or a == b:
                continue
            key = (min(a, b), max(a, b))
            pairs[key] = pairs.get(key, False) or link.band == "solid"
        arcs = [Arc(a, b, solid) for (a, b), solid in sorted(pairs.items())]
        # Names get up to 30 columns (enough for a duplicate name and its id), the arcs the rest.
        width = min(30, max((len(n.label) for n in nodes), default=10) + 2)
        lines, omitted = draw(nodes, arcs, label_width=max(12, width), click=click)
        body = Text("\n").join(lines)
        if omitted:
            body.append(f"\n+{omitted} links not drawn: see the list", style="italic dim")
        people = sum(1 for n in nodes if n.kind == "person")
        places = len(nodes) - people
        if group_id is None:
            title = plain("Not in a peer group", "bold")
            subtitle = plain(f"{count(people, 'young person', 'young people')} · {count(places, 'place', 'places')}")
        else:
            title = join(
                ("Group ", "bold"),
                (group_id, "bold"),
                f" · {count(people, 'young person', 'young people')} · {count(places, 'place', 'places')}",
            )
            group = self.workspace.group(loaded, group_id)
            top = sorted((group.concerns if group else {}).items(), key=lambda kv: -kv[1])[:2]
            subtitle = plain(", ".join(k.replace("_", " ") for k, _ in top) or "no concerns recorded")
        return GroupBox(group_id, title, subtitle, body, id=box_id)

    def _fill_list(self, loaded: Loaded, needle: str) -> None:
        table = self.query_one("#map-list", DataTable)
        table.clear()
        needle = needle.strip().casefold()
        snap = loaded.result.snapshot
        rows: list[tuple[str, list[Text]]] = []
        for group in loaded.result.groups:
            label = f"Group {group.id} ({len(group.members)})"
            rows.append(
                (
                    f"group:{group.id}",
                    [plain("group"), plain(label, "bold"), plain(""), plain(group.id), plain("")],
                )
            )
        for st in loaded.shown:
            name = snap.people[st.person_id].name
            style = "dim" if st.status == "greyed" else ""
            rows.append(
                (
                    f"person:{st.person_id}",
                    [
                        plain("person"),
                        plain(name, style),
                        plain(st.status, style),
                        plain(loaded.group_of.get(st.person_id, "")),
                        plain(st.person_id, "dim"),
                    ],
                )
            )
        for place_id in self.workspace.places(loaded):
            loc = snap.locations[place_id]
            rows.append(
                (
                    f"place:{place_id}",
                    [
                        plain("place"),
                        plain(loc.name, "yellow"),
                        plain("of concern" if loc.of_concern else ""),
                        plain(loaded.group_of.get(place_id, "")),
                        plain(place_id, "dim"),
                    ],
                )
            )
        for key, cells in rows:
            if needle and not any(needle in c.plain.casefold() for c in cells) and needle not in key.casefold():
                continue
            table.add_row(*cells, key=key)

    # -- interaction ---------------------------------------------------------------------------

    @on(Input.Changed, "#map-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self.loaded is not None:
            self._fill_list(self.loaded, event.value)

    @on(Input.Submitted, "#map-filter")
    def _filter_done(self) -> None:
        self.query_one("#map-list", DataTable).focus()

    @on(DataTable.RowSelected, "#map-list")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        kind, _, node_id = str(event.row_key.value).partition(":")
        self.open_node(kind, node_id)

    @on(DataTable.RowHighlighted, "#map-list")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.loaded is None or event.row_key.value is None:
            return
        _kind, _, node_id = event.row_key.value.partition(":")
        group_id = node_id if _kind == "group" else self.loaded.group_of.get(node_id)
        box_id = self._box_of_group.get(group_id or "", f"box-{self._generation}-loose")
        boxes = self.query(f"#{box_id}")
        if boxes and self.view != "list":
            boxes.first().scroll_visible(animate=False)

    @on(GroupBox.Opened)
    def _box_opened(self, event: GroupBox.Opened) -> None:
        self.open_node("group", event.group_id)

    def action_open_node(self, kind: str, node_id: str) -> None:
        self.open_node(kind, node_id)

    def open_node(self, kind: str, node_id: str) -> None:
        if kind in ("person", "place", "group"):
            self.open_record(kind, node_id)

    def action_filter(self) -> None:
        if self.view == "graph":
            self.view = "list"
        self.query_one("#map-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#map-filter", Input).value = ""
        self.query_one("#map-list", DataTable).focus()

    def action_more_groups(self) -> None:
        self._groups_shown += GROUPS_PER_PAGE
        if self.loaded is not None:
            self._draw_canvas(self.loaded)
            self.notify(f"Drawing up to {self._groups_shown} groups.", markup=False, timeout=2)

    def action_cycle_view(self) -> None:
        narrow = self.size.width < NARROW
        order = ["graph", "list"] if narrow else ["both", "graph", "list"]
        current = self.view if self.view in order else order[0]
        self.view = order[(order.index(current) + 1) % len(order)]
        self._auto_narrowed = False

    def watch_view(self, view: str) -> None:
        self.set_class(view == "graph", "-graph-only")
        self.set_class(view == "list", "-list-only")
        if self.is_mounted:
            self.call_after_refresh(self._focus_default)

    def on_resize(self, event: Resize) -> None:
        if event.size.width < NARROW and self.view == "both":
            self.view = "graph"
            self._auto_narrowed = True
        elif event.size.width >= NARROW and self._auto_narrowed:
            self.view = "both"
            self._auto_narrowed = False
