"""The repository's docs stand alone: nothing points at files outside it, every docs/*.md a file names
exists, and every `docs/domain.md §N` names a section that is there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("engine", "reports", "tui", "policies", "docs", "tests", "peermap/cli", "bench")
SUFFIXES = {".py", ".md", ".yaml", ".json", ".toml", ".sh", ".tcss", ".j2", ".html"}
OUTSIDE = re.compile(r"\b(?:DESIGN|DOMAIN|STYLE)\.md\b|\.\./shared\b")
DOC_REF = re.compile(r"\bdocs/[\w./-]+?\.md\b")
DOMAIN_SECTION = re.compile(r"docs/domain\.md §(\d+)")


def _is_input_corpus(p: Path) -> bool:
    """tests/data holds deliberately broken inputs (UTF-16, binary): data, not documentation."""
    return p.is_relative_to(ROOT / "tests" / "data")


def _texts() -> list[tuple[Path, str]]:
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "Makefile"]
    for folder in FOLDERS:
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.suffix in SUFFIXES and "__snapshots__" not in p.parts and not _is_input_corpus(p)
        ]
    this = Path(__file__).resolve()
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(set(files)) if p.is_file() and p.resolve() != this]


TEXTS = _texts()


def test_nothing_points_outside_the_repository() -> None:
    hits = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p, text in TEXTS
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


def test_every_named_doc_exists() -> None:
    missing = sorted(
        {
            f"{p.relative_to(ROOT)}: {ref}"
            for p, text in TEXTS
            for ref in DOC_REF.findall(text)
            if not (ROOT / ref).exists()
        }
    )
    assert missing == []


def test_domain_sections_named_in_the_code_exist() -> None:
    domain = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (\d+)\. ", domain, flags=re.MULTILINE))
    assert sections == {str(n) for n in range(1, len(sections) + 1)}
    cited = {(str(p.relative_to(ROOT)), s) for p, text in TEXTS for s in DOMAIN_SECTION.findall(text)}
    assert cited, "nothing cites docs/domain.md by section"
    assert sorted(c for c in cited if c[1] not in sections) == []
