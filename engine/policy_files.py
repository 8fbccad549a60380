"""Reading the YAML policy files in `policies/`: one place for the file and YAML errors every loader gives."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import PolicyError


def shipped(name: str) -> Path:
    """The path of a policy file shipped in the `policies` package."""
    return Path(str(resources.files("peermap.policies").joinpath(name)))


def read_yaml(path: Path, what: str) -> Any:
    """Parse a YAML policy file; PolicyError names the file (and line and column) when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return fast_yaml(text)
    except yaml.YAMLError:
        pass
    try:  # the pure-Python parser again, for its messages (libyaml words some problems differently)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{path}: not valid YAML{where}: {problem}") from None


def fast_yaml(text: str) -> Any:
    """YAML through libyaml when PyYAML has it (the same values, several times faster than pure Python)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
