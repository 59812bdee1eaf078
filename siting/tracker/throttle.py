"""Sign-in throttling: a growing lockout per account name and per client.

After ``account_failures`` failed sign-ins in a row for one user name (known
or not, so that the lockout does not reveal which accounts exist), or
``client_failures`` from one client (the dashboard passes the browser's IP
address), further sign-ins for that name or from that client are refused,
even with the right password, for ``base_delay``, doubling with every
further failure up to ``max_delay``. A successful sign-in clears the
account's count; a client's count is forgotten ``forget_after`` its last
failure (not on success, so one good account does not unlock a guesser).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import models as m


@dataclass(frozen=True)
class SigninPolicy:
    """How many failures lock, and for how long."""

    account_failures: int = 5
    client_failures: int = 20
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)

    def lock_for(self, failures: int, threshold: int) -> timedelta | None:
        """The lockout after ``failures`` failures in a row (``None`` below the threshold)."""
        if failures < threshold:
            return None
        return min(self.base_delay * 2 ** min(failures - threshold, 32), self.max_delay)


def throttle_row(s: Session, scope: str, key: str) -> m.SigninThrottle:
    """The row counting failures of ``key``, created if needed and locked for this transaction."""
    row = s.get(m.SigninThrottle, (scope, key), with_for_update=True)
    if row is not None:
        return row
    try:
        with s.begin_nested():
            s.add(m.SigninThrottle(scope=scope, key=key, failures=0))
    except IntegrityError:  # another sign-in created it meanwhile
        pass
    row = s.get(m.SigninThrottle, (scope, key), with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def record_failure(
    row: m.SigninThrottle, now: datetime, threshold: int, policy: SigninPolicy
) -> datetime | None:
    """Count one failure; returns the new lockout's end if this failure locks."""
    if row.last_failure_at is not None and now - row.last_failure_at > policy.forget_after:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    delay = policy.lock_for(row.failures, threshold)
    row.locked_until = now + delay if delay is not None else None
    return row.locked_until


__all__ = ["SigninPolicy", "record_failure", "throttle_row"]
