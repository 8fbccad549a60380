"""Rule packs: the shipped default loads, the JSON Schema is published, broken packs fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from peermap.engine.errors import PolicyError
from peermap.engine.rules import load_rule_pack, parse_rule_pack, rule_pack_json_schema
from peermap.engine.rules.pack import default_pack_path, rule_pack_json_schema_text

REPO = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "data" / "bad_packs"
SCHEMA_FILE = REPO / "docs" / "schema" / "rule-pack.schema.json"

EXPECTED = {
    "age_range_reversed": "rule 'old' (rules[1]): when.age_days: min (700) is greater than max (365)",
    "bad_grading_code": "rule 'source-g' (rules[1]): when.reliability: 'G' is not a reliability code of the "
    "rule's schemes (admiralty: A, B, C, D, E, F)",
    "bad_settings": "settings.base_rate: Input should be less than 1",
    "dogmatic_opinion": "rule 'certain' (rules[0]): then.opinion.uncertainty: Input should be greater than 0",
    "duplicate_id": "rule 'base' (rules[1]): id: duplicate rule id (also rules[0])",
    "exclude_with_effect": "rule 'drop-e' (rules[1]): then: exclude cannot be combined with trust",
    "missing_description": "rule 'base' (rules[0]): description: required field is missing",
    "no_effect": "rule 'base' (rules[0]): then: a rule must have an effect: opinion, evidence, trust, "
    "weight, half_life_days, cap_belief, untested or exclude",
    "no_rules": "rules: List should have at least 1 item after validation, not 0",
    "not_a_mapping": "a rule pack must be a mapping with version, description and rules",
    "not_yaml": "not valid YAML at line 6, column 4: expected <block end>, but found '<block mapping start>'",
    "opinion_not_summing": "rule 'odd' (rules[0]): then.opinion: belief + disbelief + uncertainty must be 1, not 0.9",
    "trust_out_of_range": "rule 'source-a' (rules[1]): then.trust: Input should be less than or equal to 1",
    "unknown_field": "rule 'b2' (rules[0]): then.trust_p: unknown field (check the spelling)",
    "unknown_relation": "rule 'gang' (rules[0]): when.relation[0]: Input should be 'association', "
    "'co_offending', 'sibling', 'school_peer', 'online_contact', 'present_at', 'harmed', "
    "'harming', 'witness' or 'present'",
}


def test_corpus_is_complete() -> None:
    assert {p.stem for p in BAD.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_pack_gives_exact_message(name: str) -> None:
    path = BAD / f"{name}.yaml"
    with pytest.raises(PolicyError) as exc:
        load_rule_pack(path)
    assert str(exc.value) == f"{path}: {EXPECTED[name]}"


def test_every_problem_is_reported() -> None:
    data = {
        "version": "1",
        "description": "two problems",
        "rules": [
            {"id": "a", "description": "x", "then": {"trust": 2}},
            {"id": "b", "description": "y", "then": {"weight": -1}},
        ],
    }
    with pytest.raises(PolicyError) as exc:
        parse_rule_pack(data, "inline.yaml")
    assert str(exc.value).splitlines() == [
        "inline.yaml: rule 'a' (rules[0]): then.trust: Input should be less than or equal to 1",
        "inline.yaml: rule 'b' (rules[1]): then.weight: Input should be greater than 0",
    ]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="rule pack not found"):
        load_rule_pack(tmp_path / "nope.yaml")


def test_default_pack_loads_and_explains_itself() -> None:
    pack = load_rule_pack()
    assert default_pack_path().name == "evidence-rules.yaml"
    assert pack.settings.prior_weight == 2
    assert all(r.description and r.why for r in pack.rules), "every default rule says what and why"
    assert len({r.id for r in pack.rules}) == len(pack.rules)
    # No grading carries disbelief: only refuting items may lower a confidence.
    assert all(r.then.evidence is None or r.then.evidence.s == 0 for r in pack.rules)
    assert all(r.then.opinion is None or r.then.opinion.disbelief == 0 for r in pack.rules)


def test_published_schema_is_current_and_validates_packs() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == rule_pack_json_schema_text(), (
        "docs/schema/rule-pack.schema.json is stale: regenerate with "
        "`python -c 'from peermap.engine.rules.pack import rule_pack_json_schema_text as t; print(t(), end=\"\")'`"
    )
    schema = rule_pack_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(default_pack_path().read_text(encoding="utf-8")), schema)
    bad = yaml.safe_load((BAD / "trust_out_of_range.yaml").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["title"] == "peermap evidence rule pack"


def test_docs_describe_every_setting_condition_and_effect() -> None:
    from peermap.engine.rules.pack import Settings, Then, When

    text = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    start = text.index("## Evidence rule packs")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end > 0 else None]
    for name in Settings.model_fields:
        assert f"`settings.{name}`" in section, name
    for name in When.model_fields:
        assert f"| `{name}` |" in section, name
    for name in Then.model_fields:
        assert f"| `{name}" in section, name
