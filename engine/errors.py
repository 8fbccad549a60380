"""Exceptions the engine raises; the CLI and TUI turn them into messages."""

from __future__ import annotations

from dataclasses import dataclass


class PeermapError(Exception):
    """Base class: a problem the user can act on, with a message that says what and where."""


class SchemaVersionError(PeermapError):
    """The database was written by another schema version of peermap."""


class PermissionDenied(PeermapError):
    """The actor's role may not do this."""


class NotFound(PeermapError):
    """An id that does not exist (or that the caller may not see)."""


class PolicyError(PeermapError):
    """A policy file or a proposed policy is invalid."""


@dataclass(frozen=True)
class InputProblem:
    """One bad thing in an input: where (file, row as line number, field) and why."""

    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.reason}"


class ImportRejected(PeermapError):
    """An import found problems; nothing was written."""

    def __init__(self, problems: list[InputProblem], truncated: int = 0) -> None:
        self.problems = problems
        self.truncated = truncated
        lines = [str(p) for p in problems]
        if truncated:
            lines.append(f"... and {truncated} more problems")
        super().__init__(
            f"import rejected, nothing written ({len(problems) + truncated} problems):\n" + "\n".join(lines)
        )


class DatabaseBusy(PeermapError):
    """Another process held the lock this one needed for longer than the lock timeout; nothing was changed."""


class PolicyConflict(PolicyError):
    """Another policy commit came first: the proposal was based on a version that is no longer the latest."""


class OutputRefused(PeermapError):
    """An output path that would destroy an input, or a file peermap did not write."""


class DatabaseFault(PeermapError):
    """The database or its disk is unusable as it is (corrupt, read-only, full, missing, not peermap's)."""
