"""What an information-sharing agreement's lawful basis says, read from the text a partnership writes.

A lawful basis must name one of the six UK GDPR Article 6(1) bases; an agreement covering special-category
data (health, ethnicity, sex life, ...) must also name an Article 9(2) condition or a DPA 2018 Schedule 1
condition. Placeholders ("tbc", "to follow", "n/a") are refused: the Gangs Matrix was run for years with no
recorded basis, and a basis nobody has decided is the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARTICLE_6: dict[str, str] = {
    "a": "consent",
    "b": "contract",
    "c": "legal obligation",
    "d": "vital interests",
    "e": "public task",
    "f": "legitimate interests",
}
ARTICLE_9: dict[str, str] = {
    "a": "explicit consent",
    "b": "employment and social security",
    "c": "vital interests",
    "d": "not-for-profit bodies",
    "e": "made public by the data subject",
    "f": "legal claims",
    "g": "substantial public interest",
    "h": "health or social care",
    "i": "public health",
    "j": "archiving, research and statistics",
}
_ART6_CODE = re.compile(r"\b6\s*\(\s*1\s*\)\s*\(\s*([a-f])\s*\)", re.IGNORECASE)
_ART6_NAME = re.compile(
    r"\b(consent|contract|legal obligation|vital interests?|public task|legitimate interests?)\b", re.IGNORECASE
)
_ART9_CODE = re.compile(r"\b9\s*\(\s*2\s*\)\s*\(\s*([a-j])\s*\)", re.IGNORECASE)
_SCHEDULE_1 = re.compile(r"\bsch(?:edule|\.)?\s*1\b[^;]*?\bpara(?:graph|\.)?\s*(\d{1,2})\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^\W*(tbc|tba|tbd|to be (confirmed|agreed|decided)|to follow|pending|unknown|n/?a|none|todo|\?+|-+)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LawfulBasis:
    """The bases a lawful-basis text names: Article 6 letters, Article 9 letters, Schedule 1 paragraphs."""

    article_6: tuple[str, ...]
    article_9: tuple[str, ...]
    schedule_1: tuple[int, ...]

    @property
    def special_category_condition(self) -> bool:
        return bool(self.article_9 or self.schedule_1)

    def describe(self) -> str:
        parts = [f"UK GDPR Art 6(1)({x}) {ARTICLE_6[x]}" for x in self.article_6]
        parts += [f"Art 9(2)({x}) {ARTICLE_9[x]}" for x in self.article_9]
        parts += [f"DPA 2018 Sch 1 para {p}" for p in self.schedule_1]
        return "; ".join(parts)


def read_lawful_basis(text: str) -> LawfulBasis:
    """The bases named in `text` (an Article 6 basis by number or by name)."""
    art6 = {m.lower() for m in _ART6_CODE.findall(text)}
    names = {v: k for k, v in ARTICLE_6.items()}
    for m in _ART6_NAME.findall(text):
        key = m.lower().rstrip("s") if m.lower().endswith("interests") else m.lower()
        key = {"vital interest": "vital interests", "legitimate interest": "legitimate interests"}.get(key, key)
        if key in names:
            art6.add(names[key])
    # "Art 9(2)(g) ... consent" must not read "explicit consent" as an Article 6 basis on its own.
    if not _ART6_CODE.search(text) and _ART9_CODE.search(text):
        art6.discard("a")
    return LawfulBasis(
        article_6=tuple(sorted(art6)),
        article_9=tuple(sorted({m.lower() for m in _ART9_CODE.findall(text)})),
        schedule_1=tuple(sorted({int(p) for p in _SCHEDULE_1.findall(text)})),
    )


def lawful_basis_problem(text: str | None, special_category: bool) -> str | None:
    """Why a lawful-basis text is not acceptable for an agreement, or None when it is."""
    raw = (text or "").strip()
    if not raw or _PLACEHOLDER.match(raw):
        return (
            f"lawful basis {raw!r} is not a basis: name a UK GDPR Article 6(1) basis, e.g. "
            "'UK GDPR Art 6(1)(e) public task'"
        )
    basis = read_lawful_basis(raw)
    if not basis.article_6:
        return (
            f"lawful basis {raw!r} names no UK GDPR Article 6(1) basis (a-f: consent, contract, legal obligation, "
            "vital interests, public task, legitimate interests)"
        )
    if special_category and not basis.special_category_condition:
        return (
            f"lawful basis {raw!r} covers special-category data but names no Article 9(2) condition or DPA 2018 "
            "Schedule 1 condition (e.g. 'DPA 2018 Sch 1 para 18 safeguarding of children')"
        )
    return None
