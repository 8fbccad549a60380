"""Issue 12 items 1, 3, 4: exploited children are victims first; presence alone; siblings and association."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from test_inclusion_world import World

from peermap.engine.inclusion import decide
from peermap.engine.models import Concern
from peermap.engine.policy import InclusionPolicy, with_changes
from peermap.engine.safeguards import load_safeguards, normal_kind, shipped_safeguards

POLICY = InclusionPolicy(include_threshold=0.7, grey_threshold=0.5, min_agencies=2, max_age_days=365)


def _decide(w: World, concerns: dict[str, str] | None = None, policy: InclusionPolicy = POLICY):
    snap, links = w.build()
    for i, (pid, kind) in enumerate(sorted((concerns or {}).items())):
        snap.concerns.append(
            Concern(
                concern_id=f"CON-{i}",
                person_id=pid,
                kind=kind,
                agency="csc",
                recorded_on=date(2026, 9, 1),
                agreement_id="ISA-1",
            )
        )
    return decide(snap, links, policy)


def codes(status) -> list[str]:
    return [r.code for r in status.reasons]


def texts(status) -> str:
    return " | ".join(r.text for r in status.reasons)


# ---------------------------------------------------------------- item 1: exploited children are victims first


def test_exploited_child_recorded_as_harming_is_shown_as_possibly_exploited() -> None:
    w = World(["K", "T"], incidents={"INC-7": "robbery"})
    w.link("K", "INC-7", "harming", 0.8).link("T", "INC-7", "harming", 0.8)
    out = _decide(w, {"K": "County lines"})
    k = out["K"]
    assert k.status == "included" and codes(k)[0] == "harming_in_incident"
    assert k.reasons[0].text.startswith(
        "included: recorded as harming in an incident of concern (INC-7, robbery) while a concern of county "
        "lines is held: possibly exploited"
    )
    assert "alleged to have harmed" not in texts(k)
    assert "possibly_exploited" in codes(k)
    exploited = next(r for r in k.reasons if r.code == "possibly_exploited")
    assert exploited.text.startswith("possibly exploited: recorded as harming in INC-7 while a concern of county lines")
    # the other young person, with no exploitation concern, is described as before
    assert "alleged to have harmed others" in out["T"].reasons[0].text and "possibly_exploited" not in codes(out["T"])


def test_harmed_child_also_recorded_as_harming_is_possibly_exploited() -> None:
    w = World(["A"], incidents={"I1": "criminal_exploitation", "I2": "serious_youth_violence"})
    w.link("A", "I1", "harmed", 0.9).link("A", "I2", "harming", 0.75)
    a = _decide(w)["A"]
    assert "possibly_exploited" in codes(a) and "harmed_and_harming" in codes(a)
    harming = next(r for r in a.reasons if r.code == "harming_in_incident")
    assert "while also recorded as harmed (I1): possibly exploited" in harming.text


def test_co_offending_with_an_exploitation_concern_is_possibly_exploited() -> None:
    w = World(["A", "B"], incidents={"I1": "robbery"})
    w.link("A", "I1", "harming", 0.85).link("A", "B", "co_offending", 0.85)
    out = _decide(w, {"B": "criminal exploitation"}, with_changes(POLICY, co_offending_direct=True))
    b = out["B"]
    assert b.status == "included" and codes(b)[0] == "co_offending_with_included"
    assert b.reasons[0].text.endswith("while a concern of criminal exploitation is held: possibly exploited")
    assert "possibly_exploited" in codes(b)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["I1", "I2"]),
            st.sampled_from(["harmed", "harming", "witness", "present"]),
            st.floats(0.5, 0.95),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["criminal_exploitation", "CSE", "trafficking", "NRM referral", "missing with adults"]),
)
def test_a_child_with_an_exploitation_concern_is_never_alleged_to_have_harmed_alone(links, kind) -> None:
    w = World(["A", "B", "C"], incidents={"I1": "robbery", "I2": "assault"})
    for a, inc, rel, conf in links:
        w.link(a, inc, rel, conf)
    out = _decide(w, {"A": kind})
    if out["A"].shown:
        assert "alleged to have harmed others" not in texts(out["A"]).replace("as alleged to have harmed others (", "")
        if any(a == "A" and rel == "harming" for a, _, rel, _ in links):
            assert "possibly_exploited" in codes(out["A"])


def test_present_at_a_hotel_with_adults_is_not_only_present() -> None:
    w = World(["G"], incidents={"INC-9": "Hotel with adults"})
    w.link("G", "INC-9", "present", 0.8)
    g = _decide(w)["G"]
    assert g.status == "included"
    assert "where children were with adults: possibly harmed there" in g.reasons[0].text
    assert "present_where_adults" in codes(g)


def test_safeguards_vocabulary_is_normalised_and_validated(tmp_path) -> None:
    words = shipped_safeguards()
    assert normal_kind("  County-Lines ") == "county_lines" and words.is_exploitation("County-Lines")
    assert words.is_exploitation("NRM referral") and not words.is_exploitation("school_exclusion")
    bad = tmp_path / "s.yaml"
    bad.write_text("schema: 1\nexploitation_concerns: {why: x, value: []}\n", encoding="utf-8")
    try:
        load_safeguards(bad)
    except Exception as exc:
        assert "exploitation_concerns" in str(exc) and "adult_context_incidents" in str(exc)
    else:
        raise AssertionError("an empty vocabulary must be refused")


# ---------------------------------------------------------------- item 3: presence alone


def test_presence_alone_greys_unless_the_panel_includes_it_flagged() -> None:
    w = World(["P", "Q"], locations={"L-park": True}, incidents={"I1": "robbery"})
    w.link("P", "L-park", "present_at", 0.9).link("Q", "L-park", "present_at", 0.9).link("Q", "I1", "witness", 0.6)
    out = _decide(w)
    assert out["P"].status == "greyed" and codes(out["P"])[0] == "presence_only"
    assert "no incident and no concern recorded" in out["P"].reasons[0].text
    assert out["Q"].status == "included"  # an incident link (even greyed) means not presence alone
    with_concern = _decide(w, {"P": "missing_episodes"})
    assert with_concern["P"].status == "included" and "presence_only" not in codes(with_concern["P"])
    panel = _decide(w, policy=with_changes(POLICY, presence_only="included"))
    assert panel["P"].status == "included" and "presence_only" in codes(panel["P"])


# ---------------------------------------------------------------- item 4: siblings and association


def test_siblings_recorded_as_associates_are_siblings() -> None:
    w = World(["H", "S", "F"], incidents={"I1": "robbery"})
    w.link("H", "I1", "harming", 0.85).link("H", "S", "association", 0.8).link("H", "S", "sibling", 0.9)
    w.link("H", "F", "association", 0.8)
    out = _decide(w)
    assert out["S"].status == "left_out" and codes(out["S"]) == ["sibling_only"]
    assert out["F"].status == "greyed" and codes(out["F"])[0] == "association_only"
    included = _decide(w, policy=with_changes(POLICY, association_only="included"))
    assert included["S"].status == "left_out" and included["F"].status == "included"


def test_inclusion_by_association_needs_the_minimum_agencies() -> None:
    w = World(["H", "F", "G"], incidents={"I1": "robbery"})
    w.link("H", "I1", "harming", 0.85).link("H", "F", "association", 0.8, agencies=1)
    w.link("H", "G", "association", 0.8, agencies=2)
    out = _decide(w, policy=with_changes(POLICY, association_only="included"))
    assert out["F"].status == "greyed" and codes(out["F"])[0] == "association_only"
    assert out["G"].status == "included" and codes(out["G"])[0] == "association_included"
