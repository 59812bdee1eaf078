"""The audit trail's hash chain: every row is chained to the one before it.

Each audit row carries a sequence number ``seq`` (1, 2, 3, ... without gaps),
``prev_hash`` (the ``row_hash`` of row ``seq - 1``; 64 zeros for the first)
and ``row_hash`` = SHA-256 (or HMAC-SHA-256 with ``$SITING_AUDIT_KEY``) over
a canonical JSON of the row's content, actor, time, ``seq`` and
``prev_hash``. Appends are serialised (SQLite: the write transaction's
``BEGIN IMMEDIATE`` lock; PostgreSQL: a transaction-scoped advisory lock), so
concurrent writers never fork the chain. Times never go backwards along the
chain: a row is stamped no earlier than the row before it.

:func:`verify_chain` re-reads the whole table, independently of any database
trigger, and reports the first row that was rewritten, deleted, inserted or
back-dated. What this proves and what it does not: docs/tracker.md,
"What the audit proves".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import models as m
from .errors import TrackerError

GENESIS = "0" * 64
KEY_ENV = "SITING_AUDIT_KEY"
#: Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
PG_LOCK_ID = 7_305_112_003
_HEAD = "siting_audit_head"


def audit_key() -> bytes | None:
    """The HMAC key from ``$SITING_AUDIT_KEY`` (``None`` when unset or empty)."""
    raw = os.environ.get(KEY_ENV, "")
    return raw.encode("utf-8") if raw else None


def _time(at: datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """The chain hash of one row (``fields`` as in :func:`row_fields`)."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
    if key:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def row_fields(
    *,
    seq: int,
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    username: str,
    role: str,
    action: str,
    entity: str,
    entity_id: int | None,
    application_id: int | None,
    details: Any,
) -> dict[str, Any]:
    """What the hash covers: content, actor, time, position and the previous hash."""
    if isinstance(details, str):  # a JSON column read back as text by a raw query
        details = json.loads(details)
    return {
        "seq": seq,
        "prev_hash": prev_hash,
        "at": _time(at),
        "user_id": user_id,
        "username": username,
        "role": role,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "application_id": application_id,
        "details": details,
    }


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_ID})


def chain(s: Session, entry: m.AuditEntry) -> m.AuditEntry:
    """Give ``entry`` its place in the chain (seq, prev_hash, row_hash) and add it to the session.

    The first call in a transaction takes the chain's lock and reads the head;
    later calls in the same transaction continue from the entry before.
    """
    txn = s.get_transaction()
    head = s.info.get(_HEAD)
    if head is None or head[0] is not txn:
        _lock(s.connection())
        last = s.execute(
            select(m.AuditEntry.seq, m.AuditEntry.row_hash, m.AuditEntry.at)
            .order_by(m.AuditEntry.seq.desc())
            .limit(1)
        ).first()
        head = (txn, *(last if last is not None else (0, GENESIS, None)))
    _, seq, prev, prev_at = head
    if prev_at is not None and entry.at < prev_at:
        entry.at = prev_at  # never earlier than the row before (a clock stepped back)
    entry.seq, entry.prev_hash = seq + 1, prev
    entry.row_hash = row_hash(
        row_fields(
            seq=entry.seq,
            prev_hash=prev,
            at=entry.at,
            user_id=entry.user_id,
            username=entry.username,
            role=entry.role,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            application_id=entry.application_id,
            details=entry.details,
        ),
        audit_key(),
    )
    s.info[_HEAD] = (txn, entry.seq, entry.row_hash, entry.at)
    s.add(entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`."""

    ok: bool
    rows: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.rows} audit row(s), head {self.head_hash}"
        return f"BROKEN at seq {self.broken_seq}: {self.reason}"


def verify_chain(
    engine: Engine, key: bytes | None = None, *, anchor: str | None = None
) -> ChainReport:
    """Re-read the audit table and check every link; the first break is reported.

    ``anchor`` is a head hash printed by an earlier run: it must still be in
    the chain (this finds rows removed from the end, which the chain alone
    cannot).
    """
    key = audit_key() if key is None else key
    q = text(
        "SELECT id, seq, prev_hash, row_hash, at, user_id, username, role, action, entity, entity_id, "
        "application_id, details FROM audit ORDER BY seq, id"
    )
    rows = 0
    prev_hash, prev_at, prev_seq = GENESIS, None, 0
    anchor_seen = anchor is None
    try:
        conn = engine.connect()
        result = conn.execute(q)
    except SQLAlchemyError as exc:
        raise TrackerError(
            f"cannot read the audit trail ({exc.__class__.__name__}: {getattr(exc, 'orig', exc)}); is the "
            "database reachable and migrated (`siting tracker migrate`)?",
            "ردپای ممیزی خوانده نشد؛ آیا پایگاه داده در دسترس و به‌روز است (`siting tracker migrate`)؟",
        ) from None
    with conn:
        for r in result:
            rows += 1
            at = r.at if isinstance(r.at, datetime) else datetime.fromisoformat(str(r.at))
            seq = r.seq
            if seq is None:
                return ChainReport(
                    False, rows, prev_hash, None, f"row id {r.id} has no sequence number"
                )
            if seq == prev_seq:
                return ChainReport(
                    False, rows, prev_hash, seq, f"two rows share sequence number {seq}"
                )
            if seq != prev_seq + 1:
                return ChainReport(
                    False,
                    rows,
                    prev_hash,
                    prev_seq + 1,
                    f"row {prev_seq + 1} is missing (next row is {seq}): deleted",
                )
            if r.prev_hash != prev_hash:
                return ChainReport(
                    False,
                    rows,
                    prev_hash,
                    seq,
                    "its prev_hash is not the previous row's hash: a row was deleted, "
                    "inserted or rewritten before it",
                )
            fields = row_fields(
                seq=seq,
                prev_hash=r.prev_hash,
                at=at,
                user_id=r.user_id,
                username=r.username,
                role=r.role,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                application_id=r.application_id,
                details=r.details,
            )
            if not hmac.compare_digest(row_hash(fields, key), r.row_hash or ""):
                hint = " (or the wrong $SITING_AUDIT_KEY)" if seq == 1 else ""
                return ChainReport(
                    False,
                    rows,
                    prev_hash,
                    seq,
                    f"its content does not match its hash: the row was rewritten{hint}",
                )
            if prev_at is not None and at < prev_at:
                return ChainReport(
                    False,
                    rows,
                    prev_hash,
                    seq,
                    f"its time {at.isoformat()} is earlier than the previous row's "
                    f"{prev_at.isoformat()}: back-dated",
                )
            prev_hash, prev_at, prev_seq = r.row_hash, at, seq
            anchor_seen = anchor_seen or r.row_hash == anchor
    if not anchor_seen:
        return ChainReport(
            False,
            rows,
            prev_hash,
            prev_seq + 1,
            f"the anchor {anchor} is not in the chain: rows were removed from the end "
            "or the chain was rebuilt",
        )
    return ChainReport(True, rows, prev_hash)


__all__ = [
    "GENESIS",
    "KEY_ENV",
    "ChainReport",
    "audit_key",
    "chain",
    "row_fields",
    "row_hash",
    "verify_chain",
]
