"""The intervention catalogue file: validation errors name the file, the entry and the field (issue 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from peermap.engine.errors import PolicyError
from peermap.engine.interventions import load_catalogue
from peermap.engine.interventions.catalogue import CONTRAINDICATIONS, default_catalogue_path


def _write(tmp_path: Path, mutate: Any) -> Path:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    mutate(data)
    p = tmp_path / "interventions.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def _entry(data: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return next(e for e in data["entries"] if e["id"] == entry_id)


def test_shipped_catalogue_is_valid_and_every_code_is_documented() -> None:
    cat = load_catalogue()
    for e in cat.entries:
        assert set(e.contraindications) <= set(CONTRAINDICATIONS)
    assert cat.canonical("County lines") == "criminal_exploitation"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: _entry(d, "peer-group-work").pop("partners"),
            "entry 'peer-group-work', field partners: Field required",
        ),
        (
            lambda d: _entry(d, "safety-mapping").update(contraindications=["labelling"]),
            "entry 'safety-mapping', field contraindications.0",
        ),
        (
            lambda d: _entry(d, "peer-group-work")["preconditions"].update(min_group_size=9, max_group_size=3),
            "entry 'peer-group-work', field preconditions: min_group_size 9 is above max_group_size 3",
        ),
        (
            lambda d: _entry(d, "bystander-programme").update(level="borough"),
            "entry 'bystander-programme', field level",
        ),
        (
            lambda d: _entry(d, "detached-youth-work").update(title="Disruption of young people at the park"),
            "entry 'detached-youth-work', field title: uses 'disrupt'",
        ),
        (
            lambda d: _entry(d, "bystander-programme").update(targets=["group"]),
            "entry 'bystander-programme', field (entry): a school-level entry must list 'school' in its targets",
        ),
        (
            lambda d: _entry(d, "context-conference-place").update(contraindications=["harmed_and_harming_together"]),
            "harmed_and_harming_together only applies to entries that target groups",
        ),
        (
            lambda d: _entry(d, "peer-group-work").update(colour="red"),
            "entry 'peer-group-work', field colour: Extra inputs",
        ),
        (
            lambda d: d["entries"].append(dict(d["entries"][0])),
            "entry id 'detached-youth-work' appears more than once",
        ),
        (lambda d: d.pop("version"), "field version: Field required"),
    ],
)
def test_broken_catalogue_names_file_entry_and_field(tmp_path: Path, mutate: Any, expected: str) -> None:
    p = _write(tmp_path, mutate)
    with pytest.raises(PolicyError) as err:
        load_catalogue(p)
    assert str(p) in str(err.value)
    assert expected in str(err.value)


def test_entry_without_id_is_named_by_position(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["entries"][2].pop("id"))
    with pytest.raises(PolicyError, match=r"entry #3, field id: Field required"):
        load_catalogue(p)


def test_unreadable_catalogues(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_catalogue(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_catalogue(bad)
    notmap = tmp_path / "list.yaml"
    notmap.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="must be a mapping"):
        load_catalogue(notmap)
