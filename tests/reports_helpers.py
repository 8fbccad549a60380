"""Build small MapResults by hand for report and labelling tests, independent of scoring and inclusion.

Rows are written to a real store (so the snapshot, notes and audit trail are real); the links, statuses
and groups are given directly, so each test says exactly what the map decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

import numpy as np

from peermap.engine import audit
from peermap.engine.access import Actor, Role
from peermap.engine.map_model import Group, MapResult, PersonStatus, Reason, ShownLink, Status
from peermap.engine.models import (
    Agency,
    Breach,
    Concern,
    Decision,
    Evidence,
    ImportBatch,
    Incident,
    Location,
    SharingAgreement,
    Strength,
    YoungPerson,
)
from peermap.engine.policy import PolicyRecord, load_default_policy
from peermap.engine.rules.links import LinkTable
from peermap.engine.rules.pack import RulePack, load_rule_pack
from peermap.engine.snapshot import load_snapshot
from peermap.engine.store import Store
from peermap.engine.vocab import RELATION_CODE

AS_AT = date(2026, 11, 1)


@dataclass
class LinkSpec:
    a: str
    b: str
    relation: str
    confidence: float
    uncertainty: float = 0.2
    n_agencies: int = 2
    n_origins: int = 2
    n_items: int = 2


@dataclass
class MapBuilder:
    as_at: date = AS_AT
    rows: list[Any] = field(default_factory=list)
    statuses: dict[str, PersonStatus] = field(default_factory=dict)
    links: list[LinkSpec] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    include: float = 0.7
    pack: RulePack | None = None
    _n: int = 0

    def agency(self, agency_id: str, kind: str = "police", name: str | None = None) -> MapBuilder:
        self.rows.append(Agency(agency_id=agency_id, name=name or agency_id.title(), kind=kind))
        return self

    def agreement(
        self,
        agreement_id: str,
        agencies: str,
        *,
        purpose: str = "safeguarding children",
        lawful_basis: str = "UK GDPR 6(1)(e); DPA 2018 Sch 1 para 18",
        dpia_ref: str | None = "DPIA-1",
        retention_days: int | None = None,
        valid_from: date = date(2020, 1, 1),
        dpo_consulted_on: date | None = None,
        special_category: bool = False,
    ) -> MapBuilder:
        self.rows.append(
            SharingAgreement(
                agreement_id=agreement_id,
                agencies=agencies,
                purpose=purpose,
                lawful_basis=lawful_basis,
                valid_from=valid_from,
                dpia_ref=dpia_ref,
                retention_days=retention_days,
                dpo_consulted_on=dpo_consulted_on,
                special_category=special_category,
            )
        )
        return self

    def person(
        self,
        pid: str,
        name: str,
        status: str = "included",
        *,
        confidence: float = 0.8,
        reasons: list[Reason] | None = None,
        roles: dict[str, list[str]] | None = None,
        **kw: Any,
    ) -> MapBuilder:
        self.rows.append(YoungPerson(person_id=pid, name=name, **kw))
        self.statuses[pid] = PersonStatus(
            pid,
            cast(Status, status),
            confidence,
            reasons or [Reason(status, f"{status} by test")],
            roles or {},
        )
        return self

    def location(self, lid: str, name: str, of_concern: bool = True, kind: str = "park") -> MapBuilder:
        self.rows.append(Location(location_id=lid, name=name, of_concern=of_concern, kind=kind))
        return self

    def incident(
        self,
        iid: str,
        on: date,
        kind: str = "serious_youth_violence",
        summary: str | None = None,
        location_id: str | None = None,
    ) -> MapBuilder:
        self.rows.append(Incident(incident_id=iid, date=on, kind=kind, summary=summary, location_id=location_id))
        return self

    def evidence(
        self,
        subject: str,
        obj: str,
        relation: str,
        *,
        agency: str = "police",
        grading: str = "B2",
        scheme: str = "admiralty",
        observed: date = date(2026, 9, 1),
        recorded: date | None = None,
        agreement: str = "ISA-1",
        note: str | None = None,
        refutes: bool = False,
        source_ref: str | None = None,
        object_kind: str | None = None,
        evidence_id: str | None = None,
        relayed_from: str | None = None,
        collection: str = "unspecified",
    ) -> MapBuilder:
        self._n += 1
        kind = object_kind or (
            "person"
            if relation in {"association", "co_offending", "sibling", "school_peer", "online_contact"}
            else "location"
            if relation == "present_at"
            else "incident"
        )
        self.rows.append(
            Evidence(
                evidence_id=evidence_id or f"E{self._n:04d}",
                subject_id=subject,
                object_id=obj,
                object_kind=kind,
                relation=relation,
                polarity="refutes" if refutes else "supports",
                agency=agency,
                grading_scheme=scheme,
                grading=grading,
                observed_on=observed,
                recorded_on=recorded or observed,
                agreement_id=agreement,
                source_ref=source_ref,
                recorder="r.smith",
                note=note,
                relayed_from=relayed_from,
                collection_method=collection,
            )
        )
        return self

    def breach(self, occurred_on: date, description: str, *, reported_to_ico: bool = False) -> MapBuilder:
        """A row of the breach register (recorded directly, as `peermap breach record` would)."""
        self.rows.append(
            Breach(
                occurred_on=occurred_on,
                discovered_on=occurred_on,
                description=description,
                reported_to_ico=reported_to_ico,
                actor="test",
                role="panel",
                recorded_at=datetime(2026, 10, 1, tzinfo=UTC),
            )
        )
        return self

    def rule_pack_using(self, method: str) -> MapBuilder:
        """Score with the shipped rule pack less its rule excluding items collected by `method`."""
        base = load_rule_pack()
        rules = [r for r in base.rules if not (r.when.collection_method and r.then.exclude)]
        self.pack = base.model_copy(update={"rules": rules, "version": f"{base.version}+{method}"})
        return self

    def concern(
        self,
        pid: str,
        kind: str,
        note: str | None = None,
        agency: str = "police",
        agreement: str = "ISA-1",
        recorded: date = date(2026, 9, 1),
    ) -> MapBuilder:
        self._n += 1
        self.rows.append(
            Concern(
                concern_id=f"C{self._n:04d}",
                person_id=pid,
                kind=kind,
                agency=agency,
                grading="B2",
                recorded_on=recorded,
                agreement_id=agreement,
                note=note,
            )
        )
        return self

    def decision(
        self, suggestion_id: str, reason: str, decision: str = "reject", decided: date = date(2026, 10, 1)
    ) -> MapBuilder:
        """A practitioner's recorded decision on a suggestion (its reason is free text the lint reads)."""
        self.rows.append(
            Decision(
                suggestion_id=suggestion_id,
                intervention_id="group-work",
                target_kind="group",
                target_id="G-01",
                decision=decision,
                reason=reason,
                actor="pat",
                role="practitioner",
                decided_at=datetime.combine(decided, datetime.min.time(), tzinfo=UTC),
            )
        )
        return self

    def strength(
        self,
        pid: str,
        kind: str,
        note: str | None = None,
        agency: str = "school",
        agreement: str = "ISA-1",
        recorded: date = date(2026, 9, 1),
    ) -> MapBuilder:
        self._n += 1
        self.rows.append(
            Strength(
                strength_id=f"S{self._n:04d}",
                person_id=pid,
                kind=kind,
                agency=agency,
                grading="B2",
                recorded_on=recorded,
                agreement_id=agreement,
                note=note,
            )
        )
        return self

    def link(self, a: str, b: str, relation: str, confidence: float, **kw: Any) -> MapBuilder:
        self.links.append(LinkSpec(a, b, relation, confidence, **kw))
        return self

    def group(
        self,
        gid: str,
        members: list[str],
        greyed: list[str] | None = None,
        locations: list[str] | None = None,
        incidents: list[str] | None = None,
    ) -> MapBuilder:
        self.groups.append(Group(gid, members, greyed or [], [], locations or [], incidents or [], {}, {}, []))
        return self

    def build(self, store: Store) -> MapResult:
        # written as one audited import (as peermap writes data), so `audit verify` holds for these stores
        with store.transaction() as s:
            batch = ImportBatch(
                actor="test",
                role="practitioner",
                imported_at=datetime(2000, 1, 1, tzinfo=UTC),
                source="MapBuilder",
                digest="0" * 64,
                counts="{}",
            )
            s.add(batch)
            s.flush()
            for row in self.rows:
                if hasattr(row, "import_id"):
                    row.import_id = batch.id
                s.add(row)
            audit.record(
                s, Actor("test", Role.PRACTITIONER), "import", {"source": "MapBuilder"}, data_ref=f"import:{batch.id}"
            )
        snap = load_snapshot(store, self.as_at)
        pos = snap.nodes.position
        specs = [x for x in self.links if x.a in pos and x.b in pos]
        n = len(specs)

        def arr(values: list[Any], dtype: Any) -> np.ndarray:
            return np.array(values, dtype=dtype) if n else np.zeros(0, dtype=dtype)

        subj, obj = [], []
        for x in specs:
            a, b = pos[x.a], pos[x.b]
            if snap.nodes.kinds[b] == 0 and b < a:
                a, b = b, a
            subj.append(a)
            obj.append(b)
        conf = [x.confidence for x in specs]
        unc = [x.uncertainty for x in specs]
        day = (self.as_at - date(1970, 1, 1)).days
        links = LinkTable(
            subject=arr(subj, np.int32),
            object=arr(obj, np.int32),
            relation=arr([RELATION_CODE[x.relation] for x in specs], np.int8),
            belief=arr([c - 0.5 * u for c, u in zip(conf, unc, strict=True)], np.float64),
            disbelief=arr([max(0.0, 1 - c - 0.5 * u) for c, u in zip(conf, unc, strict=True)], np.float64),
            uncertainty=arr(unc, np.float64),
            base_rate=arr([0.5] * n, np.float64),
            confidence=arr(conf, np.float64),
            conflict=arr([0.0] * n, np.float64),
            n_items=arr([x.n_items for x in specs], np.int32),
            n_unused=arr([0] * n, np.int32),
            n_agencies=arr([x.n_agencies for x in specs], np.int32),
            n_origins=arr([x.n_origins for x in specs], np.int32),
            newest=arr([day - 30] * n, np.int32),
            oldest=arr([day - 90] * n, np.int32),
            nodes=snap.nodes,
            rule_pack_version="test-1",
        )
        shown = {p for p, s in self.statuses.items() if s.shown}
        shown_links = [
            ShownLink(
                x.a,
                x.b,
                x.relation,
                x.confidence,
                x.uncertainty,
                "solid" if x.confidence >= self.include else "dashed",
            )
            for x in specs
            if (x.a in shown or x.a not in self.statuses) and (x.b in shown or x.b not in self.statuses)
        ]
        policy = PolicyRecord(
            version=1,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            actor="system",
            role="panel",
            reason="default policy",
            replaces=None,
            body=load_default_policy(),
        )
        result = MapResult(
            as_at=self.as_at,
            snapshot=snap,
            links=links,
            policy=policy,
            rule_pack_version="test-1",
            statuses=dict(self.statuses),
            shown_links=shown_links,
            groups=list(self.groups),
        )
        if self.pack is not None:
            result.derived["rule_pack"] = self.pack
        return result


