"""The command palette (ctrl+p): jump to any screen, or find a shown young person, group or place."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from peermap.engine import visible

from .host import Host
from .messages import Navigate
from .router import SCREENS_IN_ORDER

MAX_HITS = 40
Entry = tuple[str, Callable[[], object], str]


def literal_highlight(matcher: Matcher, text: str) -> Content:
    """Like `matcher.highlight`, but the candidate is record text: shown literally, never parsed as markup."""
    text = visible(text)  # offsets are found in the escaped text, which is what is shown
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ScreensProvider(Provider):
    """Screens by name, and every young person, group and place drawn on the map by name or id."""

    @property
    def peermap(self) -> Host:
        return cast(Host, self.app)

    def _screens(self) -> list[Entry]:
        return [
            (f"Go to {label}", partial(self.peermap.action_go, mode), f"key {key}")
            for mode, key, label in SCREENS_IN_ORDER
        ]

    def _open(self, kind: str, node_id: str) -> None:
        self.app.post_message(Navigate(kind, node_id))

    def _records(self) -> list[Entry]:
        loaded = self.peermap.loaded
        if loaded is None:
            return []
        snap = loaded.result.snapshot
        out: list[Entry] = []
        for st in loaded.shown:
            out.append(
                (
                    f"Young person: {snap.people[st.person_id].name} ({st.person_id})",
                    partial(self._open, "person", st.person_id),
                    st.status,
                )
            )
        for group in loaded.result.groups:
            out.append(
                (
                    f"Group {group.id} ({len(group.members)} young people)",
                    partial(self._open, "group", group.id),
                    "peer group",
                )
            )
        for place in loaded.places.values():
            out.append(
                (
                    f"Place: {place.name} ({place.location_id})",
                    partial(self._open, "place", place.location_id),
                    "of concern" if place.of_concern else "place",
                )
            )
        return out

    async def discover(self) -> Hits:
        for text, callback, help_text in self._screens():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        scored = [
            (matcher.match(text), text, callback, help_text)
            for text, callback, help_text in [*self._screens(), *self._records()]
        ]
        scored = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])[:MAX_HITS]
        for score, text, callback, help_text in scored:
            yield Hit(score, literal_highlight(matcher, text), callback, text=text, help=help_text)
