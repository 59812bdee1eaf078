"""Password hashing for local accounts: salted scrypt from the standard library.

Why scrypt through :func:`hashlib.scrypt`: it is memory-hard (expensive to
attack with GPUs), recommended by OWASP's password storage guidance, and
ships with Python (OpenSSL), so the embedded default needs no compiled
extra package. The parameters are stored inside each hash
(``scrypt$n$r$p$salt$key``), so they can be raised later:
:func:`needs_rehash` tells the sign-in code to re-hash with the current
policy. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .errors import TrackerInputError

MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class PasswordPolicy:
    """scrypt cost parameters.

    The default (n = 2**14, r = 8, p = 5: 16 MiB, about 0.1 s here) is one of
    OWASP's equivalent scrypt settings. :meth:`fast` is for tests only.
    """

    n: int = 2**14
    r: int = 8
    p: int = 5
    salt_bytes: int = 16
    key_bytes: int = 32

    @classmethod
    def fast(cls) -> PasswordPolicy:
        """Cheap parameters for test suites; never for real accounts."""
        return cls(n=2**8, r=8, p=1)


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing (:class:`TrackerInputError`)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise TrackerInputError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters are required",
            f"گذرواژه: دست‌کم {MIN_PASSWORD_LENGTH} نویسه لازم است",
            [("password", f"at least {MIN_PASSWORD_LENGTH} characters",
              f"دست‌کم {MIN_PASSWORD_LENGTH} نویسه")])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=256 * r * n * max(p, 1) + 2**20)


def hash_password(password: str, policy: PasswordPolicy | None = None) -> str:
    """A salted scrypt hash of ``password`` with its parameters, e.g. ``scrypt$16384$8$5$…$…``."""
    policy = policy or PasswordPolicy()
    salt = secrets.token_bytes(policy.salt_bytes)
    key = _derive(password, salt, policy.n, policy.r, policy.p, policy.key_bytes)
    return f"scrypt${policy.n}${policy.r}${policy.p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches ``stored`` (constant-time); False for malformed hashes."""
    if not stored or not isinstance(password, str):
        return False
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        got = _derive(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def needs_rehash(stored: str, policy: PasswordPolicy | None = None) -> bool:
    """True if ``stored`` was made with other parameters than ``policy``."""
    policy = policy or PasswordPolicy()
    try:
        scheme, n, r, p, *_ = stored.split("$")
        return scheme != "scrypt" or (int(n), int(r), int(p)) != (policy.n, policy.r, policy.p)
    except ValueError:
        return True


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PasswordPolicy",
    "check_password_strength",
    "hash_password",
    "needs_rehash",
    "verify_password",
]
