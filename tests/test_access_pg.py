"""PostgreSQL enforces peermap's roles: logins, group roles, grants and row-level security (issue 13).

Each test module run creates its own schema and three uniquely named logins (a practitioner of the social
care agency, a panel member, an auditor), connects as each of them with raw SQL as well as through the
engine, and drops them at the end.
"""

from __future__ import annotations

import csv
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PG_BASE
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

from peermap.engine import admin, audit
from peermap.engine.access import Actor, Role
from peermap.engine.errors import PermissionDenied
from peermap.engine.identity_source import resolve_actor
from peermap.engine.ingest import import_path
from peermap.engine.mapping import compute_map, rule_pack_of
from peermap.engine.pg_schema import DATA_TABLES, READ_ONLY_TABLES, REGISTER_TABLES
from peermap.engine.policy import load_default_policy, set_policy, with_changes
from peermap.engine.rules.trace import explain_link
from peermap.engine.store import Store

pytestmark = pytest.mark.pg

GOOD = Path(__file__).parent / "data" / "good"
# Strings that only the restricted items of the police (pol) carry: no other login may ever read them.
POL_SECRETS = ("SECRET-POL-NOTE-E002", "CRIS-SECRET-E002", "SECRET-POL-NOTE-E005", "CRIS-SECRET-E005")
SC_SECRET = "SECRET-SC-CONCERN-C01"  # social care's own restricted concern: its practitioner reads it
ALL_TABLES = (*DATA_TABLES, *READ_ONLY_TABLES, *REGISTER_TABLES)


@dataclass
class Deployment:
    schema: str
    owner: Store
    logins: dict[str, str]  # practitioner | panel | auditor -> login name
    stores: dict[str, Store]


def _url(login: str | None, schema: str) -> str:
    base = PG_BASE if login is None else PG_BASE.replace("postgres@", f"{login}@", 1)
    return f"{base}?options=-csearch_path%3D{schema}"


def _restricted_data(tmp: Path) -> Path:
    """The good fixture with restricted items: E002 (5x5x5 handling 3), E005 (3x5x2 C), C01 (explicit flag)."""
    out = tmp / "data"
    shutil.copytree(GOOD, out)
    path = out / "evidence.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        if r["evidence_id"] == "E002":
            r.update(note="SECRET-POL-NOTE-E002", source_ref="CRIS-SECRET-E002")
        if r["evidence_id"] == "E005":
            r.update(grading="R2C", note="SECRET-POL-NOTE-E005", source_ref="CRIS-SECRET-E005")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    path = out / "concerns.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        r["restricted"] = "true" if r["concern_id"] == "C01" else "false"
        if r["concern_id"] == "C01":
            r["note"] = SC_SECRET
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if not os.environ.get("PEERMAP_TEST_PG"):
        pytest.skip("PostgreSQL tests skipped: set PEERMAP_TEST_PG=1")
    tag = uuid.uuid4().hex[:10]
    schema = f"t_access_{tag}"
    logins = {"practitioner": f"pm_{tag}_prac", "panel": f"pm_{tag}_panel", "auditor": f"pm_{tag}_aud"}
    su = sa.create_engine(PG_BASE)
    with su.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    owner = Store.open(_url(None, schema))
    stores: dict[str, Store] = {}
    try:
        boss = resolve_actor(owner, "admin", "test setup")
        admin.admin_init(owner, boss)
        admin.admin_grant(owner, boss, logins["practitioner"], "practitioner", "sc")
        admin.admin_grant(owner, boss, logins["panel"], "panel", None)
        admin.admin_grant(owner, boss, logins["auditor"], "auditor", None)
        stores = {k: Store.open(_url(v, schema), create=False) for k, v in logins.items()}
        prac = resolve_actor(stores["practitioner"], None, "Pat (social care)")
        import_path(stores["practitioner"], _restricted_data(tmp_path_factory.mktemp("access")), prac)
        admin.admin_init(owner, boss)  # again: idempotent, and now creates the imported agencies' group roles
        yield Deployment(schema, owner, logins, stores)
    finally:
        for s in stores.values():
            s.dispose()
        owner.dispose()
        with su.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            for login in logins.values():
                conn.execute(sa.text(f"DROP ROLE IF EXISTS {login}"))
        su.dispose()


def _refused(store: Store, sql: str) -> bool:
    """True when the server refuses `sql` with a permission error (SQLSTATE 42501)."""
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.text(sql))
    except DBAPIError as exc:
        return getattr(exc.orig, "sqlstate", None) == "42501"
    return False


def test_identity_comes_from_the_database(deployment: Deployment) -> None:
    d = deployment
    prac = resolve_actor(d.stores["practitioner"], None, "Pat")
    assert (prac.name, prac.role, prac.label, prac.verified) == (
        d.logins["practitioner"],
        Role.PRACTITIONER,
        "Pat",
        True,
    )
    assert prac.agencies == ("sc",) and prac.held == (Role.PRACTITIONER,)
    assert resolve_actor(d.stores["auditor"], "auditor", None).role is Role.AUDITOR


