"""Signed checkpoints: an anchor for the audit chain held outside the database (issue 13 item 6).

Whoever can write the database can rewrite events and the recorded head together so the chain verifies
again. A checkpoint is the head (seq and hash, and so the event count) signed with an Ed25519 key that never
enters the database; kept elsewhere (another machine, a printout, the partnership's records), it lets
`audit verify --checkpoint` show that the chain still passes through every head it ever signed.

The checkpoint records itself: signing appends an `audit.checkpoint` event and signs the head that event
makes, so the log shows every checkpoint taken, by whom, with which key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import audit, clock
from .access import Actor, Role, require
from .errors import OutputRefused, PeermapError
from .outputs import audited_output
from .store import Store

FORMAT = "peermap-audit-checkpoint/1"


class CheckpointError(PeermapError):
    """A key or checkpoint file that cannot be used, or a checkpoint the chain no longer extends."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the head event, which is also the number of events
    hash: str
    signed_at: str
    database: str  # where it was taken (password hidden): for people, not checked
    public_key: str  # raw Ed25519 public key, base64
    signature: str = ""

    def message(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k != "signature"}
        return (FORMAT + "\n" + audit.canonical_json(body)).encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self), "key_id": checkpoint_key_id(self.public_key)}


def checkpoint_key_id(public_key_b64: str) -> str:
    """A short fingerprint of a public key, for messages and the audit log."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def _raw_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _exclusive_write(path: Path, data: bytes, mode: int) -> None:
    """Create `path` (never replacing a file) with `mode` from the start, so a key is never briefly readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)


def checkpoint_keygen(out: Path | str) -> tuple[Path, Path]:
    """Write a new Ed25519 private key to `out` (mode 0600) and its public key to `out`.pub; replace nothing."""
    key_path = Path(out).expanduser()
    pub_path = Path(str(key_path) + ".pub")
    for p in (key_path, pub_path):
        if p.exists() or p.is_symlink():
            raise OutputRefused(f"{p} exists; a key is never overwritten. Choose another name.")
    if not key_path.parent.is_dir():
        raise OutputRefused(f"{key_path.parent} is not a folder; create it first")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _exclusive_write(key_path, private, 0o600)
    try:
        _exclusive_write(pub_path, public, 0o644)
    except BaseException:
        key_path.unlink()
        raise
    return key_path, pub_path


def _read(path: Path | str, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    p = Path(path).expanduser()
    data = _read(p, "private key")
    if p.stat().st_mode & 0o077:
        raise CheckpointError(f"{p}: the private key is readable by other users; run: chmod 600 {p}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{p}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{p}: not an Ed25519 key (make one with: peermap audit keygen --out {p})")
    return key


def load_public_key(path: Path | str) -> str:
    """A PEM public key file as the raw base64 form checkpoints carry."""
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path}: not an Ed25519 public key")
    return _raw_public(key)


def sign_checkpoint(
    store: Store, actor: Actor, key_path: Path | str, out: Path | str, *, force: bool = False
) -> Checkpoint:
    """Sign the current head (after verifying the chain up to it) and write the checkpoint file.

    The signed head is the newest event before the checkpoint's own `audit.checkpoint` event, which records
    the file's path and digest like any other output. Refused on a chain that does not verify: signing
    would vouch for tampering.
    """
    require(actor, Role.AUDITOR, Role.PANEL, to="sign an audit checkpoint")
    key = load_private_key(key_path)
    public = _raw_public(key.public_key())
    with audited_output(store, actor, "audit.checkpoint", out, force=force, reads_map=False) as pending:
        # the audit lock is held: the head verified here is the head signed
        result = audit.verify(store)
        if not result.ok:
            raise CheckpointError(
                f"the audit chain does not verify ({result.problem}); a checkpoint would vouch for it. "
                "Run peermap audit verify and resolve that first."
            )
        seq, head_hash = audit.read_head(pending.session)
        if seq == 0:
            raise CheckpointError("the audit log is empty: there is no head to sign yet")
        cp = Checkpoint(
            seq=seq,
            hash=head_hash,
            signed_at=clock.now().isoformat(timespec="seconds"),
            database=store.url,
            public_key=public,
        )
        signed = replace(cp, signature=base64.b64encode(key.sign(cp.message())).decode("ascii"))
        text = json.dumps(signed.to_json(), indent=2) + "\n"
        pending.write(text, {"key_id": checkpoint_key_id(public), "signs_event": seq, "signed_hash": head_hash})
    return signed


def load(path: Path | str) -> Checkpoint:
    data = _read(path, "checkpoint")
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        return Checkpoint(
            seq=int(doc["seq"]),
            hash=str(doc["hash"]),
            signed_at=str(doc["signed_at"]),
            database=str(doc["database"]),
            public_key=str(doc["public_key"]),
            signature=str(doc["signature"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a peermap audit checkpoint ({exc})") from None


def check_signature(cp: Checkpoint, path: Path | str, trusted: str | None) -> None:
    """The checkpoint's signature is good, by the trusted public key when one is given."""
    if trusted is not None and trusted != cp.public_key:
        raise CheckpointError(
            f"{path}: signed by key {checkpoint_key_id(cp.public_key)}, "
            f"not by the trusted key {checkpoint_key_id(trusted)} (--pub)"
        )
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(cp.public_key))
        public.verify(base64.b64decode(cp.signature), cp.message())
    except (InvalidSignature, ValueError) as exc:
        raise CheckpointError(f"{path}: the signature does not verify: the checkpoint was altered ({exc})") from None


def verify_with_checkpoints(
    store: Store, paths: Sequence[Path | str], pub: Path | str | None = None
) -> tuple[audit.VerifyResult, list[Checkpoint]]:
    """audit.verify with every checkpoint's head as an anchor the chain must still pass through."""
    trusted = load_public_key(pub) if pub is not None else None
    anchors: dict[int, str] = {}
    loaded: list[Checkpoint] = []
    for path in paths:
        cp = load(path)
        check_signature(cp, path, trusted)
        if anchors.get(cp.seq, cp.hash) != cp.hash:
            raise CheckpointError(f"{path}: two checkpoints sign different events {cp.seq}: one of them is forged")
        anchors[cp.seq] = cp.hash
        loaded.append(cp)
    return audit.verify(store, anchors), loaded
