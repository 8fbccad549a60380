"""Record text is data, never markup: every name, note or reason reaches the screen through these helpers.

Control and bidirectional characters are shown escaped (`\\x1b`, `\\u202e`) by the engine's `visible_lines`.
"""

from __future__ import annotations

from rich.text import Text

from peermap.engine import load_language_guide, visible_lines


def plain(value: object, style: str = "") -> Text:
    """A Text that shows `value` literally, whatever brackets or control characters it holds (escaped:
    an ESC in a name must never reach the terminal)."""
    return Text(visible_lines(value), style=style, no_wrap=False)


def flagged(value: object, style: str = "") -> Text:
    """A note shown literally, with wording the language guidance flags marked where it stands (underlined,
    with a ⚑ and the better wording after the note), so practitioners see it where they read it."""
    text = visible_lines(value)
    out = Text(text, style=style, no_wrap=False)
    hits = load_language_guide().find(text)
    for hit in hits:
        out.stylize("bold underline yellow", hit.start, hit.start + len(hit.phrase))
    for hit in hits:
        out.append(f"  ⚑ “{hit.phrase}”: say {hit.suggest}", style="yellow")
    return out


def join(*parts: Text | str | tuple[str, str]) -> Text:
    """Assemble Text from literal parts; tuples are (text, style). Strings are literal, never markup."""
    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            out.append(visible_lines(part[0]), style=part[1])
        elif isinstance(part, Text):
            out.append(part)
        else:
            out.append(visible_lines(part))
    return out


def count(n: int, one: str, many: str) -> str:
    """'1 place', '3 places'."""
    return f"{n} {one if n == 1 else many}"


def describe(exc: BaseException) -> str:
    """An error as a user reads it: the engine's own message, or the fault named so it can be reported."""
    from peermap.engine import PeermapError, fault_message

    if isinstance(exc, PeermapError):
        return visible_lines(str(exc))
    sentence = fault_message(exc)  # a full disk, a read-only or damaged database: what to do, not a type name
    if sentence is not None:
        return visible_lines(sentence)
    return visible_lines(f"{type(exc).__name__}: {exc} (a fault in peermap, not in your data: please report it)")
