"""What the CLI writes to the terminal is inert, and what goes wrong ends in one line.

`SafeText` wraps stdout and stderr for the length of a command: every write passes through the engine's
`visible_lines`, so no control or bidirectional character from a record reaches the terminal (line breaks and
tabs are kept; tables escape those per field with `visible`). The escapes are JSON escapes, so `--json`
output stays valid JSON with the same meaning. A terminal that cannot show a character gets its escape too,
instead of a UnicodeEncodeError.

`guard` runs the command: engine errors and database/disk faults become one line and exit 2; anything
unexpected becomes one line naming a log file that holds the details (or shows them with --debug), exit 3.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from peermap.engine import PeermapError, fault_message, settle, visible, visible_lines


class SafeText:
    """A text stream that escapes control and invisible characters on their way to `inner`."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.encoding = getattr(inner, "encoding", None) or "utf-8"
        self.errors = "backslashreplace"

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes with b"" to find binary streams: this is not one
            raise TypeError("write() argument must be str")
        safe = visible_lines(text)
        try:
            self.inner.write(safe)
        except UnicodeEncodeError:
            self.inner.write(safe.encode(self.encoding, "backslashreplace").decode(self.encoding, "replace"))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.inner, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def closed(self) -> bool:
        return bool(getattr(self.inner, "closed", False))

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # no way around the filter
            raise AttributeError(name)
        return getattr(self.inner, name)


def install() -> None:
    """Wrap sys.stdout and sys.stderr (once) for the rest of this command."""
    if not isinstance(sys.stdout, SafeText):
        sys.stdout = SafeText(sys.stdout)
    if not isinstance(sys.stderr, SafeText):
        sys.stderr = SafeText(sys.stderr)


def raw_stderr() -> TextIO:
    """stderr without the filter: only for our own terminal drawing (progress bars), never record text."""
    err = sys.stderr
    return err.inner if isinstance(err, SafeText) else err


def fault_log() -> Path:
    """Where unexpected faults are written in full (PEERMAP_FAULT_LOG, else the user's cache folder)."""
    configured = os.environ.get("PEERMAP_FAULT_LOG")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peermap" / "faults.log"


def _log(exc: BaseException) -> Path | None:
    path = fault_log()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat()} peermap {' '.join(sys.argv[1:])}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"peermap: {message}", file=sys.stderr)


def refused_message(exc: BaseException) -> str | None:
    """PostgreSQL's refusal (a privilege or row-level security policy the login lacks) as one sentence."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError) or exc.orig is None or getattr(exc.orig, "sqlstate", None) != "42501":
        return None
    detail = visible(str(exc.orig).strip().splitlines()[0])
    return (
        f"the database refused this: {detail}. Your login lacks the privilege; ask the partnership's "
        "administrator (`peermap admin users` lists who holds what)"
    )


def guard(
    run: Callable[[], Any],
    *,
    debug: Callable[[], bool],
    url: Callable[[], str | None],
    release: Callable[[], None] = lambda: None,
) -> None:
    """Run the command; every way it can end is an exit code and at most one line (plus the problems).

    `release` closes the command's database connections before `settle`, so SQLite sees the journal a failed
    write left behind as hot and rolls it back now.
    """

    def settled() -> None:
        with contextlib.suppress(Exception):
            release()
        settle(url())

    try:
        run()
    except SystemExit as exc:
        if exc.code not in (0, None):  # a command that said its own sentence (fail()) may have failed mid-write
            settled()
        raise
    except PeermapError as exc:
        settled()
        _say(str(exc))
        sys.exit(2)
    except KeyboardInterrupt:
        _say("interrupted; a change in progress was undone (each change is all or nothing)")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`peermap map --json | head`): nothing more to say, and nowhere to say it.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(141)
    except Exception as exc:
        if debug():
            raise
        sentence = refused_message(exc) or fault_message(exc, url())
        if sentence is not None:
            settled()
            _say(sentence)
            sys.exit(2)
        logged = _log(exc)
        where = f"the details are in {logged}" if logged else "the details could not be logged"
        _say(
            f"unexpected fault ({type(exc).__name__}: {visible(str(exc))[:200]}); any change in progress was "
            f"undone. This is a fault in peermap, not in your data: {where}; run again with --debug to see them, "
            "and please report it"
        )
        sys.exit(3)
