"""Grading scales (docs/domain.md §5): parse a grading code into (scheme, reliability, credibility) indices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Scheme(StrEnum):
    ADMIRALTY = "admiralty"  # NATO/Admiralty: source A-F, information 1-6
    FIVE_BY_FIVE = "5x5x5"  # source A-E, intelligence 1-5, optional handling 1-5
    THREE_FIVE_TWO = "3x5x2"  # source R/U/N, intelligence 1-5, handling P/C
    RECORD = "record"  # non-police agencies' record types


SCHEMES: tuple[Scheme, ...] = tuple(Scheme)
SCHEME_CODE: dict[str, int] = {s.value: i for i, s in enumerate(SCHEMES)}

# Reliability and credibility labels per scheme, in order; indices are what the arrays carry.
RELIABILITY: dict[Scheme, tuple[str, ...]] = {
    Scheme.ADMIRALTY: ("A", "B", "C", "D", "E", "F"),
    Scheme.FIVE_BY_FIVE: ("A", "B", "C", "D", "E"),
    Scheme.THREE_FIVE_TWO: ("R", "U", "N"),
    Scheme.RECORD: ("first_hand", "disclosure", "second_hand", "anonymous"),
}
CREDIBILITY: dict[Scheme, tuple[str, ...]] = {
    Scheme.ADMIRALTY: ("1", "2", "3", "4", "5", "6"),
    Scheme.FIVE_BY_FIVE: ("1", "2", "3", "4", "5"),
    Scheme.THREE_FIVE_TWO: ("1", "2", "3", "4", "5"),
    Scheme.RECORD: ("-",),
}
MEANING: dict[Scheme, dict[str, str]] = {
    Scheme.ADMIRALTY: {
        "A": "completely reliable source",
        "B": "usually reliable source",
        "C": "fairly reliable source",
        "D": "not usually reliable source",
        "E": "unreliable source",
        "F": "source reliability cannot be judged",
        "1": "confirmed by other sources",
        "2": "probably true",
        "3": "possibly true",
        "4": "doubtful",
        "5": "improbable",
        "6": "truth cannot be judged",
    },
    Scheme.FIVE_BY_FIVE: {
        "A": "always reliable source",
        "B": "mostly reliable source",
        "C": "sometimes reliable source",
        "D": "unreliable source",
        "E": "untested source",
        "1": "known to be true without reservation",
        "2": "known personally to source but not to officer",
        "3": "not personally known to source but corroborated",
        "4": "cannot be judged",
        "5": "suspected to be false or malicious",
    },
    Scheme.THREE_FIVE_TWO: {
        "R": "reliable source",
        "U": "untested source",
        "N": "not reliable source",
        "1": "known directly to the source",
        "2": "known indirectly to the source but corroborated",
        "3": "known indirectly to the source",
        "4": "not known",
        "5": "suspected to be false",
    },
    Scheme.RECORD: {
        "first_hand": "practitioner's first-hand observation",
        "disclosure": "disclosure by a young person",
        "second_hand": "reported to the practitioner by someone else",
        "anonymous": "anonymous report",
        "-": "",
    },
}

_PATTERNS: dict[Scheme, re.Pattern[str]] = {
    Scheme.ADMIRALTY: re.compile(r"^([A-F])([1-6])()$"),
    Scheme.FIVE_BY_FIVE: re.compile(r"^([A-E])([1-5])([1-5])?$"),
    Scheme.THREE_FIVE_TWO: re.compile(r"^([RUN])([1-5])([PC])?$"),
}


@dataclass(frozen=True)
class Grading:
    scheme: Scheme
    reliability: int
    credibility: int
    handling: str | None = None

    @property
    def code(self) -> str:
        rel = RELIABILITY[self.scheme][self.reliability]
        if self.scheme is Scheme.RECORD:
            return rel
        return rel + CREDIBILITY[self.scheme][self.credibility] + (self.handling or "")

    def describe(self) -> str:
        """Plain English, e.g. 'B2: usually reliable source, probably true'."""
        m = MEANING[self.scheme]
        rel = RELIABILITY[self.scheme][self.reliability]
        if self.scheme is Scheme.RECORD:
            return m[rel]
        cred = CREDIBILITY[self.scheme][self.credibility]
        return f"{self.code} ({self.scheme.value}): {m[rel]}, {m[cred]}"


class GradingError(ValueError):
    pass


def parse_grading(code: str, scheme: str | None = None) -> Grading:
    """Parse `code` under `scheme` (default Admiralty); raise GradingError saying what is expected."""
    try:
        sch = Scheme(scheme.strip().lower()) if scheme and scheme.strip() else Scheme.ADMIRALTY
    except ValueError:
        raise GradingError(
            f"unknown grading scheme {scheme!r}; use one of {', '.join(s.value for s in SCHEMES)}"
        ) from None
    raw = code.strip()
    if sch is Scheme.RECORD:
        key = raw.lower().replace("-", "_").replace(" ", "_")
        if key not in RELIABILITY[sch]:
            raise GradingError(f"record grading {code!r} is not one of {', '.join(RELIABILITY[sch])}")
        return Grading(sch, RELIABILITY[sch].index(key), 0)
    m = _PATTERNS[sch].match(raw.upper())
    if not m:
        examples = {Scheme.ADMIRALTY: "B2", Scheme.FIVE_BY_FIVE: "B2 or B23", Scheme.THREE_FIVE_TWO: "R1P or U3"}
        raise GradingError(f"{code!r} is not a valid {sch.value} grading (expected e.g. {examples[sch]})")
    rel, cred, handling = m.group(1), m.group(2), m.group(3) or None
    return Grading(sch, RELIABILITY[sch].index(rel), CREDIBILITY[sch].index(cred), handling)