@pytest.mark.parametrize("who,claim", [("practitioner", "panel"), ("auditor", "panel"), ("panel", "admin")])
def test_a_role_claim_not_held_is_refused_naming_the_roles_held(deployment: Deployment, who: str, claim: str) -> None:
    store = deployment.stores[who]
    with pytest.raises(PermissionDenied, match=f"does not hold the {claim} role \\(roles held: {who}\\)"):
        resolve_actor(store, claim, None)


def test_the_cli_refuses_a_role_not_held_before_reading(deployment: Deployment) -> None:
    from typer.testing import CliRunner

    from peermap.cli import app

    url = _url(deployment.logins["practitioner"], deployment.schema)
    result = CliRunner().invoke(app, ["--db", url, "--role", "panel", "explain", "P001"])
    said = result.output + (str(result.exception) if isinstance(result.exception, PermissionDenied) else "")
    assert result.exit_code != 0 and "does not hold the panel role (roles held: practitioner)" in said
    with deployment.owner.engine.connect() as conn:
        views = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'view_person'")).scalar()
    assert views == 0


@pytest.mark.parametrize("who", ["practitioner", "panel", "auditor"])
def test_update_and_delete_are_refused_on_every_table(deployment: Deployment, who: str) -> None:
    store = deployment.stores[who]
    with store.engine.connect() as conn:  # every table of the schema, from the catalogue (not a fixed list)
        cols = dict(
            conn.execute(
                sa.text(
                    "SELECT c.relname, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid "
                    "AND a.attnum = 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).all()
        )
    assert set(ALL_TABLES) <= set(cols)
    for table in cols:
        assert _refused(store, f"UPDATE {table} SET {cols[table]} = {cols[table]}"), f"{who} updated {table}"
        assert _refused(store, f"DELETE FROM {table}"), f"{who} deleted from {table}"
        assert _refused(store, f"TRUNCATE {table}"), f"{who} truncated {table}"


def _readable_text(store: Store) -> str:
    """Everything the login can SELECT from every table and view of the schema, as one string."""
    chunks: list[str] = []
    with store.engine.connect() as conn:
        names = conn.execute(
            sa.text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm') "
                "AND has_table_privilege(c.oid, 'SELECT')"
            )
        ).scalars()
        for name in list(names):
            for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


@pytest.mark.parametrize("who", ["practitioner", "panel", "auditor"])
def test_another_agencys_restricted_note_and_source_ref_are_in_nothing_the_login_can_read(
    deployment: Deployment, who: str
) -> None:
    seen = _readable_text(deployment.stores[who])
    assert "restricted" in _readable_text(deployment.owner)  # the owner reads everything (sanity)
    for secret in POL_SECRETS:
        assert secret in _readable_text(deployment.owner)
        assert secret not in seen, f"{who} can read {secret}"
    # The practitioner belongs to social care: it reads its own agency's restricted concern, others do not.
    assert (SC_SECRET in seen) is (who == "practitioner")


def test_others_see_that_a_restricted_item_exists_and_whom_to_ask(deployment: Deployment) -> None:
    store = deployment.stores["panel"]
    panel = resolve_actor(store, "panel", None)
    result = compute_map(store, None)
    explanation = explain_link(result.snapshot, rule_pack_of(result), "P002", "P001", None, store=store)
    text = explanation.text()
    assert "restricted item from pol, graded B23: ask the pol safeguarding lead" in text
    assert "SECRET" not in text and "CRIS-SECRET" not in text
    # The same link scores the same for the practitioner of another agency and for the owner (decision 0016).
    other = compute_map(deployment.stores["practitioner"], None)
    mine = compute_map(deployment.owner, None)

    def scored(r: object) -> list[tuple[int, int, int, float, int]]:
        t = r.links  # type: ignore[attr-defined]
        return sorted(
            zip(
                t.subject.tolist(),
                t.object.tolist(),
                t.relation.tolist(),
                t.confidence.round(9).tolist(),
                t.n_items.tolist(),
                strict=True,
            )
        )

    assert scored(other) == scored(mine) and len(scored(mine)) >= 5
    assert panel.role is Role.PANEL


def test_only_the_panel_inserts_a_policy_version(deployment: Deployment) -> None:
    d = deployment
    assert _refused(
        d.stores["auditor"],
        "INSERT INTO policy_version (version, created_at, actor, role, reason, body) "
        f"VALUES (99, now(), '{d.logins['auditor']}', 'panel', 'x', '{{}}')",
    )
    assert _refused(
        d.stores["practitioner"],
        "INSERT INTO policy_version (version, created_at, actor, role, reason, body) "
        f"VALUES (99, now(), '{d.logins['practitioner']}', 'panel', 'x', '{{}}')",
    )
    # A panel member may, but only in their own name.
    assert _refused(
        d.stores["panel"],
        "INSERT INTO policy_version (version, created_at, actor, role, reason, body) "
        "VALUES (99, now(), 'someone.else', 'panel', 'x', '{}')",
    )
    panel = resolve_actor(d.stores["panel"], "panel", None)
    rec = set_policy(
        d.stores["panel"], panel, with_changes(load_default_policy(), include_threshold=0.7), "panel review"
    )
    assert rec.actor == d.logins["panel"]
    # The engine refuses an auditor too, before the database has to.
    auditor = Actor(d.logins["auditor"], Role.AUDITOR, verified=True)
    with pytest.raises(PermissionDenied):
        set_policy(d.stores["auditor"], auditor, load_default_policy(), "x")


def test_auditors_insert_nothing_but_their_own_audit_events(deployment: Deployment) -> None:
    d = deployment
    store = d.stores["auditor"]
    for table in ALL_TABLES:
        assert _refused(store, f"INSERT INTO {table} DEFAULT VALUES"), f"auditor inserted into {table}"
    # Through the append function: only in its own name, in a role it holds, with the right hash.
    me = d.logins["auditor"]
    assert _append_refused(d, store, "someone.else", "auditor")
    assert _append_refused(d, store, me, "panel")
    assert _append_refused(d, store, me, "auditor", forge_hash=True)
    assert not _append_refused(d, store, me, "auditor")
    assert audit.verify(d.owner).ok


def _append_refused(d: Deployment, store: Store, actor: str, role: str, *, forge_hash: bool = False) -> bool:
    """Call peermap_audit_append directly (as psql would) with an event extending the head."""
    with d.owner.read() as s:
        seq, prev = audit.read_head(s)
    at, payload, salt = "2026-01-01T00:00:00.000000+00:00", '{"raw": 1}', "ab"
    content = audit.content_digest(payload, salt)
    h = audit.chain_hash(prev, seq + 1, at, actor, role, "raw_sql", content)
    if forge_hash:
        h = "f" * 64
    return _refused(
        store,
        f"SELECT peermap_audit_append({seq + 1}, '{at}', '{actor}', '{role}', 'raw_sql', '{payload}', '{prev}', "
        f"'{h}', '{salt}', '{content}', NULL, NULL)",
    )


def test_the_audit_log_names_the_login_as_actor(deployment: Deployment) -> None:
    d = deployment
    for who in ("practitioner", "auditor"):
        actor = resolve_actor(d.stores[who], None, "display label")
        ev = audit.log_event(d.stores[who], actor, "view_map", {"as_at": "2024-08-01"})
        with d.owner.engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT actor, role, payload FROM audit_event WHERE seq = :s"), {"s": ev.seq}
            ).one()
        assert row.actor == d.logins[who] and row.role == actor.role.value
        assert '"label":"display label"' in row.payload and '"role_basis":"database"' in row.payload
    with d.owner.engine.connect() as conn:
        importer = conn.execute(sa.text("SELECT actor FROM audit_event WHERE action = 'import'")).scalar_one()
    assert importer == d.logins["practitioner"]
    assert audit.verify(d.owner).ok


