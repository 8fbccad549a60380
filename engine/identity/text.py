"""Name text: normalisation, given/surname split, and a Soundex phonetic key (no dependency)."""

from __future__ import annotations

import re
import unicodedata

_NON_LETTER = re.compile(r"[^a-z ]+")
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_SOUNDEX_CODE = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def _fold(text: str, keep: re.Pattern[str]) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    folded = folded.replace("'", "").replace("-", " ")
    return _SPACES.sub(" ", keep.sub(" ", folded)).strip()


def normalise(text: str | None) -> str:
    """A name as lower-case ASCII letters and single spaces: 'Zoë  O'Brien-Smith' -> 'zoe obrien smith'."""
    return _fold(text, _NON_LETTER) if text else ""


def normalise_text(text: str | None) -> str:
    """A place or address: like normalise() but keeping digits ('SE15 4QP' -> 'se15 4qp')."""
    return _fold(text, _NON_ALNUM) if text else ""


def split_name(full: str | None) -> tuple[str, str]:
    """(given names, surname) from a display name; 'Smith, Jay' is read surname first."""
    if not full:
        return "", ""
    if "," in full:
        surname, _, given = full.partition(",")
        return normalise(given), normalise(surname)
    words = [w for w in full.split() if normalise(w)]  # split before normalising keeps "O'Brien-Smith" whole
    if not words:
        return "", ""
    if len(words) == 1:
        return normalise(words[0]), ""
    return normalise(" ".join(words[:-1])), normalise(words[-1])


def first_given(given: str) -> str:
    """The first given name, which is the one nicknames and initials refer to."""
    return given.split(" ", 1)[0] if given else ""


def soundex(word: str) -> str:
    """American Soundex of the first word (letter + 3 digits), '' for no letters: Smith, Smyth -> S530."""
    word = normalise(word).replace(" ", "")
    if not word:
        return ""
    out = word[0].upper()
    last = _SOUNDEX_CODE.get(word[0], "")
    for ch in word[1:]:
        code = _SOUNDEX_CODE.get(ch, "")
        if code and code != last:
            out += code
            if len(out) == 4:
                break
        if ch not in "hw":  # h and w do not separate letters with the same code; vowels do
            last = code
    return out.ljust(4, "0")
