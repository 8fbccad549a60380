"""Recognising young people's names and ids in free text: the matchers the one redactor (engine.redaction) uses.

Plain text algorithms over names, low in the engine so the rules' trace can redact the notes it shows as well as
the reports can. What a role may see, and the Redactor built from a map, are in engine.redaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .snapshot import Snapshot

ANOTHER = "another young person"

_WORD = re.compile(r"\w+")


class NameMatcher:
    """Finds whole strings (ids, exact names) in text in one pass, keyed on their first two words, so tens of
    thousands stay fast (every id of a city starts with the same word, "YP")."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_words: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
            words = list(_WORD.finditer(name))
            if words:
                second = words[1].group(0).lower() if len(words) > 1 else ""
                self._by_words[(words[0].group(0).lower(), second)].append((words[0].start(), name.lower()))
        self._first = {first for first, _ in self._by_words}

    def __bool__(self) -> bool:
        return bool(self._by_words)

    def sub(self, text: str, replacement: str) -> str:
        if not any(w in self._first for w in _WORD.findall(text.lower())):
            return text
        out: list[str] = []
        pos = 0
        words = list(_WORD.finditer(text))
        for i, m in enumerate(words):
            first = m.group(0).lower()
            if first not in self._first:
                continue
            # A name found here spans this word and (when it has two) the next: text[start:end] must equal it,
            # so its second word is the text's next word. Longest first, as one list sorted by length was.
            after = words[i + 1].group(0).lower() if i + 1 < len(words) else None
            candidates = sorted(
                [*self._by_words.get((first, after), ()), *self._by_words.get((first, ""), ())]
                if after is not None
                else self._by_words.get((first, ""), ()),
                key=lambda c: -len(c[1]),
            )
            for offset, name in candidates:
                start = m.start() - offset
                end = start + len(name)
                if start < pos or text[start:end].lower() != name:
                    continue
                if (start > 0 and _is_word(text[start - 1]) and _is_word(name[0])) or (
                    end < len(text) and _is_word(text[end]) and _is_word(name[-1])
                ):
                    continue
                out.append(text[pos:start])
                out.append(replacement)
                pos = end
                break
        out.append(text[pos:])
        return "".join(out)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# Name parts that are also ordinary English words. A bare first name or surname that is one of these is
# replaced only when written with a capital letter ("Grace said" is redacted, "with grace" is not); full names
# ("grace smith") are replaced in any case. The list is about words a practitioner writes in a note, not a
# ranking of names: add a word when a real note shows it being over-redacted.
_COMMON_WORDS = """
    amber april autumn baker bell best bill black blue bright brook brown bush carter chance chase cook cooper
    crystal daisy dawn destiny dean eden faith field fisher ford fox frank free friend gay glass gold golden
    grace grant green grey gray guy hall hardy hazel heather hill holly hope hunter iris ivy jack jade jay joy
    june just king lane lily little long love major mark marsh mason may mercy miles mill mills moon moss
    noble north page park parker patience pat penny pierce poppy precious price rich ray reed rose ruby
    rush sage sharp shay short sky skye small smart spring star stone storm strong summer sunny sweet taylor
    travis true walker ward west white wood woods young will
"""
COMMON_WORDS: frozenset[str] = frozenset(_COMMON_WORDS.split())

# Between the parts of a name a person may write spaces, hyphens or dashes, apostrophes (O'Brien), and, when
# the surname comes first, one comma ("SMITH, Jayden").
_TOKEN = re.compile(r"[^\W_]+")
_SEP = re.compile(r"[\s\-\u2010-\u2015'\u2019]+")
_SEP_COMMA = re.compile(r"[\s\-\u2010-\u2015'\u2019]*,?[\s\-\u2010-\u2015'\u2019]*")


class _Form(NamedTuple):
    tokens: tuple[str, ...]
    comma_at: int  # a comma may follow this token index (-1: nowhere)
    bare: bool  # a first name or surname on its own


class _Person(NamedTuple):
    forms: list[_Form]
    parts: list[tuple[str, ...]]  # the bare parts: first name, surname


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN.findall(text))


def name_forms(name: str) -> _Person:
    """Every form a person writes a name in: "First [Middle] Surname", "First Surname", "SURNAME, First
    [Middle]", and the first name or surname alone. Case, spacing and hyphens are the matcher's business."""
    words = [w for w in (_tokens(x) for x in name.split()) if w]
    if not words:
        return _Person([], [])
    if len(words) == 1:
        return _Person([_Form(words[0], -1, False)], [])
    first, middle, last = words[0], [t for w in words[1:-1] for t in w], words[-1]
    forms = [
        _Form(first + tuple(middle) + last, -1, False),
        _Form(first + last, -1, False),
        _Form(last + first + tuple(middle), len(last) - 1, False),
        _Form(last + first, len(last) - 1, False),
        _Form(first, -1, True),
        _Form(last, -1, True),
    ]
    return _Person(list(dict.fromkeys(forms)), [first, last])


