"""Traces from a real snapshot: names, items used and not used, rules fired, notes, exact figures."""

from __future__ import annotations

import json
from datetime import date

import pytest

from peermap.engine.errors import NotFound
from peermap.engine.models import Agency, Evidence, Location, SharingAgreement, YoungPerson
from peermap.engine.rules import explain_link, explain_person, load_rule_pack, score_links
from peermap.engine.snapshot import load_snapshot
from peermap.engine.store import Store
from peermap.engine.vocab import Relation

AS_AT = date(2026, 6, 1)
PACK = load_rule_pack()


def ev(eid: str, a: str, b: str, grading: str = "B2", **kw) -> Evidence:
    base = {
        "object_kind": "person",
        "relation": "association",
        "agency": "met",
        "grading_scheme": "admiralty",
        "observed_on": date(2026, 4, 1),
        "agreement_id": "AG1",
    }
    base.update(kw)
    base.setdefault("recorded_on", base["observed_on"])
    return Evidence(evidence_id=eid, subject_id=a, object_id=b, grading=grading, **base)


def populate(store: Store) -> None:
    with store.transaction() as s:
        s.add_all(
            [
                YoungPerson(person_id="P1", name="Aisha Khan"),
                YoungPerson(person_id="P2", name="Ben Ortiz"),
                YoungPerson(person_id="P3", name="Cara Doyle"),
                YoungPerson(person_id="P4", name="Dan Fox"),
                Location(location_id="L1", name="Northgate Park", of_concern=True),
                Agency(agency_id="met", name="Metropolitan Police", kind="police"),
                Agency(agency_id="sch", name="Hillside Academy", kind="school"),
                SharingAgreement(
                    agreement_id="AG1",
                    agencies="met;sch",
                    purpose="safeguarding",
                    lawful_basis="public task",
                    valid_from=date(2020, 1, 1),
                ),
            ]
        )
        s.add_all(
            [
                ev("E1", "P1", "P2", source_ref="IR-1", note="Seen with Cara Doyle and Ben Ortiz at the park"),
                ev(
                    "E2", "P2", "P1", "first_hand", agency="sch", grading_scheme="record", observed_on=date(2026, 5, 10)
                ),
                ev("E3", "P1", "P2", "E5", observed_on=date(2023, 3, 1)),
                ev("E4", "P1", "P2", "A1", observed_on=date(2026, 5, 20)),
                ev(
                    "E5",
                    "P1",
                    "P2",
                    "A1",
                    observed_on=date(2026, 5, 20),
                    recorded_on=date(2026, 5, 21),
                    supersedes="E4",
                    retraction=True,
                ),
                ev("E6", "P1", "L1", "C3", object_kind="location", relation="present_at"),
                ev("E7", "P1", "P3", "C3"),
                ev("E8", "P1", "P2", "B2", relation="co_offending", polarity="refutes", source_ref="IR-2"),
            ]
        )


@pytest.fixture
def snap(store: Store):
    populate(store)
    return load_snapshot(store, AS_AT)


def test_trace_reproduces_the_snapshot_score_exactly(snap, store: Store) -> None:
    links = score_links(snap.evidence, snap.nodes, PACK, AS_AT)
    explanation = explain_link(snap, PACK, "P2", "P1", store=store)
    assert (explanation.subject_id, explanation.object_id) == ("P1", "P2")
    assert [p.relation for p in explanation.parts] == [Relation.ASSOCIATION, Relation.CO_OFFENDING]
    for part in explanation.parts:
        row = int(links.find("P1", "P2", part.relation)[0])
        assert (part.belief, part.disbelief, part.uncertainty, part.confidence, part.conflict) == (
            links.belief[row],
            links.disbelief[row],
            links.uncertainty[row],
            links.confidence[row],
            links.conflict[row],
        )
        assert (part.n_items, part.n_unused, part.n_agencies, part.n_origins) == (
            links.n_items[row],
            links.n_unused[row],
            links.n_agencies[row],
            links.n_origins[row],
        )