@given(st.text(max_size=40), st.text(max_size=40))
def test_the_database_hashes_events_exactly_as_peermap_verifies_them(
    deployment: Deployment, action: str, note: str
) -> None:
    """Any text (quotes, backslashes, control characters, non-ASCII) chains identically in SQL and Python."""
    action = action.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    note = note.replace("\x00", "")
    actor = Actor("system", Role.PANEL)
    # peermap_audit_append refuses an event whose hash differs from its own computation, so success here
    # means SQL and Python agree on this text.
    ev = audit.log_event(deployment.owner, actor, action or "x", {"note": note})
    assert audit.verify(deployment.owner).ok and ev.payload is not None


def test_admin_users_lists_logins_and_every_privilege(deployment: Deployment) -> None:
    d = deployment
    boss = resolve_actor(d.owner, "admin", None)
    report = admin.admin_users(d.owner, boss).to_json()
    by_login = {u["login"]: u for u in report["logins"]}
    assert by_login[d.logins["practitioner"]]["roles"] == ["practitioner"]
    assert by_login[d.logins["practitioner"]]["agencies"] == ["sc"]
    assert by_login[d.logins["auditor"]]["roles"] == ["auditor"]
    privs = report["privileges"]
    for group in ("peermap_practitioner", "peermap_panel", "peermap_auditor", "peermap_admin"):
        for obj, kinds in privs[group].items():
            assert not {"UPDATE", "DELETE", "TRUNCATE"} & set(kinds), (group, obj)
    assert privs["peermap_auditor"]["audit_event"] == ["SELECT"]
    assert "INSERT" in privs["peermap_panel"]["policy_version"]
    assert (
        "policy_version" not in privs["peermap_practitioner"]
        or "INSERT" not in privs["peermap_practitioner"]["policy_version"]
    )
    assert "restricted_detail" in report["row_level_security"]["enabled_on"]
    warnings = admin.admin_check(d.owner, boss)
    assert any("superuser" in w for w in warnings)
    assert not any("missing" in w for w in warnings)
    assert not any("UPDATE" in w or "DELETE" in w for w in warnings)
