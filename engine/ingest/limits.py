"""The import limits (policies/import-limits.yaml): how much of a file an import reads before refusing it.

The limits are data so a partnership can raise them for an honest large file without editing code; the
readers check them while streaming, so a file built to exhaust memory or time is refused early.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import PolicyError
from ..policy_files import read_yaml, shipped

MB = 1024 * 1024
DEFAULT_LIMITS_PATH = shipped("import-limits.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class XlsxLimits(_Strict):
    max_uncompressed_mb: int = Field(gt=0)
    max_part_mb: int = Field(gt=0)
    max_parts: int = Field(gt=0)
    max_shared_strings: int = Field(gt=0)
    max_shared_text_mb: int = Field(gt=0)
    max_rows: int = Field(gt=0, le=1048576)
    max_columns: int = Field(gt=0, le=16384)
    max_cells: int = Field(gt=0)


class JsonLimits(_Strict):
    max_mb: int = Field(gt=0)
    max_depth: int = Field(ge=3, le=500, description="the format itself needs 3 levels")
    max_number_digits: int = Field(gt=0, le=4000)


class CsvLimits(_Strict):
    max_mb: int = Field(gt=0)
    max_field_mb: int = Field(gt=0)


class ImportLimits(_Strict):
    version: str
    xlsx: XlsxLimits
    json_: JsonLimits = Field(alias="json")
    csv: CsvLimits


def parse_import_limits(data: Any, source: str = "import limits") -> ImportLimits:
    try:
        return ImportLimits.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise PolicyError(f"{source} is invalid: {problems}") from None


@lru_cache(maxsize=4)
def _load(path: str) -> ImportLimits:
    return parse_import_limits(read_yaml(Path(path), "import limits"), path)


def load_import_limits(path: str | Path | None = None) -> ImportLimits:
    """Load and validate the import limits: `path`, else the file PEERMAP_IMPORT_LIMITS names (a local copy
    with a limit raised), else the shipped policies/import-limits.yaml."""
    return _load(str(path or os.environ.get("PEERMAP_IMPORT_LIMITS") or DEFAULT_LIMITS_PATH))