def test_trace_lists_items_rules_and_reasons(snap, store: Store) -> None:
    part = explain_link(snap, PACK, "P1", "P2", Relation.ASSOCIATION, store=store).parts[0]
    by_id = {i.evidence_id: i for i in part.items}
    assert set(by_id) == {"E1", "E2", "E3", "E4"}
    assert [i.used for i in part.items] == [True, True, True, False]
    assert by_id["E4"].reason == "withdrawn: corrected or retracted by a later record (E5)"
    assert [r.id for r in by_id["E1"].rules] == ["admiralty-2", "admiralty-source-b"]
    assert [r.id for r in by_id["E2"].rules] == ["school-first-hand", "record-trust-statutory"]
    assert [r.id for r in by_id["E3"].rules] == ["admiralty-5", "admiralty-source-e", "untraceable-police-intelligence"]
    assert by_id["E3"].decay == pytest.approx(2 ** (-(AS_AT - date(2023, 3, 1)).days / 365))
    assert part.n_origins == 3 and part.n_agencies == 2
    assert len(part.origins) == 3
    assert part.steps[-2].startswith("3 independent origins fused cumulatively")


def test_text_reads_for_a_practitioner(snap, store: Store) -> None:
    text = explain_link(snap, PACK, "P1", "P2", Relation.ASSOCIATION, store=store).text()
    first = text.splitlines()[0]
    assert first.startswith("Confidence 0.")
    assert "that Aisha Khan and Ben Ortiz are associated" in first
    assert "police intelligence graded B2" in first and "a school's first-hand observation" in first
    assert "from independent agencies agree" in first
    assert (
        "police intelligence graded E5 from 2023 was discounted (Unreliable source (E) - trust 0.25; "
        "1188 days old, so it counts 10%)"
    ) in first
    assert "E5 (0." not in first  # a discounted item is not listed as agreeing
    assert "1 item was not used" in first
    assert "E4 Metropolitan Police" in text and "withdrawn" in text
    assert "rule admiralty-source-b: Usually reliable source (B) - trust 0.85." in text


def test_notes_never_name_other_young_people(snap, store: Store) -> None:
    explanation = explain_link(snap, PACK, "P1", "P2", Relation.ASSOCIATION, store=store)
    text, js = explanation.text(), explanation.json_text()
    assert "Seen with another young person and Ben Ortiz at the park" in text
    for out in (text, js):
        assert "Cara Doyle" not in out and "Dan Fox" not in out
    no_store = explain_link(snap, PACK, "P1", "P2", Relation.ASSOCIATION)
    assert all(i.note is None for i in no_store.parts[0].items)


def test_json_has_every_figure(snap) -> None:
    data = json.loads(explain_link(snap, PACK, "P1", "L1").json_text())
    assert data["subject"] == {"id": "P1", "name": "Aisha Khan"}
    assert data["object"] == {"id": "L1", "name": "Northgate Park"}
    (link,) = data["links"]
    assert link["relation"] == "present_at" and link["n_items"] == 1
    assert link["items"][0]["rules"][0] == {
        "id": "admiralty-3",
        "description": "Admiralty information graded 3 (possibly true).",
        "effect": "base evidence r=2 s=0 (belief 0.50)",
    }
    assert set(link) >= {
        "belief",
        "disbelief",
        "uncertainty",
        "confidence",
        "conflict",
        "n_unused",
        "n_agencies",
        "n_origins",
        "newest",
        "oldest",
        "fusion_steps",
        "origins",
    }


def test_refuting_relation_text(snap) -> None:
    text = explain_link(snap, PACK, "P1", "P2", Relation.CO_OFFENDING).text()
    assert "offended together" in text and "refute" in text


def test_unknown_ids_and_unlinked_pairs(snap) -> None:
    with pytest.raises(NotFound, match="unknown young person, location or incident id 'P9'"):
        explain_link(snap, PACK, "P1", "P9")
    empty = explain_link(snap, PACK, "P2", "P4")
    assert empty.parts == []
    assert empty.text() == "No evidence links Ben Ortiz and Dan Fox as at 2026-06-01."


@pytest.mark.slow
def test_explain_person_lists_links_by_confidence(snap) -> None:
    links = explain_person(snap, PACK, "P1")
    assert [(x.other_id, x.relation.value) for x in links][:1] == [("P2", "association")]
    assert {(x.other_id, x.relation.value) for x in links} == {
        ("P2", "association"),
        ("P2", "co_offending"),
        ("L1", "present_at"),
        ("P3", "association"),
    }
    assert [x.confidence for x in links] == sorted((x.confidence for x in links), reverse=True)
    assert next(x for x in links if x.other_id == "L1").other_name == "Northgate Park"
    assert explain_person(snap, PACK, "P4") == []
    with pytest.raises(NotFound):
        explain_person(snap, PACK, "nobody")