class VariantMatcher:
    """Finds left-out young people's names in every written form, in one pass over the text's words.

    Full forms (first and surname, either order) are always replaced. A bare first name or surname is
    replaced when it is unambiguous: no young person who may be named here has that part, or the text
    itself names a left-out young person with it in full and names no visible one with it in full. A bare
    part that is an ordinary word (COMMON_WORDS) must be capitalised to count. Matching is on whole words
    only: "Kai" never matches inside "Kaiser".
    """

    def __init__(self, hidden: Iterable[str], visible: Iterable[str]) -> None:
        self._index: dict[str, list[tuple[_Form, int, bool]]] = defaultdict(list)
        self._part_owners: dict[tuple[str, ...], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
        hidden, visible = sorted(set(hidden)), sorted(set(visible))
        owners: list[tuple[str, bool]] = [(n, True) for n in hidden] + [(n, False) for n in visible]
        # Two young people may share a full name; when one of them is left out, the full name is replaced
        # (the left-out one wins), but the visible one still makes the bare parts ambiguous.
        hidden_full = {_tokens(n) for n in hidden}
        seen: set[tuple[tuple[str, ...], bool, bool]] = set()
        for owner, (name, is_hidden) in enumerate(owners):
            person = name_forms(name)
            for part in person.parts:
                self._part_owners[part][0 if is_hidden else 1].add(owner)
            for form in person.forms:
                key = (form.tokens, form.bare, is_hidden)
                if (form.bare and key in seen) or (not is_hidden and not form.bare and form.tokens in hidden_full):
                    continue
                seen.add(key)
                self._index[form.tokens[0]].append((form, owner, is_hidden))
        for forms in self._index.values():
            # Longest first; at equal length a full form before a bare one, a left-out name before a visible.
            forms.sort(key=lambda f: (-len(f[0].tokens), f[0].bare, not f[2]))

    def __bool__(self) -> bool:
        return bool(self._index)

    def _match(self, text: str, words: list[re.Match[str]], i: int) -> tuple[_Form, int, bool] | None:
        for form, owner, is_hidden in self._index.get(words[i].group(0).lower(), ()):
            n = len(form.tokens)
            if i + n > len(words):
                continue
            ok = True
            for k in range(1, n):
                w = words[i + k]
                if w.group(0).lower() != form.tokens[k]:
                    ok = False
                    break
                gap = text[words[i + k - 1].end() : w.start()]
                sep = _SEP_COMMA if k - 1 == form.comma_at else _SEP
                if not gap or sep.fullmatch(gap) is None:
                    ok = False
                    break
            if ok:
                return form, owner, is_hidden
        return None

    def sub(self, text: str, replacement: str) -> str:
        words = list(_TOKEN.finditer(text))
        if not any(w.group(0).lower() in self._index for w in words):
            return text
        found: list[tuple[int, int, _Form, int, bool]] = []
        i = 0
        while i < len(words):
            m = self._match(text, words, i)
            if m is None:
                i += 1
                continue
            form, owner, is_hidden = m
            j = i + len(form.tokens) - 1
            found.append((words[i].start(), words[j].end(), form, owner, is_hidden))
            i = j + 1
        named_hidden = {o for _, _, f, o, h in found if h and not f.bare}
        named_visible = {o for _, _, f, o, h in found if not h and not f.bare}
        out: list[str] = []
        pos = 0
        for start, end, form, _owner, is_hidden in found:
            if not self._replace(text[start:end], form, is_hidden, named_hidden, named_visible):
                continue
            out.append(text[pos:start])
            out.append(replacement)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _replace(
        self, written: str, form: _Form, is_hidden: bool, named_hidden: set[int], named_visible: set[int]
    ) -> bool:
        if not form.bare:
            return is_hidden
        hidden_owners, visible_owners = self._part_owners[form.tokens]
        if not hidden_owners:
            return False
        if len(form.tokens) == 1 and form.tokens[0] in COMMON_WORDS and not written[:1].isupper():
            return False
        if not visible_owners:
            return True
        return bool(hidden_owners & named_hidden) and not (visible_owners & named_visible)


def others_redacted(snapshot: Snapshot, keep: Iterable[str]) -> VariantMatcher:
    """A matcher for notes shown beside one link: every young person but the link's own ends is replaced.

    Explaining a link tells the reader about two nodes only, so other young people in its notes are not
    named even when they are on the map (need to know).
    """
    kept = set(keep)
    return VariantMatcher(
        (p.name for pid, p in snapshot.people.items() if pid not in kept),
        (snapshot.people[k].name for k in kept if k in snapshot.people),
    )
