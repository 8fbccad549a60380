"""Evidence rule packs: declarative YAML rules mapping evidence items onto opinions, validated by pydantic.

A pack has `version`, `description`, `settings` and an ordered list of `rules`. Each rule has an `id`, a
plain-English `description`, an optional `why`, a condition `when` over one evidence item and an effect
`then`. How matching rules combine (docs/policies.md, "Evidence rule packs"):

* an **exclude** rule (`then: {exclude: reason}`) wins over everything: the item is not used; the first
  matching exclude rule in pack order gives the reason;
* the first matching rule with an `opinion` or `evidence` effect gives the item's **base opinion**; an item
  no such rule matches is not used ("no rule gives an opinion for it");
* **modifiers** of every matching rule apply, in pack order: `trust` discounts multiply, `weight`s multiply,
  `cap_belief` takes the lowest cap, and `half_life_days` of the last matching rule replaces the default.

Per item the engine then: takes the base opinion; swaps belief and disbelief for a refuting item; applies
the trust discount, the weight (on evidence counts) and the belief cap; keeps uncertainty at least
W / (W + max_item_evidence); and finally ages the opinion by 2^(-age / half-life).

Items outside a sharing agreement, past retention or withdrawn are never used, whatever the pack says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PolicyError
from ..grading import CREDIBILITY, RELIABILITY, SCHEMES, Scheme
from ..policy_files import read_yaml, shipped
from ..vocab import AgencyKind, CollectionMethod, Polarity, Relation

DEFAULT_PACK_NAME = "evidence-rules.yaml"
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(v: Any) -> Any:
    """Conditions accept one value or a list of values."""
    if v is None or isinstance(v, list):
        return v
    return [v]


class OpinionSpec(_Strict):
    """A base opinion given directly: belief + disbelief + uncertainty = 1, uncertainty > 0."""

    belief: float = Field(ge=0, le=1)
    disbelief: float = Field(default=0.0, ge=0, le=1)
    uncertainty: float = Field(gt=0, le=1, description="> 0: a dogmatic opinion overrides everything.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> OpinionSpec:
        total = self.belief + self.disbelief + self.uncertainty
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"belief + disbelief + uncertainty must be 1, not {total:g}")
        return self


class EvidenceSpec(_Strict):
    """A base opinion given as evidence counts: r supporting and s refuting observations."""

    r: float = Field(ge=0, description="supporting observations")
    s: float = Field(default=0.0, ge=0, description="refuting observations")


class AgeRange(_Strict):
    """Age of the item in days (as-at date minus observed date), inclusive bounds."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min and/or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class When(_Strict):
    """Condition over one evidence item: every given field must hold; a list matches any of its values."""

    relation: list[Relation] | None = None
    agency_kind: list[AgencyKind] | None = None
    agency: list[str] | None = Field(default=None, description="agency ids as in the evidence")
    scheme: list[Scheme] | None = None
    reliability: list[str] | None = Field(default=None, description="source codes, e.g. B, R, first_hand")
    credibility: list[str] | None = Field(default=None, description="information codes, e.g. 2")
    polarity: Polarity | None = None
    source_ref: Literal["present", "absent"] | None = None
    collection_method: list[CollectionMethod] | None = Field(
        default=None, description="how the item was collected (social_media, open_source, ...)"
    )
    age_days: AgeRange | None = None

    _listify = field_validator(
        "relation", "agency_kind", "agency", "scheme", "reliability", "credibility", "collection_method", mode="before"
    )(_as_list)

    @field_validator("reliability", "credibility", mode="before")
    @classmethod
    def _codes_as_text(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v

    def schemes(self) -> tuple[Scheme, ...]:
        return tuple(self.scheme) if self.scheme else SCHEMES

    @property
    def dynamic(self) -> bool:
        """True when the condition needs more than the item's grading, polarity, relation and agency kind."""
        return self.agency is not None or self.age_days is not None


class Then(_Strict):
    """Effect on a matching item."""

    opinion: OpinionSpec | None = None
    evidence: EvidenceSpec | None = None
    trust: float | None = Field(default=None, gt=0, le=1, description="trust discount p in (0, 1]")
    weight: float | None = Field(default=None, gt=0, description="multiplies the item's evidence counts")
    half_life_days: float | None = Field(default=None, gt=0)
    cap_belief: float | None = Field(default=None, ge=0, lt=1)
    exclude: str | None = Field(default=None, min_length=1, description="do not use the item; the reason")
    untested: bool | None = Field(
        default=None,
        description=(
            "true: the item's source is anonymous or untested; a link none of whose used items is tested has "
            "its belief capped at settings.untested_link_cap, however many agencies record it"
        ),
    )

    @model_validator(mode="after")
    def _coherent(self) -> Then:
        given = [k for k, v in self.__dict__.items() if v is not None]
        if not given:
            raise ValueError(
                "a rule must have an effect: opinion, evidence, trust, weight, half_life_days, cap_belief, "
                "untested or exclude"
            )
        if self.exclude is not None and len(given) > 1:
            others = ", ".join(k for k in given if k != "exclude")
            raise ValueError(f"exclude cannot be combined with {others}")
        if self.opinion is not None and self.evidence is not None:
            raise ValueError("give opinion or evidence, not both")
        return self

    @property
    def is_base(self) -> bool:
        return self.opinion is not None or self.evidence is not None


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID_PATTERN)
    description: str = Field(min_length=1, description="plain English, shown in traces")
    why: str | None = Field(default=None, description="the reasoning behind the choice")
    when: When = Field(default_factory=When)
    then: Then


