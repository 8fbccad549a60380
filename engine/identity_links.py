"""Confirmed identity links join agency records into one young person, reversibly (no merge is stored)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import IdentityDecision


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def latest_decisions(decisions: Iterable[IdentityDecision]) -> dict[tuple[str, str], IdentityDecision]:
    """The latest decision per unordered pair (decisions are append-only; input in id order)."""
    latest: dict[tuple[str, str], IdentityDecision] = {}
    for d in decisions:
        latest[pair_key(d.record_a, d.record_b)] = d
    return latest


def canonical_ids(records: list[str], decisions: Iterable[IdentityDecision]) -> dict[str, str]:
    """Map each record id to its cluster's canonical id (the smallest id) under the confirmed links."""
    parent = {r: r for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), d in sorted(latest_decisions(decisions).items()):
        if d.status != "confirmed" or a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {r: find(r) for r in records}
