"""The one redactor: what a role may see of young people, and free text with left-out young people removed.

Every output goes through here (reports in every format, `explain`, the CLI and TUI views, exports, audit-log
views, policy and decision reasons, identity reviews), so there is one rule for what "not named" means.

A young person left out of the map is never named to anyone but themselves (subject access): wherever they
would appear they are "another young person", in labels and inside free text. Their internal record ids are
replaced in free text too, and are listed (ids, never names) only for the auditor role.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .access import Actor, Role
from .map_model import MapResult
from .models import YoungPerson
from .snapshot import Snapshot
from .vocab import ObjectKind

ANOTHER = "another young person"

_WORD = re.compile(r"\w+")


def may_see_left_out_ids(actor: Actor) -> bool:
    """Only the auditor role sees left-out young people's internal ids (never their names)."""
    return actor.role is Role.AUDITOR


class NodeLabel(NamedTuple):
    kind: str  # person | location | incident
    label: str


def node_label(snapshot: Snapshot, node_id: str) -> NodeLabel:
    """The one way a node is labelled: people by name, places by name, incidents by kind and date.

    This says nothing about whether a person may be named: callers that show people go through `Redactor`.
    """
    if node_id in snapshot.locations:
        return NodeLabel(ObjectKind.LOCATION.value, snapshot.locations[node_id].name)
    if node_id in snapshot.incidents:
        inc = snapshot.incidents[node_id]
        return NodeLabel(ObjectKind.INCIDENT.value, f"{inc.kind.replace('_', ' ')} on {inc.date.isoformat()}")
    can = snapshot.canonical.get(node_id, node_id)
    if can in snapshot.people:
        return NodeLabel(ObjectKind.PERSON.value, snapshot.people[can].name)
    return NodeLabel(ObjectKind.PERSON.value, node_id)


class NameMatcher:
    """Finds whole names in text in one pass (keyed on first words), so thousands of names stay fast."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_word: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
            first = _WORD.search(name)
            if first is not None:
                self._by_word[first.group(0).lower()].append((first.start(), name.lower()))

    def __bool__(self) -> bool:
        return bool(self._by_word)

    def sub(self, text: str, replacement: str) -> str:
        if not any(w in self._by_word for w in _WORD.findall(text.lower())):
            return text
        out: list[str] = []
        pos = 0
        for m in _WORD.finditer(text):
            for offset, name in self._by_word.get(m.group(0).lower(), ()):
                start = m.start() - offset
                end = start + len(name)
                if start < pos or text[start:end].lower() != name:
                    continue
                if (start > 0 and _is_word(text[start - 1]) and _is_word(name[0])) or (
                    end < len(text) and _is_word(text[end]) and _is_word(name[-1])
                ):
                    continue
                out.append(text[pos:start])
                out.append(replacement)
                pos = end
                break
        out.append(text[pos:])
        return "".join(out)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Redactor:
    """Node labels, and free text with left-out young people's names replaced by "another young person".

    `records` adds every agency record of a young person (a left-out person's other records carry names and
    ids too); `keep` names and ids are never replaced (the subject of a subject-access report).
    """

    def __init__(self, result: MapResult, records: Iterable[YoungPerson] = (), keep: Iterable[str] = ()) -> None:
        self.result = result
        self._keep = {k.strip().lower() for k in keep}
        snap = result.snapshot
        self.shown = {s.person_id for s in result.shown_people()}
        left_out = [pid for pid, st in result.statuses.items() if st.status == "left_out"]
        self._hidden_names = {snap.people[pid].name for pid in left_out if pid in snap.people}
        self._hidden_names |= {rec for pid in left_out for rec in snap.records_of.get(pid, [pid])}
        self._matcher = NameMatcher(())
        self._compile()
        self.add_records(records)

    def _compile(self) -> None:
        self._matcher = NameMatcher(n for n in self._hidden_names if n.strip().lower() not in self._keep)

    def add_records(self, records: Iterable[YoungPerson]) -> None:
        """Every agency record of a left-out young person is redacted too (not only the representative)."""
        before = len(self._hidden_names)
        for rec in records:
            can = self.result.snapshot.canonical.get(rec.person_id, rec.person_id)
            if can not in self.shown:
                self._hidden_names |= {rec.name, rec.person_id}
        if len(self._hidden_names) != before:
            self._compile()

    def text(self, value: str | None) -> str | None:
        """Record text with every left-out young person's name replaced."""
        if value is None or not self._matcher:
            return value
        return self._matcher.sub(value, ANOTHER)

    def person(self, pid: str) -> str:
        """A shown person's name, or "another young person"."""
        can = self.result.snapshot.canonical.get(pid, pid)
        if can in self.shown:
            return self.result.snapshot.person_name(can)
        return ANOTHER

    def node(self, node_id: str) -> NodeLabel:
        """(kind, label) for any node id: people via `person`, places by name, incidents by kind and date."""
        found = node_label(self.result.snapshot, node_id)
        if found.kind == ObjectKind.PERSON.value:
            return NodeLabel(found.kind, self.person(node_id))
        return found

    def shown_id(self, pid: str) -> str | None:
        """The canonical id when the person is shown, else None (left-out ids never travel with links)."""
        can = self.result.snapshot.canonical.get(pid, pid)
        return can if can in self.shown else None
