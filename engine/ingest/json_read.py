"""Reading a JSON interchange file within limits: every way the parse can fail becomes a problem.

JSON from another system can be malformed in ways `json.loads` accepts silently (a key given twice keeps
the last value) or fails on with exceptions that are not `JSONDecodeError` (100,000 levels of nesting raise
RecursionError; a 5,000-digit number raises ValueError). Here each of those is a problem naming the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import InputProblem
from .limits import MB, JsonLimits


class JsonObject(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once (the parse keeps the last)."""

    repeated: tuple[str, ...] = ()


class _Refused(Exception):
    """A value the limits refuse, raised from inside the parse."""


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _digits(literal: str) -> int:
    mantissa = literal.lower().split("e", 1)[0]
    return sum(ch.isdigit() for ch in mantissa.lstrip("-0.")) or 1


def _hooks(limits: JsonLimits) -> dict[str, Any]:
    most = limits.max_number_digits

    def pairs(items: list[tuple[str, Any]]) -> JsonObject:
        obj = JsonObject(items)
        if len(obj) != len(items):
            seen: set[str] = set()
            again: list[str] = []
            for k, _ in items:
                if k in seen and k not in again:
                    again.append(k)
                seen.add(k)
            obj.repeated = tuple(again)
        return obj

    def parse_int(literal: str) -> int:
        # Checked before int() so a 5,000-digit literal never reaches Python's own digit limit.
        if _digits(literal) > most:
            raise _Refused(
                f"the number {_short(literal)} has {_digits(literal)} digits; numbers may have at most {most} "
                "(write a long identifier as text, in quotes)"
            )
        return int(literal)

    def parse_float(literal: str) -> float:
        if _digits(literal) > most:
            raise _Refused(f"the number {_short(literal)} has more than {most} significant digits")
        value = float(literal)
        if math.isinf(value) or (value == 0.0 and any(ch in "123456789" for ch in literal.lower().split("e")[0])):
            raise _Refused(f"the number {_short(literal)} is outside the range a number can hold")
        return value

    def parse_constant(name: str) -> Any:
        raise _Refused(f"{name} is not a number JSON allows")

    return {
        "object_pairs_hook": pairs,
        "parse_int": parse_int,
        "parse_float": parse_float,
        "parse_constant": parse_constant,
    }


def _too_deep(data: Any, limit: int) -> bool:
    """True when containers nest deeper than `limit` (iterative: deep input cannot exhaust the stack)."""
    if not isinstance(data, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def load_json(path: Path, limits: JsonLimits, problems: list[InputProblem]) -> Any | None:
    """The parsed document (objects as JsonObject), or None with a problem naming the file."""
    file = path.name

    def problem(reason: str, row: int | None = None) -> None:
        problems.append(InputProblem(file, row, None, reason))

    try:
        size = path.stat().st_size
        if size > limits.max_mb * MB:
            problem(
                f"the file is {size / MB:.0f} MB; a JSON import may be at most {limits.max_mb} MB "
                "(import large data as a folder of CSV files, or raise json.max_mb in import-limits.yaml)"
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problem(f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem("this is not a JSON text file (not UTF-8)", raw[: exc.start].count(b"\n") + 1)
        return None
    del raw
    try:
        data = json.loads(text, **_hooks(limits))
    except json.JSONDecodeError as exc:
        problem(f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", exc.lineno)
        return None
    except _Refused as exc:
        problem(f"this JSON is refused: {exc}")
        return None
    except RecursionError:
        problem(f"this JSON is nested too deeply (the format needs 3 levels; at most {limits.max_depth} are read)")
        return None
    except (ValueError, MemoryError) as exc:
        problem(f"this JSON cannot be read: {type(exc).__name__}: {_short(str(exc), 120)}")
        return None
    if _too_deep(data, limits.max_depth):
        problem(f"this JSON is nested too deeply (the format needs 3 levels; at most {limits.max_depth} are read)")
        return None
    return data
