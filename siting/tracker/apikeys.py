"""API keys: how programs (the licensing portal, the secretariat's tools) act as a tracker account
through the HTTP API (``siting serve``, :mod:`siting.api`).

A key is ``sk_<key id>_<secret>``: the key id (12 hex digits) is public (lists, the audit trail),
the secret is 32 random bytes. Only the SHA-256 of the whole key is stored: with 256 bits of
randomness nobody can search the key space, so the slow password hash (scrypt) would only cost
every API call time. A key acts as its account, with the account's role as the database has it at
each call; a revoked key, or a key of a deactivated account, stops working at once.

Creating and revoking a key are administrator actions (``manage_accounts``) and audit rows
(``api_key_created``, ``api_key_revoked``); every change made with a key carries the key's id in
its audit row (``via``, see :class:`siting.tracker.core.Ctx`).

>>> import os, tempfile
>>> from siting.tracker import Tracker, TrackerSettings, init_database
>>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "tracker.db")
>>> _ = init_database(url)
>>> t = Tracker(TrackerSettings(url=url))
>>> admin = t.bootstrap_admin("admin", "a long passphrase")
>>> _ = t.create_user(admin, "portal", None, "expert")
>>> view, key = t.create_api_key(admin, "portal", label="licensing portal")
>>> who = t.authenticate_api_key(key)
>>> who.username, who.role, who.method == "api_key:" + view.key_id
('portal', 'expert', True)
>>> t.revoke_api_key(admin, view.key_id).revoked
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..text import clean_text
from . import models as m
from .access import Identity
from .core import API_KEY_METHOD, Ctx, TrackerBase, api
from .errors import AuthenticationError, NotFound, TrackerInputError
from .terms import tidy_text

KEY_PREFIX = "sk_"
_KEY = re.compile(r"^sk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_BAD_KEY = ("the API key is not valid (unknown, revoked, or its account is inactive)",
            "کلید API معتبر نیست (ناشناخته، باطل‌شده یا متعلق به حسابی غیرفعال)")


@dataclass(frozen=True)
class ApiKeyView:
    """An API key as lists show it (never the secret)."""

    key_id: str
    username: str
    role: str
    label: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def key_hash(key: str) -> str:
    """The stored form of a key: SHA-256 hex of the whole key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _view(k: m.ApiKey, user: m.User) -> ApiKeyView:
    return ApiKeyView(k.key_id, user.username, user.role, k.label, k.created_at, k.revoked_at)


class ApiKeysMixin(TrackerBase):
    @api("write")
    def create_api_key(self, ctx: Ctx, username: str, label: str = "") -> tuple[ApiKeyView, str]:
        """Issue a key acting as the account ``username`` (administrators).

        Returns the key's view and the key itself, which is shown this once and never stored.
        """
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        user = self._users_by_name(ctx.s, clean_text(username) or "")
        if user is None:
            raise NotFound(f"user: no account named {username!r}", f"حسابی با نام {username!r} وجود ندارد")
        if not user.active:
            raise TrackerInputError(f"user: the account {user.username!r} is inactive",
                                    f"حساب {user.username!r} غیرفعال است")
        text = tidy_text(label) or ""
        if len(text) > 200:
            raise TrackerInputError("label: longer than 200 characters", "برچسب بیش از ۲۰۰ نویسه است")
        key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        row = m.ApiKey(key_id=key_id, key_hash=key_hash(key), user_id=user.id, label=text,
                       created_at=ctx.now, created_by=ctx.user.id, revoked_at=None)
        ctx.s.add(row)
        ctx.s.flush()
        ctx.audit("api_key_created", "api_key", row.id, key_id=key_id, for_user=user.username,
                  role=user.role, label=text)
        return _view(row, user), key

    @api("write")
    def revoke_api_key(self, ctx: Ctx, key_id: str) -> ApiKeyView:
        """Revoke a key by its id (administrators); it stops working at once."""
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        row = ctx.s.scalars(select(m.ApiKey).where(m.ApiKey.key_id == (clean_text(key_id) or ""))).first()
        if row is None:
            raise NotFound(f"key_id: no API key {key_id!r}", f"کلید API با شناسهٔ {key_id!r} وجود ندارد")
        if row.revoked_at is not None:
            raise TrackerInputError(f"key_id: the API key {key_id} is revoked already",
                                    f"کلید API {key_id} پیش‌تر باطل شده است")
        row.revoked_at = ctx.now
        user = self._user(ctx, row.user_id)
        ctx.audit("api_key_revoked", "api_key", row.id, key_id=row.key_id, for_user=user.username)
        return _view(row, user)

    @api("read")
    def list_api_keys(self, ctx: Ctx) -> tuple[ApiKeyView, ...]:
        """Every key, revoked ones included (administrators)."""
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        rows = ctx.s.execute(select(m.ApiKey, m.User).join(m.User, m.User.id == m.ApiKey.user_id)
                             .order_by(m.ApiKey.id)).all()
        return tuple(_view(k, u) for k, u in rows)

    def authenticate_api_key(self, key: str) -> Identity:
        """The identity of the account a key acts as; :class:`AuthenticationError` for a malformed,
        unknown or revoked key or an inactive account (one message for all)."""
        match = _KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise AuthenticationError(*_BAD_KEY)
        with Session(self._read_engine, expire_on_commit=False) as s, s.begin():
            row = s.scalars(select(m.ApiKey).where(m.ApiKey.key_id == match.group(1))).first()
            if row is None or not hmac.compare_digest(row.key_hash, key_hash(key)) or row.revoked_at is not None:
                raise AuthenticationError(*_BAD_KEY)
            user = s.get(m.User, row.user_id)
            if user is None or not user.active:
                raise AuthenticationError(*_BAD_KEY)
            return self._sign(user, API_KEY_METHOD + row.key_id)


__all__ = ["KEY_PREFIX", "ApiKeyView", "ApiKeysMixin", "key_hash"]
