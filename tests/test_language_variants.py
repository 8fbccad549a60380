"""The language lint catches what practitioners actually write: case, hyphen, spacing and tense variants
(issue 12 item 9)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermap.engine.labelling import load_language_guide

GUIDE = load_language_guide()
PHRASES = [(e.id, p) for e in GUIDE.entries for p in e.phrases]


def _variant(phrase: str, draw: st.DrawFn) -> str:
    words = re.split(r"[\s\-]+", phrase)
    seps = [draw(st.sampled_from([" ", "-", "  ", "\n", " - "])) for _ in words[1:]]
    cased = [draw(st.sampled_from([w, w.upper(), w.lower(), w.capitalize()])) for w in words]
    out = cased[0]
    for sep, w in zip(seps, cased[1:], strict=True):
        out += sep + w
    return out


@st.composite
def written(draw: st.DrawFn) -> tuple[str, str]:
    entry, phrase = draw(st.sampled_from(PHRASES))
    before = draw(st.sampled_from(["", "Note: ", "Police say ", "(", "Worker feels "]))
    after = draw(st.sampled_from(["", ".", " at the weekend", ")", "; reviewed"]))
    return entry, before + _variant(phrase, draw) + after


@given(written())
def test_every_phrase_is_caught_in_any_case_spacing_or_hyphenation(case: tuple[str, str]) -> None:
    entry, note = case
    assert entry in {h.entry for h in GUIDE.find(note, age=14)}, note


@pytest.mark.parametrize(
    ("note", "entry"),
    [
        ("Believed to be involved in county lines since March", "recruitment-as-agency"),
        ("INVOLVED IN COUNTY-LINES", "recruitment-as-agency"),
        ("He is gang-associated", "labels"),
        ("gang associated youth", "labels"),
        ("She sends nudes when asked", "online-contact-blame"),
        ("she sent nudes", "online-contact-blame"),
        ("Is making herself vulnerable", "choice-and-risk"),
        ("made herself vulnerable", "choice-and-risk"),
        ("A persistent runaway", "going-missing"),
        ("Stays with her 23-year-old boyfriend", "relationship-with-exploiter"),
        ("Her boyfriend (aged 25) drives her", "relationship-with-exploiter"),
        ("Not engaging with CAMHS", "not-engaging"),
        ("He refused to engage", "not-engaging"),
        ("Beyond parental control", "beyond-parental-control"),
        ("Mum says she is beyond her control", "beyond-parental-control"),
        ("Sexually active", "sexually-active"),
    ],
)
def test_what_practitioners_write(note: str, entry: str) -> None:
    assert entry in {h.entry for h in GUIDE.find(note, age=15)}


@pytest.mark.parametrize(
    "note",
    [
        "Her boyfriend is in Year 10 with her",
        "Engaged well with the youth worker",
        "The gang-free zone scheme started",
        "Involved in the school play",
        "Parents asked for help keeping him safe from adults at the flat",
        "She sent her homework in on time",
    ],
)
def test_plain_descriptions_are_not_flagged(note: str) -> None:
    assert GUIDE.find(note, age=15) == []
