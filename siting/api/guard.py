"""The outer layer every request passes first: the rate limit, the body-size limit and the last
resort for unexpected errors. Plain ASGI (no per-request objects beyond a dict lookup), so a refused
request costs almost nothing.

Rate limit: a token bucket per client — the API key presented (by a hash of it, so that a made-up
key cannot drain someone else's bucket), else the client address. ``rate_burst`` requests at once,
refilled at ``rate_per_second``. A request without a token gets 429 and ``Retry-After`` (seconds).
A failed sign-in with a key is charged to the address's bucket too, so trying keys is limited.
In-process: with ``--workers N`` each worker counts for itself (N times the rate in all).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siting.api.errors import error_response, unexpected
from siting.api.settings import ApiSettings

#: buckets kept (least recently used are forgotten: a forgotten client starts with a full bucket)
MAX_BUCKETS = 50_000


class RateLimiter:
    """Token buckets keyed by client, thread-safe."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate, self.burst, self.clock = float(rate), float(burst), clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0 if allowed, else the seconds until a token is there."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return wait


class BodyTooLarge(Exception):
    """The request body passed the limit while it was being read."""


def client_address(scope: Scope, trust_forwarded: bool) -> str:
    if trust_forwarded:
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[0].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def client_key(scope: Scope, trust_forwarded: bool) -> str:
    """The rate-limit key: ``key:<hash of the bearer token>`` or ``ip:<address>``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return "key:" + hashlib.sha256(value[7:].strip()).hexdigest()[:24]
    return "ip:" + client_address(scope, trust_forwarded)


def _lang(scope: Scope) -> str:
    qs = scope.get("query_string", b"")
    if b"lang=en" in qs:
        return "en"
    if b"lang=fa" in qs:
        return "fa"
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            v = value.decode("latin-1").lower().strip()
            return "en" if v.startswith("en") else "fa"
    return "fa"


class Guard:
    """ASGI middleware: rate limit, body-size limit (413), and 500 for anything unexpected."""

    def __init__(self, app: ASGIApp, settings: ApiSettings, limiter: RateLimiter) -> None:
        self.app, self.settings, self.limiter = app, settings, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = _lang(scope)
        wait = self.limiter.take(client_key(scope, self.settings.trust_forwarded_for))
        if wait > 0:
            await _too_many(lang, wait, scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    await _too_large(lang, limit, scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _too_large(lang, limit, scope, receive, send)
        except Exception as exc:
            if started:
                raise
            await unexpected(lang, exc, scope.get("path", "?"))(scope, receive, send)


async def _too_many(lang: str, wait: float, scope: Scope, receive: Receive, send: Send) -> None:
    seconds = max(1, math.ceil(wait))
    await error_response(lang, 429, "rate_limited", None,
                         f"too many requests from this client; try again in {seconds} s",
                         f"درخواست‌های این کاربر بیش از حد مجاز است؛ {seconds} ثانیهٔ دیگر دوباره تلاش کنید",
                         {"Retry-After": str(seconds)})(scope, receive, send)


async def _too_large(lang: str, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(lang, 413, "body_too_large", "body",
                         f"body: the request body is larger than {limit} bytes",
                         f"بدنهٔ درخواست از {limit} بایت بزرگ‌تر است")(scope, receive, send)


__all__ = ["MAX_BUCKETS", "BodyTooLarge", "Guard", "RateLimiter", "client_address", "client_key"]
