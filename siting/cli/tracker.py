"""``siting tracker ...``: set up the tracker's database and read it from the shell.

``register(subparsers)`` adds the ``tracker`` command to the ``siting`` CLI
(``siting/cli/core.py`` wires it in); ``python -m siting.cli.tracker tracker ...``
runs it on its own. Each subcommand's function returns the exit status.

* ``init``         create or upgrade the tables; ``--admin NAME`` also creates the first administrator
* ``migrate``      upgrade to the newest schema, or ``--revision REV``; going below the current schema
                   (``base`` empties it) needs ``--allow-destructive`` and writes a backup first
* ``audit verify`` check the audit trail's hash chain (exit 2 with the first broken row)
* ``create-user``  create an account (authorised by an administrator, ``--as``)
* ``create-api-key`` issue a key for the HTTP API (``--user NAME [--role ROLE] --as ADMIN``), printed once
* ``revoke-api-key`` revoke a key by its id; ``list-api-keys`` lists them (never the secret)
* ``agenda``       the working group's pending proposals with their site validation
* ``renewals``     licences expiring within ``--days`` days

Passwords are read from ``$SITING_TRACKER_PASSWORD`` (the signed-in user)
and ``$SITING_TRACKER_NEW_PASSWORD`` (a new account), or asked for.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any, TypeVar

from siting.errors import SitingError
from siting.fmt import jalali
from siting.tracker.terms import ROLES

PASSWORD_ENV = "SITING_TRACKER_PASSWORD"
NEW_PASSWORD_ENV = "SITING_TRACKER_NEW_PASSWORD"
T = TypeVar("T")


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``tracker`` and its subcommands to an argparse subparsers object."""
    p = subparsers.add_parser("tracker", help="the application tracker's database",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="tracker_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--database-url", default=None,
                       help="database URL (default $DATABASE_URL, else sqlite data/tracker.db)")

    q = sub.add_parser("init", help="create or upgrade the tracker's tables")
    common(q)
    q.add_argument("--admin", metavar="NAME", help="also create the first administrator (password from "
                   f"${NEW_PASSWORD_ENV} or asked)")
    q.set_defaults(func=cmd_init)

    q = sub.add_parser("migrate", help="upgrade (or downgrade) the schema")
    common(q)
    q.add_argument("--revision", default="head", help="target revision (default head; 'base' drops every table)")
    q.add_argument("--allow-destructive", action="store_true",
                   help="allow a downgrade below the current schema (a backup is written first)")
    q.add_argument("--backup-dir", default=None,
                   help="where the backup before a downgrade goes (default: beside a SQLite file; "
                        "data/backups for PostgreSQL)")
    q.set_defaults(func=cmd_migrate)

    q = sub.add_parser("audit", help="the audit trail")
    audit_sub = q.add_subparsers(dest="audit_command", required=True)
    v = audit_sub.add_parser("verify", help="check the audit trail's hash chain (exit 2 if broken)")
    common(v)
    v.add_argument("--anchor", metavar="HASH",
                   help="a head hash printed by an earlier verify: it must still be in the chain")
    v.set_defaults(func=cmd_audit_verify)

    q = sub.add_parser("create-user", help="create an account")
    common(q)
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=ROLES)
    q.add_argument("--display-name", default="")
    q.add_argument("--as", dest="as_user", metavar="ADMIN",
                   help=f"administrator authorising it (password from ${PASSWORD_ENV} or asked); "
                        "not needed for the first administrator")
    q.set_defaults(func=cmd_create_user)

    q = sub.add_parser("create-api-key", help="issue an API key for the HTTP API (siting serve)")
    common(q)
    q.add_argument("--user", required=True, help="the account the key acts as")
    q.add_argument("--role", choices=ROLES, default=None,
                   help="create the account (no password: it signs in only with keys) with this role if it "
                        "does not exist; if it exists, its role must be this one")
    q.add_argument("--label", default="", help="what the key is for (shown in lists and the audit trail)")
    q.add_argument("--as", dest="as_user", required=True, metavar="ADMIN",
                   help=f"administrator authorising it (password from ${PASSWORD_ENV} or asked)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_create_api_key)

    q = sub.add_parser("revoke-api-key", help="revoke an API key (it stops working at once)")
    common(q)
    q.add_argument("key_id", help="the key's id (the 12 hex digits after sk_)")
    q.add_argument("--as", dest="as_user", required=True, metavar="ADMIN",
                   help=f"administrator authorising it (password from ${PASSWORD_ENV} or asked)")
    q.set_defaults(func=cmd_revoke_api_key)

    q = sub.add_parser("list-api-keys", help="every API key (never the secret)")
    common(q)
    q.add_argument("--as", dest="as_user", required=True, metavar="ADMIN",
                   help=f"administrator (password from ${PASSWORD_ENV} or asked)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_list_api_keys)

    q = sub.add_parser("agenda", help="the working group's pending proposals")
    common(q)
    q.add_argument("--user", required=True, help=f"signed-in staff user (password from ${PASSWORD_ENV})")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_agenda)

    q = sub.add_parser("renewals", help="licences due for renewal")
    common(q)
    q.add_argument("--user", required=True, help=f"signed-in user (password from ${PASSWORD_ENV})")
    q.add_argument("--days", type=int, default=90, help="expiring within this many days (default 90)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_renewals)
    return p


def _password(env: str, prompt: str) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise SystemExit(f"set ${env} or run in a terminal to be asked for the password")
    return getpass.getpass(prompt)


def _tracker(args: argparse.Namespace):
    from siting.tracker import Tracker, TrackerSettings

    return Tracker(TrackerSettings(url=args.database_url))


def _signed_in(args: argparse.Namespace, read: Callable[[Any, Any], T]) -> T:
    """Open the tracker, sign ``--user`` in, call ``read(tracker, identity)`` and close."""
    with closing(_tracker(args)) as t:
        return read(t, t.authenticate(args.user, _password(PASSWORD_ENV, f"password for {args.user}: ")))


def _guarded(fn):
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except SitingError as exc:
            message = getattr(exc, "message_en", None) or str(exc)
            print(f"siting tracker: {message}", file=sys.stderr)
            return 2
        except Exception as exc:
            from sqlalchemy.exc import InterfaceError, OperationalError

            if not isinstance(exc, (OperationalError, InterfaceError)):
                raise
            from siting.tracker import resolve_url

            reason = (str(exc.orig) or type(exc.orig).__name__).strip().splitlines()[0]
            print(f"siting tracker: cannot reach the database at "
                  f"{_shown_url(resolve_url(args.database_url))}: {reason}", file=sys.stderr)
            return 2

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


@_guarded
def cmd_init(args: argparse.Namespace) -> int:
    """Create or upgrade the tables; optionally create the first administrator."""
    from siting.tracker import init_database, resolve_url

    rev = init_database(args.database_url)
    print(f"tracker database ready at revision {rev}: {_shown_url(resolve_url(args.database_url))}")
    if args.admin:
        with closing(_tracker(args)) as t:
            t.bootstrap_admin(args.admin, _password(NEW_PASSWORD_ENV, f"password for {args.admin}: "))
        print(f"administrator {args.admin} created")
    return 0


@_guarded
def cmd_migrate(args: argparse.Namespace) -> int:
    """Move the schema to ``--revision``."""
    from siting.tracker import current_revision, make_engine, upgrade
    from siting.tracker.migrate import downgrade, is_downgrade

    engine = make_engine(args.database_url)
    try:
        before = current_revision(engine)
        if is_downgrade(engine, args.revision):
            done = downgrade(engine, args.revision, allow_destructive=args.allow_destructive,
                             backup_dir=args.backup_dir)
            if done.backup is not None:
                print(f"backup written before the downgrade: {done.backup}")
            after = done.revision
        else:
            after = upgrade(engine, args.revision)
    finally:
        engine.dispose()
    print(f"schema {before or 'empty'} -> {after or 'empty'}")
    return 0


@_guarded
def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the audit trail's hash chain: OK with the row count and head hash, or the first break."""
    from siting.tracker import make_engine
    from siting.tracker.audit import verify_chain

    engine = make_engine(args.database_url)
    try:
        report = verify_chain(engine, anchor=args.anchor)
    finally:
        engine.dispose()
    print(report.describe(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 2


@_guarded
def cmd_create_user(args: argparse.Namespace) -> int:
    """Create an account; the first administrator needs no ``--as``."""
    with closing(_tracker(args)) as t:
        password = _password(NEW_PASSWORD_ENV, f"password for {args.username}: ")
        if args.as_user is None:
            if args.role != "admin":
                raise SystemExit("--as ADMIN is required (only the first administrator is created without it)")
            t.bootstrap_admin(args.username, password, args.display_name)
        else:
            admin = t.authenticate(args.as_user, _password(PASSWORD_ENV, f"password for {args.as_user}: "))
            t.create_user(admin, args.username, password, args.role, args.display_name)
    print(f"{args.role} {args.username} created")
    return 0


def _as_admin(t: Any, args: argparse.Namespace) -> Any:
    return t.authenticate(args.as_user, _password(PASSWORD_ENV, f"password for {args.as_user}: "))


@_guarded
def cmd_create_api_key(args: argparse.Namespace) -> int:
    """Issue a key (creating a key-only account with ``--role`` if there is none); print it once."""
    from siting.tracker import TrackerInputError

    with closing(_tracker(args)) as t:
        admin = _as_admin(t, args)
        users = {u.username: u for u in t.list_users(admin)}
        user = users.get(args.user)
        if user is None and args.role is not None:
            t.create_user(admin, args.user, None, args.role, args.label or "")
        elif user is not None and args.role is not None and user.role != args.role:
            raise TrackerInputError(f"--role: the account {args.user!r} has the role {user.role}, not {args.role}",
                                    f"نقش حساب {args.user!r} {user.role} است، نه {args.role}")
        view, key = t.create_api_key(admin, args.user, args.label)
    if args.json:
        print(json.dumps({**_jsonable(vars(view)), "key": key}, ensure_ascii=False))
    else:
        print(f"API key {view.key_id} for {view.username} ({view.role}); it is shown only now:")
        print(key)
    return 0


@_guarded
def cmd_revoke_api_key(args: argparse.Namespace) -> int:
    """Revoke a key by its id."""
    with closing(_tracker(args)) as t:
        view = t.revoke_api_key(_as_admin(t, args), args.key_id)
    print(f"API key {view.key_id} of {view.username} revoked")
    return 0


@_guarded
def cmd_list_api_keys(args: argparse.Namespace) -> int:
    """List the keys (id, account, role, label, created, revoked)."""
    with closing(_tracker(args)) as t:
        keys = t.list_api_keys(_as_admin(t, args))
    if args.json:
        print(json.dumps([_jsonable(vars(k)) for k in keys], ensure_ascii=False, indent=1))
        return 0
    for k in keys:
        state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        print(f"{k.key_id}\t{k.username}\t{k.role}\t{k.label or '-'}\tcreated {k.created_at:%Y-%m-%d %H:%M}\t{state}")
    return 0


@_guarded
def cmd_agenda(args: argparse.Namespace) -> int:
    """Print the working group's agenda."""
    agenda = _signed_in(args, lambda t, who: t.agenda(who))
    if args.json:
        print(json.dumps({"generated_at": agenda.generated_at.isoformat(),
                          "items": [_jsonable(vars(i)) for i in agenda.items]}, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(agenda.items)} proposal(s) pending")
    for i in agenda.items:
        where = f"{i.lon:.5f},{i.lat:.5f}" if i.lon is not None else (i.address or "-")
        failed = ",".join(i.failed_rules) or "-"
        print(f"#{i.application_id}\t{i.licence_type}\t{i.request_type}\t{i.applicant_name}\t{i.county or '-'}\t"
              f"{where}\tsite:{i.validation_status}\tfailed:{failed}\tsubmitted {jalali(i.submitted_at, lang='en')}")
    return 0


@_guarded
def cmd_renewals(args: argparse.Namespace) -> int:
    """Print the licences due for renewal."""
    items = _signed_in(args, lambda t, who: t.renewals_due(who, args.days))
    if args.json:
        print(json.dumps([_jsonable({**vars(i.licence), "days_left": i.days_left,
                                     "renewal_application_id": i.renewal_application_id}) for i in items],
                         ensure_ascii=False, indent=1))
        return 0
    print(f"{len(items)} licence(s) expiring within {args.days} days")
    for i in items:
        state = "EXPIRED" if i.days_left <= 0 else f"{i.days_left} days left"
        print(f"{i.licence.number}\t{i.licence.licence_type}\t{i.licence.holder_name}\t"
              f"expires {jalali(i.licence.expires_on, lang='en')} ({i.licence.expires_on})\t{state}\t"
              f"renewal request: {i.renewal_application_id or '-'}")
    return 0


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    from siting.tracker.views import jsonable

    return jsonable(d)


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``siting tracker ...`` on its own (``python -m siting.cli.tracker tracker agenda ...``)."""
    parser = argparse.ArgumentParser(prog="siting")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
