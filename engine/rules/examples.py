"""Worked examples for the evidence rule pack: for each rule id, evidence items it must fire on and items
it must not (policies/evidence-rules.examples.yaml), validated by pydantic and checked against the pack.

The examples sit in a sibling file rather than inside each rule because the pack's text is recorded by
digest so past maps replay exactly (engine.rules.in_force): adding or fixing an example must not make a
new pack version. A rule "fires" on an item when it takes effect there, as a trace lists it
(engine.rules.trace.took_effect): an exclusion that excludes, the rule giving the base opinion, a modifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import PolicyError
from ..grading import CREDIBILITY, RELIABILITY, GradingError, Scheme, parse_grading
from ..policy_files import read_yaml, shipped
from ..vocab import AgencyKind, CollectionMethod, Polarity, Relation
from .pack import RulePack
from .trace import ItemFacts, evaluate_item, took_effect

EXAMPLES_FILE_NAME = "evidence-rules.examples.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExampleItem(_Strict):
    """One evidence item as a rule's condition sees it; unstated fields take the defaults below."""

    scheme: Scheme = Scheme.ADMIRALTY
    grading: str = Field(min_length=1, description="e.g. B2 (admiralty), B23 (5x5x5), R1P (3x5x2), first_hand")
    agency_kind: AgencyKind = AgencyKind.POLICE
    agency: str = Field(default="agency-1", min_length=1)
    relation: Relation = Relation.ASSOCIATION
    polarity: Polarity = Polarity.SUPPORTS
    source_ref: bool = Field(default=True, description="the item carries a source reference")
    age_days: int = Field(default=0, ge=0, description="days from observation to the as-at date")
    collection_method: CollectionMethod = CollectionMethod.UNSPECIFIED

    @model_validator(mode="after")
    def _grading_fits_scheme(self) -> ExampleItem:
        try:
            parse_grading(self.grading, self.scheme.value)
        except GradingError as exc:
            raise ValueError(str(exc)) from None
        return self

    def facts(self) -> ItemFacts:
        g = parse_grading(self.grading, self.scheme.value)
        return ItemFacts(
            scheme=self.scheme,
            reliability=RELIABILITY[self.scheme][g.reliability],
            credibility=CREDIBILITY[self.scheme][g.credibility],
            refutes=self.polarity is Polarity.REFUTES,
            agency_kind=self.agency_kind,
            relation=self.relation,
            has_source_ref=self.source_ref,
            agency=self.agency,
            age=self.age_days,
            collection=self.collection_method,
        )


class RuleExamples(_Strict):
    fires: list[ExampleItem] = Field(min_length=1, description="items the rule must take effect on")
    passes: list[ExampleItem] = Field(min_length=1, description="items it must not take effect on")


class PackExamples(_Strict):
    rules: dict[str, RuleExamples] = Field(min_length=1, description="rule id -> its examples")


def default_examples_path() -> Path:
    return shipped(EXAMPLES_FILE_NAME)


def load_pack_examples(path: Path | str | None = None) -> PackExamples:
    """Load and validate a rule pack's examples; PolicyError names the rule id and field at fault."""
    p = Path(path) if path is not None else default_examples_path()
    raw: Any = read_yaml(p, "rule pack examples")
    try:
        return PackExamples.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"])
            lines.append(f"{p}: {where}: {str(e['msg']).removeprefix('Value error, ')}")
        raise PolicyError("\n".join(lines)) from None


def fired_rule_ids(pack: RulePack, item: ExampleItem) -> list[str]:
    """The ids of the rules that take effect on `item` under `pack`, in pack order."""
    return [r.id for r in took_effect(evaluate_item(pack, item.facts()))]


def example_problems(pack: RulePack, examples: PackExamples) -> list[str]:
    """Every way the examples and the pack disagree: a rule with no examples, examples for an unknown id,
    an item a rule should fire on but does not, or one it should pass but fires on."""
    ids = [r.id for r in pack.rules]
    out = [f"rule {i!r} has no examples" for i in ids if i not in examples.rules]
    out += [f"examples for {i!r}, which is not a rule of pack {pack.version}" for i in examples.rules if i not in ids]
    for rule_id, ex in examples.rules.items():
        if rule_id not in ids:
            continue
        for item in ex.fires:
            fired = fired_rule_ids(pack, item)
            if rule_id not in fired:
                out.append(f"rule {rule_id!r} should fire on {_show(item)} but does not (fired: {fired})")
        for item in ex.passes:
            if rule_id in fired_rule_ids(pack, item):
                out.append(f"rule {rule_id!r} should not fire on {_show(item)} but does")
    return out


def _show(item: ExampleItem) -> str:
    return str(item.model_dump(mode="json", exclude_defaults=True))
