"""Who runs a workspace-writing command (``siting init``, ``siting import``).

By default the command line acts as :data:`siting.permissions.LOCAL_OPERATOR`
(the person at the machine, with a data steward's rights). A deployment that
wants the same identity on the command line as on the dashboard sets
``SITING_REQUIRE_IDENTITY=1``: every command that writes the workspace then
needs a tracker account that may do it (a data steward or an administrator),
signed in with

* ``--user NAME`` (or ``$SITING_USER``),
* the password from ``$SITING_TRACKER_PASSWORD``, else asked in a terminal,
* the tracker database of ``--database-url`` (or ``$DATABASE_URL``, else ``data/tracker.db``).

A refusal is a :class:`~siting.errors.SitingError`: ``siting`` prints one line
and exits with status 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Mapping
from contextlib import closing

from siting.errors import InputError
from siting.permissions import LOCAL_OPERATOR, HasRole, PermissionDenied, require

REQUIRE_ENV = "SITING_REQUIRE_IDENTITY"
USER_ENV = "SITING_USER"
PASSWORD_ENV = "SITING_TRACKER_PASSWORD"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def identity_required(env: Mapping[str, str] | None = None) -> bool:
    """Whether ``$SITING_REQUIRE_IDENTITY`` asks for a signed-in account (1/0, true/false, yes/no)."""
    env = os.environ if env is None else env
    value = (env.get(REQUIRE_ENV) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(
        f"${REQUIRE_ENV}: {env.get(REQUIRE_ENV)!r} is not 1 or 0 (true/false, yes/no)",
        source=REQUIRE_ENV,
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``--user`` and ``--database-url`` for a command that writes the workspace."""
    p.add_argument(
        "--user",
        default=None,
        help=f"with ${REQUIRE_ENV}=1: the data steward or administrator "
        f"running this (default ${USER_ENV}; password from ${PASSWORD_ENV} or asked)",
    )
    p.add_argument(
        "--database-url",
        default=None,
        help=f"with ${REQUIRE_ENV}=1: the tracker database holding "
        "the accounts (default $DATABASE_URL, else sqlite data/tracker.db)",
    )


def _password(user: str) -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputError(
            f"${PASSWORD_ENV}: not set, and no terminal to ask for {user}'s password",
            source=PASSWORD_ENV,
        )
    return getpass.getpass(f"password for {user}: ")


def operator(args: argparse.Namespace, action: str) -> HasRole:
    """Who runs this command, if they may take ``action``; else :class:`PermissionDenied` (or an
    :class:`~siting.tracker.AuthenticationError` for a wrong user name or password)."""
    if not identity_required():
        return require(LOCAL_OPERATOR, action)
    user = (getattr(args, "user", None) or os.environ.get(USER_ENV) or "").strip()
    if not user:
        raise PermissionDenied(
            action,
            "public",
            hint=f"${REQUIRE_ENV} is set: give --user NAME (or "
            f"${USER_ENV}) and the password in ${PASSWORD_ENV}",
        )
    from siting.tracker import Tracker, TrackerSettings

    with closing(Tracker(TrackerSettings(url=getattr(args, "database_url", None)))) as trk:
        who = trk.authenticate(user, _password(user))
        trk.authorize(
            who, action
        )  # the account as the database has it (AccessDenied names the roles)
    return require(who, action)


__all__ = [
    "PASSWORD_ENV",
    "REQUIRE_ENV",
    "USER_ENV",
    "add_arguments",
    "identity_required",
    "operator",
]
