"""Optimistic concurrency for policy commits: a commit based on an outdated version is refused (issue 18.2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit
from peermap.engine.access import Actor, Role
from peermap.engine.errors import PolicyConflict
from peermap.engine.policy import policy_history, policy_in_force, set_policy, with_changes
from peermap.engine.store import Store

runner = CliRunner()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.mark.slow
def test_the_second_of_two_commits_from_the_same_version_is_refused(any_store: Store, panel: Actor) -> None:
    other = Actor("second.panel", Role.PANEL)
    base = policy_in_force(any_store)
    assert base.version == 1
    mine = with_changes(base.body, include_threshold=0.8)
    theirs = with_changes(base.body, min_agencies=3)
    set_policy(any_store, panel, mine, "first change", based_on=1)
    with pytest.raises(PolicyConflict, match=r"based on policy version 1, but version 2 was committed since by chair"):
        set_policy(any_store, other, theirs, "second change", based_on=1)
    history = policy_history(any_store)
    assert [r.version for r in history] == [1, 2]
    assert history[-1].body.include_threshold == 0.8 and history[-1].body.min_agencies == base.body.min_agencies
    sets = [json.loads(e.payload) for e in audit.events(any_store, panel, action="policy_set")]
    assert [(p["version"], p["reason"]) for p in sets] == [(2, "first change")]
    # previewed again against version 2, the second change goes through and keeps the first
    again = with_changes(policy_in_force(any_store).body, min_agencies=3)
    rec = set_policy(any_store, other, again, "second change, on top of the first", based_on=2)
    assert rec.version == 3 and rec.body.include_threshold == 0.8 and rec.body.min_agencies == 3
    assert audit.verify(any_store).ok


@pytest.mark.slow
def test_cli_refuses_an_outdated_based_on_and_says_to_preview_again(any_store: Store) -> None:
    url = _url(any_store)
    first = runner.invoke(app, ["--db", url, "--role", "panel", "policy", "set", "--include", "0.8", "--reason", "a"])
    assert first.exit_code == 0, first.output
    stale = runner.invoke(
        app, ["--db", url, "--role", "panel", "policy", "set", "--grey", "0.3", "--reason", "b", "--based-on", "1"]
    )
    assert stale.exit_code == 3
    assert "conflict: this change was based on policy version 1, but version 2 was committed" in stale.output
    assert "preview your change again" in stale.output and "--dry-run" in stale.output
    assert "Traceback" not in stale.output
    assert policy_in_force(any_store).version == 2
    preview = runner.invoke(app, ["--db", url, "--role", "panel", "policy", "set", "--grey", "0.3", "--dry-run"])
    assert preview.exit_code == 0 and "--based-on 2" in preview.output
    ok = runner.invoke(
        app, ["--db", url, "--role", "panel", "policy", "set", "--grey", "0.3", "--reason", "b", "--based-on", "2"]
    )
    assert ok.exit_code == 0, ok.output
    assert policy_in_force(any_store).body.include_threshold == 0.8
