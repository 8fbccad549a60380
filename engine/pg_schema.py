"""PostgreSQL-side enforcement: the audit append function, group roles, grants and row-level security.

Everything here is SQL the server runs, so that a login's own credentials in psql cannot do what peermap
refuses. `install_append_function` runs when a schema is created; `apply_security` is `peermap admin init`
(idempotent: it re-creates policies and re-issues grants, so running it again after an upgrade is safe).
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

GROUP_PREFIX = "peermap_"
AGENCY_PREFIX = "peermap_agency_"
# Keyed by the role names of engine.access.Role (this module sits below it: the store installs the function).
ROLES = ("practitioner", "panel", "auditor", "admin")
GROUPS: dict[str, str] = {r: GROUP_PREFIX + r for r in ROLES}

# Tables holding the partnership's records and decisions: everyone with a role reads them (restricted detail
# under row-level security), writers append, nobody updates or deletes.
DATA_TABLES = (
    "agency",
    "sharing_agreement",
    "young_person",
    "location",
    "incident",
    "evidence",
    "strength",
    "concern",
    "restricted_detail",
    "import_batch",
    "decision",
    "identity_decision",
    "row_digest",
)
READ_ONLY_TABLES = ("meta", "policy_version", "rule_pack_version", "audit_event")
# The breach register: reported by any role that writes, read by the panel and auditors (engine.breaches).
REGISTER_TABLES = ("breach",)
# What each application role may INSERT directly (the audit log only through peermap_audit_append).
INSERTS: dict[str, tuple[str, ...]] = {
    "practitioner": (*DATA_TABLES, "rule_pack_version", "breach"),
    "panel": (*DATA_TABLES, "rule_pack_version", "policy_version", "breach"),
    "auditor": (),
    "admin": (*DATA_TABLES, "rule_pack_version", "breach"),
}
# Practitioners never read the audit log (it names left-out young people's ids); the others do.
SELECTS: dict[str, tuple[str, ...]] = {
    "practitioner": (*DATA_TABLES, "meta", "policy_version", "rule_pack_version"),
    "panel": (*DATA_TABLES, *READ_ONLY_TABLES, "breach"),
    "auditor": (*DATA_TABLES, *READ_ONLY_TABLES, "breach"),
    "admin": (*DATA_TABLES, *READ_ONLY_TABLES, "breach"),
}
SEQUENCES = ("import_batch_id_seq", "decision_id_seq", "identity_decision_id_seq", "breach_id_seq")
_CODE_RE = re.compile(r"^[a-z0-9_]{1,40}$")


def agency_role(code: str) -> str:
    """`peermap_agency_<code>` for an agency code (lower-cased; letters, digits and _ only, - becomes _)."""
    norm = code.strip().lower().replace("-", "_")
    if not _CODE_RE.match(norm):
        raise ValueError(f"agency code {code!r} cannot name a role: use letters, digits, - and _ (at most 40)")
    return AGENCY_PREFIX + norm


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The one way application logins append to the audit log. It runs as the schema owner: it checks that a
# login appends only in its own name and in a role it holds (the owner and superusers may record any actor,
# e.g. "system"), that the event extends the head under the head row's lock, and that its content digest and
# chain hash are exactly what engine.audit computes; then it inserts the event and moves the head.
_APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.peermap_audit_append(
    p_seq integer, p_at text, p_actor text, p_role text, p_action text, p_payload text, p_prev text,
    p_hash text, p_salt text, p_content text, p_data_ref text, p_data_digest text
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
DECLARE
    head text;
    owner_name name;
    v_seq integer;
    v_prev text;
    v_body text;
BEGIN
    SELECT tableowner INTO owner_name FROM pg_tables
        WHERE schemaname = {schema_lit} AND tablename = 'audit_event';
    IF NOT pg_has_role(session_user, owner_name, 'MEMBER') THEN
        IF p_actor IS DISTINCT FROM session_user::text THEN
            RAISE EXCEPTION 'login % may only record audit events in its own name, not %', session_user, p_actor
                USING ERRCODE = '42501';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'peermap_' || p_role
                       AND pg_has_role(session_user, r.oid, 'MEMBER')) THEN
            RAISE EXCEPTION 'login % does not hold the % role', session_user, p_role USING ERRCODE = '42501';
        END IF;
    END IF;
    PERFORM 1 FROM {schema}.meta m WHERE m.key = 'schema_version' FOR UPDATE;
    SELECT m.value INTO head FROM {schema}.meta m WHERE m.key = 'audit_head';
    IF head IS NULL THEN
        v_seq := 0;
        v_prev := repeat('0', 64);
    ELSE
        v_seq := split_part(head, ':', 1)::integer;
        v_prev := split_part(head, ':', 2);
    END IF;
    IF p_seq IS DISTINCT FROM v_seq + 1 OR p_prev IS DISTINCT FROM v_prev THEN
        RAISE EXCEPTION 'audit event % does not extend the head (event %)', p_seq, v_seq USING ERRCODE = '40001';
    END IF;
    IF p_content IS DISTINCT FROM encode(sha256(convert_to(coalesce(p_salt, '') || E'\\n' || p_payload, 'UTF8')), 'hex')
    THEN
        RAISE EXCEPTION 'audit event %: the content digest does not match its payload', p_seq
            USING ERRCODE = '42501';
    END IF;
    v_body := '{{"action":' || to_json(p_action)::text || ',"actor":' || to_json(p_actor)::text
        || ',"at":' || to_json(p_at)::text || ',"content":' || to_json(p_content)::text
        || ',"data_digest":' || coalesce(to_json(p_data_digest)::text, 'null')
        || ',"data_ref":' || coalesce(to_json(p_data_ref)::text, 'null')
        || ',"role":' || to_json(p_role)::text || ',"seq":' || p_seq::text || '}}';
    IF p_hash IS DISTINCT FROM encode(sha256(convert_to(p_prev || E'\\n' || v_body, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'audit event %: the hash does not match the event', p_seq USING ERRCODE = '42501';
    END IF;
    INSERT INTO {schema}.audit_event (seq, at, actor, role, action, payload, prev_hash, hash, salt,
                                      content_digest, data_ref, data_digest)
        VALUES (p_seq, p_at, p_actor, p_role, p_action, p_payload, p_prev, p_hash, p_salt,
                p_content, p_data_ref, p_data_digest);
    INSERT INTO {schema}.meta (key, value) VALUES ('audit_head', p_seq::text || ':' || p_hash)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    IF p_seq = 1 THEN
        INSERT INTO {schema}.meta (key, value) VALUES ('audit_first', p_hash)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    END IF;
END
$fn$;
REVOKE ALL ON FUNCTION {schema}.peermap_audit_append(
    integer, text, text, text, text, text, text, text, text, text, text, text) FROM PUBLIC;
"""
APPEND_SIGNATURE = "peermap_audit_append(integer, text, text, text, text, text, text, text, text, text, text, text)"