HOSTILE = (
    '<script>alert("x")</script>',
    "[bold red]boom[/]",
    '=HYPERLINK("http://evil.example","click")',
    "Robert'); DROP TABLE young_person;--",
    "**bold** _it_ `code` | pipe # hash",
    "<img src=x onerror=alert(1)>",
)


def small_map(store: Store, hostile: bool = False) -> MapResult:
    """Three shown people (two included, one greyed), one left out, a place, an incident and a group."""
    name = (lambda i, plain: HOSTILE[i % len(HOSTILE)] + plain) if hostile else (lambda i, plain: plain)
    b = MapBuilder()
    b.agency("police", "police").agency("school", "school").agency("yot", "youth_work")
    b.agreement("ISA-1", "police;school;yot")
    b.location("L1", name(0, "Rec ground"), of_concern=True)
    b.incident("I1", date(2026, 8, 20), summary=name(3, "fight near the shops"), location_id="L1")
    b.person(
        "P1",
        name(2, "Alex Ample"),
        "included",
        sex="M",
        ethnicity="White British",
        date_of_birth=date(2010, 3, 1),
        reasons=[Reason("included", "linked to I1 by two agencies", ("I1",))],
    )
    b.person(
        "P2",
        name(1, "Bea Bright"),
        "included",
        sex="F",
        ethnicity="Black Caribbean",
        date_of_birth=date(2014, 6, 1),
        review_by=date(2026, 6, 1),
        reasons=[Reason("included", "harmed in I1", ("I1",))],
    )
    b.person(
        "P3",
        name(4, "Cal Cole"),
        "greyed",
        confidence=0.6,
        sex="M",
        ethnicity="Black Caribbean",
        birth_year=2009,
        reasons=[Reason("association_only", "associates with P1", ("P1",))],
    )
    b.person(
        "P9",
        "Zed Hidden-Leftout",
        "left_out",
        confidence=0.2,
        sex="M",
        ethnicity="Black African",
        birth_year=2010,
        reasons=[Reason("below_grey", "no link reaches the grey threshold")],
    )
    b.evidence("P1", "I1", "harming", agency="police", note=name(5, "Identified on CCTV"))
    b.evidence("P1", "I1", "harming", agency="school", scheme="record", grading="first_hand")
    b.evidence("P2", "I1", "harmed", agency="police", note="Putting herself at risk by going to the park")
    b.evidence("P2", "I1", "harmed", agency="school", scheme="record", grading="disclosure")
    b.evidence(
        "P3",
        "P1",
        "association",
        agency="school",
        scheme="record",
        grading="anonymous",
        observed=date(2025, 1, 10),
        note="Seen with Zed Hidden-Leftout and P1",
    )
    b.evidence("P9", "P1", "association", agency="police", grading="E5", note="Zed Hidden-Leftout is a gang member")
    b.evidence("P1", "L1", "present_at", agency="yot", scheme="record", grading="first_hand")
    b.concern("P2", "criminal_exploitation", note="lifestyle choice")
    b.strength("P1", "sports_club", note="Boxing club twice a week")
    b.link("P1", "I1", "harming", 0.82).link("P2", "I1", "harmed", 0.8)
    b.link("P1", "P3", "association", 0.6, n_agencies=1, n_origins=1, n_items=1)
    b.link("P1", "L1", "present_at", 0.75, n_agencies=1, n_origins=1, n_items=1)
    b.link("P1", "P9", "association", 0.2, n_agencies=1, n_origins=1, n_items=1)
    b.group("G1", ["P1", "P2", "P3"], greyed=["P3"], locations=["L1"], incidents=["I1"])
    return b.build(store)
