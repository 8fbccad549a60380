"""Language guidance (policies/language.yaml): victim-blaming and adultifying wording to flag in notes.

Each entry is a unit: the phrases and patterns it flags, the wording to suggest, why it matters, and
`examples` of notes it must flag (`fires`) and must not (`passes`), checked by tests/test_examples.py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PolicyError
from ..policy_files import read_yaml, shipped

LANGUAGE_FILE = shipped("language.yaml")


class NoteExample(BaseModel):
    """A note to try an entry on, with the child's age when the entry depends on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    note: str = Field(min_length=1)
    age: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, v: Any) -> Any:
        return {"note": v} if isinstance(v, str) else v


class LanguageExamples(BaseModel):
    """Notes the entry must flag (`fires`) and notes it must not (`passes`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fires: list[NoteExample] = Field(min_length=1)
    passes: list[NoteExample] = Field(min_length=1)


class LanguageEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    suggest: str = Field(min_length=1)
    why: str = Field(min_length=1)
    only_under_age: int | None = None
    examples: LanguageExamples | None = None

    @field_validator("phrases")
    @classmethod
    def _phrases_not_blank(cls, v: list[str]) -> list[str]:
        if any(not p.strip() for p in v):
            raise ValueError("a phrase is blank")
        return v

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        return v

    def regex(self) -> re.Pattern[str]:
        # Words of a phrase match across any run of spaces, line breaks or hyphens ("gang-associated",
        # "gang  associated"), in any case.
        parts = [
            r"\b" + r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", p.strip())) + r"\b" for p in self.phrases
        ]
        return re.compile("|".join([*parts, *self.patterns]), re.IGNORECASE)

    def applies_to(self, age: int | None) -> bool:
        """Age-limited entries apply only when the child is known to be younger than the limit."""
        return self.only_under_age is None or (age is not None and age < self.only_under_age)

    @model_validator(mode="after")
    def _examples_hold(self) -> LanguageEntry:
        # The entry's own tests run on load: a guide whose examples disagree with its phrases is rejected.
        if self.examples is None or not (self.phrases or self.patterns):
            return self
        rx = self.regex()
        for ex in self.examples.fires:
            if not (self.applies_to(ex.age) and rx.search(ex.note)):
                raise ValueError(f"example {ex.note!r} (age {ex.age}) should be flagged by entry {self.id!r}")
        for ex in self.examples.passes:
            if self.applies_to(ex.age) and rx.search(ex.note):
                raise ValueError(f"example {ex.note!r} (age {ex.age}) should not be flagged by entry {self.id!r}")
        return self


class LanguageGuide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    source: str
    entries: list[LanguageEntry] = Field(min_length=1)

    @field_validator("entries")
    @classmethod
    def _unique_ids(cls, v: list[LanguageEntry]) -> list[LanguageEntry]:
        seen = Counter(e.id for e in v)
        dup = sorted(k for k, n in seen.items() if n > 1)
        if dup:
            raise ValueError(f"duplicate entry ids: {', '.join(dup)}")
        if any(not (e.phrases or e.patterns) for e in v):
            raise ValueError("every entry needs at least one phrase or pattern")
        return v

    def find(self, text: str, age: int | None = None) -> list[LanguageHit]:
        """Every flagged phrase in `text`, by position; age-limited entries need a known young age."""
        hits: list[LanguageHit] = []
        for entry, rx in _compiled(self):
            if not entry.applies_to(age):
                continue
            for m in rx.finditer(text):
                hits.append(LanguageHit(entry.id, m.group(0), m.start(), entry.suggest, entry.why))
        return sorted(hits, key=lambda h: (h.start, h.entry))


_COMPILED: dict[int, list[tuple[LanguageEntry, re.Pattern[str]]]] = {}


def _compiled(guide: LanguageGuide) -> list[tuple[LanguageEntry, re.Pattern[str]]]:
    key = id(guide)
    if key not in _COMPILED:
        _COMPILED[key] = [(e, e.regex()) for e in guide.entries]
    return _COMPILED[key]


@dataclass(frozen=True)
class LanguageHit:
    entry: str
    phrase: str
    start: int
    suggest: str
    why: str


def load_language_guide(path: Path | str | None = None) -> LanguageGuide:
    """Load and validate the phrase list (default policies/language.yaml); PolicyError says what is wrong."""
    p = Path(path) if path else LANGUAGE_FILE
    if path is None:
        return _default_guide()
    return _load_guide(p)


@lru_cache(maxsize=1)
def _default_guide() -> LanguageGuide:
    return _load_guide(LANGUAGE_FILE)


def _load_guide(p: Path) -> LanguageGuide:
    raw = read_yaml(p, "language guidance")
    try:
        return LanguageGuide.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise PolicyError(f"{p}: {where}: {first['msg']}") from None
