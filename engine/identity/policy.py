"""The identity-matching policy (policies/identity.yaml): levels, m/u probabilities, thresholds, nicknames."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PolicyError
from ..policy_files import read_yaml, shipped
from .text import normalise

# The comparison levels of each field, strongest agreement first. A pair where either side lacks the field
# gets no term for it (weight 0), so missing data neither helps nor hurts a match.
FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "given_name": ("exact", "nickname", "similar", "phonetic", "initial", "related", "disagree"),
    "surname": ("exact", "similar", "phonetic", "related", "disagree"),
    "date_of_birth": ("exact", "transposed", "one_part", "conflict"),
    "birth_year": ("agree", "near", "disagree"),
    "sex": ("agree", "disagree"),
    "area": ("exact", "similar", "disagree"),
    "school": ("agree", "disagree"),
    "address": ("similar", "related", "disagree"),
}
BLOCKING_KEYS = (
    "surname_soundex",
    "given_soundex",
    "name_soundex",
    "given_initial",
    "surname_initial",
    "birth_year",
    "birth_month",
    "birth_day",
    "date_of_birth",
    "area",
    "school",
)
DEFAULT_POLICY_PATH = shipped("identity.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelMU(_Strict):
    """m: how often true matches compare at this level; u: how often different people do (by chance)."""

    m: float = Field(gt=0, lt=1)
    u: float = Field(gt=0, lt=1)


class FieldPolicy(_Strict):
    description: str
    levels: dict[str, LevelMU]


class Thresholds(_Strict):
    propose: float = Field(gt=0, lt=1, description="match probability at which a pair is proposed for review")
    auto_link: float = Field(gt=0, lt=1, description="probability at which a pair may be linked without review")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.auto_link <= self.propose:
            raise ValueError("auto_link must be above propose")
        return self


class AutoLink(_Strict):
    enabled: bool = False
    require: dict[str, list[str]] = Field(
        default_factory=dict, description="field -> levels a pair must reach to be auto-linked"
    )


class Similarity(_Strict):
    similar: float = Field(gt=0, le=1, description="TF-IDF cosine at or above which text is 'similar'")
    related: float = Field(gt=0, le=1, description="TF-IDF cosine at or above which text is 'related'")
    ngram_range: tuple[int, int] = (2, 3)


class Blocking(_Strict):
    passes: list[list[str]]
    max_block: int = Field(gt=1, description="blocks larger than this are skipped (too common to discriminate)")

    @field_validator("passes")
    @classmethod
    def _known_keys(cls, passes: list[list[str]]) -> list[list[str]]:
        for p in passes:
            unknown = [k for k in p if k not in BLOCKING_KEYS]
            if not p or unknown:
                raise ValueError(f"blocking pass {p} uses unknown keys {unknown}; known: {list(BLOCKING_KEYS)}")
        return passes


class UEstimation(_Strict):
    sample_pairs: int = Field(ge=0, description="random record pairs compared to estimate u from the data")
    pseudo_pairs: int = Field(ge=1, description="weight of the policy's u, in pairs, when blending with the data")
    seed: int = 0


class TwinPattern(_Strict):
    """Same surname and date of birth but a different first name: twins break the independence assumption."""

    weight: float = Field(le=0, description="log2 odds added to such pairs")
    shared_fields: list[str] = Field(description="fields twins share, whose agreement then counts for nothing")

    @field_validator("shared_fields")
    @classmethod
    def _known_fields(cls, fields: list[str]) -> list[str]:
        unknown = [f for f in fields if f not in FIELD_LEVELS]
        if unknown:
            raise ValueError(f"unknown fields {unknown}")
        return fields


class IdentityPolicy(_Strict):
    version: str
    prior_match_probability: float = Field(gt=0, lt=1)
    thresholds: Thresholds
    auto_link: AutoLink
    similarity: Similarity
    blocking: Blocking
    u_estimation: UEstimation
    twin_pattern: TwinPattern
    fields: dict[str, FieldPolicy]
    nicknames: list[list[str]]

    @field_validator("fields")
    @classmethod
    def _levels_complete(cls, fields: dict[str, FieldPolicy]) -> dict[str, FieldPolicy]:
        if set(fields) != set(FIELD_LEVELS):
            raise ValueError(f"fields must be exactly {sorted(FIELD_LEVELS)}, got {sorted(fields)}")
        for name, f in fields.items():
            if set(f.levels) != set(FIELD_LEVELS[name]):
                raise ValueError(f"{name}: levels must be {list(FIELD_LEVELS[name])}, got {list(f.levels)}")
            for which in ("m", "u"):
                total = sum(getattr(lv, which) for lv in f.levels.values())
                if not math.isclose(total, 1.0, abs_tol=0.01):
                    raise ValueError(f"{name}: {which} probabilities must sum to 1 (they sum to {total:.4f})")
        return fields

    @field_validator("nicknames")
    @classmethod
    def _nicknames_normal(cls, groups: list[list[str]]) -> list[list[str]]:
        for g in groups:
            if len(g) < 2:
                raise ValueError(f"nickname group {g} needs at least two names")
            bad = [n for n in g if normalise(n) != n or " " in n]
            if bad:
                raise ValueError(f"nickname group {g}: write names as single lower-case words ({bad})")
        return groups

    @model_validator(mode="after")
    def _auto_link_levels(self) -> IdentityPolicy:
        for name, levels in self.auto_link.require.items():
            if name not in FIELD_LEVELS or not set(levels) <= set(FIELD_LEVELS[name]):
                raise ValueError(f"auto_link.require: {name}: {levels} are not levels of a known field")
        return self

    def m(self, field: str) -> list[float]:
        return [self.fields[field].levels[lv].m for lv in FIELD_LEVELS[field]]

    def u(self, field: str) -> list[float]:
        return [self.fields[field].levels[lv].u for lv in FIELD_LEVELS[field]]


def parse_identity_policy(data: Any, source: str = "identity policy") -> IdentityPolicy:
    try:
        return IdentityPolicy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise PolicyError(f"{source} is invalid: {problems}") from None


def load_identity_policy(path: str | Path | None = None) -> IdentityPolicy:
    """Load and validate the identity policy (default: the shipped policies/identity.yaml)."""
    p = Path(path) if path else DEFAULT_POLICY_PATH
    return parse_identity_policy(read_yaml(p, "identity policy"), str(p))
