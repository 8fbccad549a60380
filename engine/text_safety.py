"""Record text that reaches a terminal is inert: control and invisible characters are shown, not obeyed.

A name can hold ESC sequences (clear the screen, retitle the window, move the cursor), a carriage return or
backspaces (overwrite what was printed), or bidirectional overrides (show `P001` for `100P`). Every string
from records that the CLI or TUI shows passes through `visible` (single-line fields) or `visible_lines`
(text whose line breaks are meant), which replace each such character by its escape: `\\x1b`, `\\u202e`.

C0 controls are written `\\xNN`; everything else `\\uXXXX` (astral characters as a surrogate pair), which is
also a valid JSON escape, so filtering JSON output leaves it valid JSON with the same meaning.
"""

from __future__ import annotations

import re

# C0 (including ESC, CR, BS) and DEL and C1; Arabic letter mark; Mongolian vowel separator; zero-width
# characters and directional marks; line/paragraph separators, bidirectional embeddings and overrides;
# word joiner and invisible operators; bidirectional isolates; byte-order mark; interlinear annotation;
# lone surrogates (not text at all); tag characters (invisible).
_CONTROL = "\x00-\x1f\x7f-\x9f"
_INVISIBLE = (
    "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")


def escape_char(ch: str) -> str:
    """The visible escape of one character."""
    code = ord(ch)
    if code < 0x20:
        return f"\\x{code:02x}"
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _sub(match: re.Match[str]) -> str:
    return escape_char(match.group())


def visible(text: object) -> str:
    """One field of a record as a terminal may show it: every control and invisible character escaped,
    line breaks and tabs included (a name cannot start a new line of a table)."""
    s = "" if text is None else str(text)
    return _UNSAFE.sub(_sub, s)


def visible_lines(text: object) -> str:
    """Text whose line breaks and tabs are meant (a message, a multi-line note): all else escaped."""
    s = "" if text is None else str(text)
    return _UNSAFE_KEEP_LINES.sub(_sub, s)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


# A spreadsheet evaluates a cell that starts with one of these (tab and CR start one in some importers).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix text a spreadsheet would evaluate (=, +, -, @, tab, CR) with an apostrophe: the one neutraliser
    (reports, the map picture and CSV exports all use it)."""
    return "'" + text if text.startswith(FORMULA_START) and len(text) > 1 else text