class Settings(_Strict):
    base_rate: float = Field(default=0.2, gt=0, lt=1, description="a: prior probability of a claimed link")
    prior_weight: float = Field(default=2.0, gt=0, description="W in b = r/(r+s+W)")
    half_life_days: float = Field(default=365.0, gt=0, description="default ageing half-life")
    same_origin_window_days: int = Field(
        default=7,
        ge=1,
        le=366,
        description=(
            "items from one agency with no source_ref share an origin when observed in the same window: "
            "days since 1969-12-29 (a Monday) integer-divided by this, so 7 = ISO week"
        ),
    )
    max_item_evidence: float = Field(
        default=8.0,
        gt=0,
        le=1000,
        description=("no single item counts for more than this many observations, so u >= W/(W + this)"),
    )
    same_origin_fusion: Literal["average", "strongest"] = Field(
        default="average",
        description=("average: mean of the records' evidence counts (averaging fusion); strongest: the largest counts"),
    )
    untested_link_cap: float = Field(
        default=0.15,
        ge=0,
        lt=1,
        description=(
            "belief cap of a link whose every used item is from an anonymous or untested source (rules with "
            "untested: true): such sources never carry a link on their own"
        ),
    )


class RulePack(_Strict):
    version: str = Field(min_length=1)
    description: str = Field(min_length=1)
    settings: Settings = Field(default_factory=Settings)
    rules: list[Rule] = Field(min_length=1)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def u_min(self) -> float:
        s = self.settings
        return s.prior_weight / (s.prior_weight + s.max_item_evidence)


def default_pack_path() -> Path:
    """policies/evidence-rules.yaml, from the installed `policies` package."""
    return shipped(DEFAULT_PACK_NAME)


def load_rule_pack(path: Path | str | None = None) -> RulePack:
    """Load and validate a rule pack (default: the shipped policies/evidence-rules.yaml).

    Raises PolicyError naming the file, the rule id and the field for every problem found.
    """
    p = Path(path) if path is not None else default_pack_path()
    return parse_rule_pack(read_yaml(p, "rule pack"), str(p))


def parse_rule_pack(data: Any, source: str = "<rule pack>") -> RulePack:
    """Validate already-parsed YAML/JSON data as a rule pack; `source` names it in error messages."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a rule pack must be a mapping with version, description and rules")
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as exc:
        raise PolicyError("\n".join(_format_error(source, data, e) for e in exc.errors())) from None
    problems = _semantic_problems(pack)
    if problems:
        raise PolicyError("\n".join(f"{source}: {_where(pack.rules[i].id, i)}{fld}: {msg}" for i, fld, msg in problems))
    return pack


def _where(rule_id: str | None, index: int) -> str:
    return f"rule {rule_id!r} (rules[{index}]): " if rule_id else f"rules[{index}]: "


def _format_error(source: str, data: dict[str, Any], err: Any) -> str:
    loc = list(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    prefix = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        rules = data.get("rules")
        raw = rules[index] if isinstance(rules, list) and index < len(rules) else None
        rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        prefix = _where(rid, index)
        loc = loc[2:]
    field = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in loc).lstrip(".") or "(pack)"
    if not prefix and field == "(pack)":
        return f"{source}: {msg}"
    return f"{source}: {prefix}{field}: {msg}"


def _semantic_problems(pack: RulePack) -> list[tuple[int, str, str]]:
    """Checks pydantic cannot express per field: codes valid in the rule's schemes, unique ids."""
    out: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in seen:
            out.append((i, "id", f"duplicate rule id (also rules[{seen[rule.id]}])"))
        seen.setdefault(rule.id, i)
        schemes = rule.when.schemes()
        for fld, scale in (("reliability", RELIABILITY), ("credibility", CREDIBILITY)):
            codes = getattr(rule.when, fld)
            for code in codes or ():
                if not any(code in scale[s] for s in schemes):
                    valid = "; ".join(f"{s.value}: {', '.join(scale[s])}" for s in schemes)
                    out.append((i, f"when.{fld}", f"{code!r} is not a {fld} code of the rule's schemes ({valid})"))
    return out


def rule_pack_json_schema() -> dict[str, Any]:
    """The JSON Schema of a rule pack (published as docs/schema/rule-pack.schema.json)."""
    schema = RulePack.model_json_schema()
    # Conditions accept one value or a list (and grading codes may be written as bare numbers).
    for prop in schema["$defs"]["When"]["properties"].values():
        for alt in list(prop.get("anyOf", [])):
            if alt.get("type") == "array":
                item = dict(alt["items"])
                if item.get("type") == "string":
                    item = {"type": ["string", "integer"]}
                    alt["items"] = item
                prop["anyOf"].insert(0, item)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "peermap evidence rule pack"
    return schema


def rule_pack_json_schema_text() -> str:
    return json.dumps(rule_pack_json_schema(), indent=2, sort_keys=True) + "\n"
