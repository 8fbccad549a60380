"""The one redactor: what a role may see of young people, and free text with left-out young people removed.

Every output goes through here (reports in every format, `explain`, the CLI and TUI views, exports, audit-log
views, policy and decision reasons, identity reviews), so there is one rule for what "not named" means.

A young person left out of the map is never named to anyone but themselves (subject access): wherever they
would appear they are "another young person", in labels and inside free text. Their internal record ids are
replaced in free text too, and are listed (ids, never names) only for the auditor role.
"""

from __future__ import annotations

from collections.abc import Iterable

from .access import Actor, Role
from .map_model import MapResult
from .models import YoungPerson
from .name_matching import ANOTHER, NameMatcher, VariantMatcher
from .node_labels import NodeLabel, node_label
from .vocab import ObjectKind


def may_see_left_out_ids(actor: Actor) -> bool:
    """Only the auditor role sees left-out young people's internal ids (never their names)."""
    return actor.role is Role.AUDITOR


def redact_json(value: object, red: Redactor) -> object:
    """Every string value inside JSON-shaped data through the redactor (keys are field names, left alone)."""
    if isinstance(value, str):
        return red.text(value)
    if isinstance(value, dict):
        return {k: redact_json(v, red) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v, red) for v in value]
    return value


class Redactor:
    """Node labels, and free text with left-out young people's names and ids replaced by "another young person".

    `records` adds every agency record of a young person (a left-out person's other records carry names and
    ids too); `keep` names and ids are never replaced (the subject of a subject-access report); with
    `redact_ids=False` internal ids stay (the auditor's views, where ids, never names, are allowed).
    """

    def __init__(
        self,
        result: MapResult,
        records: Iterable[YoungPerson] = (),
        keep: Iterable[str] = (),
        *,
        redact_ids: bool = True,
    ) -> None:
        self.result = result
        self._redact_ids = redact_ids
        self._keep = {k.strip().lower() for k in keep}
        snap = result.snapshot
        self.shown = {s.person_id for s in result.shown_people()}
        left_out = [pid for pid, st in result.statuses.items() if st.status == "left_out"]
        self._hidden_names = {snap.people[pid].name for pid in left_out if pid in snap.people}
        self._hidden_ids = {rec for pid in left_out for rec in snap.records_of.get(pid, [pid])}
        self._visible_names = {snap.people[pid].name for pid in self.shown if pid in snap.people}
        self._names = VariantMatcher((), ())
        self._ids = NameMatcher(())
        self._compile()
        self.add_records(records)

    def _compile(self) -> None:
        kept = {n for n in self._hidden_names if n.strip().lower() in self._keep}
        self._names = VariantMatcher(self._hidden_names - kept, self._visible_names | kept)
        self._ids = NameMatcher(i for i in self._hidden_ids if i.strip().lower() not in self._keep)

    def add_records(self, records: Iterable[YoungPerson]) -> None:
        """Every agency record of a left-out young person is redacted too (not only the representative)."""
        before = (len(self._hidden_names), len(self._hidden_ids), len(self._visible_names))
        for rec in records:
            can = self.result.snapshot.canonical.get(rec.person_id, rec.person_id)
            if can not in self.shown:
                self._hidden_names.add(rec.name)
                self._hidden_ids.add(rec.person_id)
            else:
                self._visible_names.add(rec.name)
        if (len(self._hidden_names), len(self._hidden_ids), len(self._visible_names)) != before:
            self._compile()

    def text(self, value: str | None) -> str | None:
        """Record text with every left-out young person's name (in any written form) and id replaced."""
        if value is None:
            return value
        if self._names:
            value = self._names.sub(value, ANOTHER)
        if self._ids and self._redact_ids:
            value = self._ids.sub(value, ANOTHER)
        return value

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