def current_schema(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def install_append_function(conn: Connection) -> None:
    """Create (or replace) peermap_audit_append in the connection's current schema (dropping older signatures)."""
    schema = current_schema(conn)
    conn.execute(
        text(f"DROP FUNCTION IF EXISTS {quote_ident(schema)}.peermap_audit_append(text, text, text, text, text)")
    )
    sql = _APPEND_FUNCTION.format(schema=quote_ident(schema), schema_lit="'" + schema.replace("'", "''") + "'")
    conn.execute(text(sql))


def _ensure_role(conn: Connection, name: str) -> bool:
    """Create a NOLOGIN group role if missing; True if created."""
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    if exists:
        return False
    conn.exec_driver_sql(f"CREATE ROLE {quote_ident(name)} NOLOGIN")
    return True


# Restricted detail is readable by members of its agency's group role. The role is looked up by name in
# pg_roles (pg_has_role on a missing role name would raise, and agencies are named by the data).
_MEMBER_OF_AGENCY = (
    "EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'peermap_agency_' || "
    "replace(lower(agency), '-', '_') AND pg_has_role(session_user, r.oid, 'MEMBER'))"
)


def apply_security(conn: Connection, agencies: list[str]) -> list[str]:
    """Group roles, grants and row-level security for the current schema; returns what it did, one line each.

    Idempotent: privileges are revoked from the peermap groups and PUBLIC, then granted exactly as the
    tables above say; policies are dropped and re-created.
    """
    done: list[str] = []
    schema = quote_ident(current_schema(conn))
    for role in GROUPS.values():
        if _ensure_role(conn, role):
            done.append(f"created group role {role}")
    for code in agencies:
        role = agency_role(code)
        if _ensure_role(conn, role):
            done.append(f"created group role {role}")
    groups = ", ".join(quote_ident(g) for g in GROUPS.values())
    all_tables = [*DATA_TABLES, *READ_ONLY_TABLES, *REGISTER_TABLES]
    for t in all_tables:
        conn.exec_driver_sql(f"REVOKE ALL ON {schema}.{quote_ident(t)} FROM PUBLIC, {groups}")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM PUBLIC, {groups}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {groups}")
    for role, group in GROUPS.items():
        g = quote_ident(group)
        for t in SELECTS[role]:
            conn.exec_driver_sql(f"GRANT SELECT ON {schema}.{quote_ident(t)} TO {g}")
        for t in INSERTS[role]:
            conn.exec_driver_sql(f"GRANT INSERT ON {schema}.{quote_ident(t)} TO {g}")
        if INSERTS[role]:
            for seq in SEQUENCES:
                conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {schema}.{quote_ident(seq)} TO {g}")
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {schema}.{APPEND_SIGNATURE} TO {g}")
    # Practitioners do not read the audit log (its payloads name left-out young people), but the snapshot
    # cache keys on the newest data-writing event: those three columns only.
    g = quote_ident(GROUPS["practitioner"])
    conn.exec_driver_sql(f"GRANT SELECT (seq, hash, data_ref) ON {schema}.audit_event TO {g}")
    # A practitioner reports a breach but does not read the register: only the new row's id comes back.
    conn.exec_driver_sql(f"GRANT SELECT (id) ON {schema}.breach TO {g}")
    done.append("granted table privileges to the peermap group roles (no UPDATE or DELETE for any of them)")
    # Row-level security on the restricted detail: own agency only (the owner bypasses it, as table owner).
    t = f"{schema}.restricted_detail"
    conn.exec_driver_sql(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql(f"DROP POLICY IF EXISTS peermap_read_own_agency ON {t}")
    conn.exec_driver_sql(f"CREATE POLICY peermap_read_own_agency ON {t} FOR SELECT USING ({_MEMBER_OF_AGENCY})")
    conn.exec_driver_sql(f"DROP POLICY IF EXISTS peermap_insert ON {t}")
    conn.exec_driver_sql(f"CREATE POLICY peermap_insert ON {t} FOR INSERT WITH CHECK (true)")
    done.append("row-level security on restricted_detail: readable only by members of peermap_agency_<agency>")
    # Policy versions: only the panel group may insert, and only in its own name.
    t = f"{schema}.policy_version"
    conn.exec_driver_sql(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    conn.exec_driver_sql(f"DROP POLICY IF EXISTS peermap_read ON {t}")
    conn.exec_driver_sql(f"CREATE POLICY peermap_read ON {t} FOR SELECT USING (true)")
    conn.exec_driver_sql(f"DROP POLICY IF EXISTS peermap_panel_insert ON {t}")
    conn.exec_driver_sql(
        f"CREATE POLICY peermap_panel_insert ON {t} FOR INSERT TO {quote_ident(GROUPS['panel'])} "
        "WITH CHECK (actor = session_user::text AND role = 'panel')"
    )
    done.append("row-level security on policy_version: only peermap_panel inserts, in its own name")
    return done
