"""The API's error contract: every error is ``{"error": {...}}`` with a status, a code, the field and
the message in Persian and English; nothing else ever reaches the client (no tracebacks).

The Persian sentences for coordinates are the dashboard's (``ui/i18n.py``, ``error.*``): the library
cannot import the dashboard, so they are repeated here word for word.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from siting.errors import InputError, SitingError, WorkspaceError
from siting.permissions import PermissionDenied

LOG = logging.getLogger("siting.api")

LANGUAGES = ("fa", "en")


class ApiError(SitingError):
    """An answer other than 2xx with its bilingual message (raised by the routes)."""

    def __init__(self, status: int, code: str, field: str | None, message_en: str, message_fa: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{message_en} / {message_fa}")
        self.status, self.code, self.field = status, code, field
        self.message_en, self.message_fa = message_en, message_fa
        self.headers = headers or {}


class FieldError(ApiError, InputError):  # type: ignore[misc]  # its code is always a str; an InputError's may be None
    """Bad input in one field (422)."""

    def __init__(self, field: str, code: str, message_en: str, message_fa: str) -> None:
        super().__init__(422, code, field, message_en, message_fa)


def language(request: Request) -> str:
    """``?lang=fa|en``, else the first of fa/en in ``Accept-Language`` (by q), else Persian."""
    q = request.query_params.get("lang")
    if q in LANGUAGES:
        return q
    header = request.headers.get("accept-language", "")
    best: tuple[float, str] | None = None
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if best is None or weight > best[0]:
            best = (weight, base)
    return best[1] if best and best[0] > 0 else "fa"


def dumps(obj: Any) -> bytes:
    """JSON as UTF-8 bytes: Persian kept as is, numpy numbers as numbers, NaN as null."""
    return json.dumps(_clean(obj), ensure_ascii=False, default=_default, separators=(",", ":")).encode("utf-8")


def _clean(o: Any) -> Any:
    if isinstance(o, float):
        return o if o == o and o not in (float("inf"), float("-inf")) else None
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def _default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, np.ndarray):
        return _clean(o.tolist())
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)


def error_response(request_lang: str, status: int, code: str, field: str | None, message_en: str,
                   message_fa: str, headers: dict[str, str] | None = None,
                   reference: str | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "code": code, "field": field,
                            "message": message_fa if request_lang == "fa" else message_en,
                            "message_fa": message_fa, "message_en": message_en}
    if reference:
        body["reference"] = reference
    return Response(dumps({"error": body}), status_code=status, media_type="application/json",
                    headers={"Content-Language": request_lang, **(headers or {})})


def _field_of(exc: Exception) -> str | None:
    field = getattr(exc, "field", None)
    if field:
        return str(field)
    problems = getattr(exc, "problems", ())
    if problems:
        return str(problems[0][0])
    source = getattr(exc, "source", None)
    if source:
        return str(source)
    text = getattr(exc, "message_en", None) or str(exc)
    head = text.split(":", 1)[0].strip()
    return head if head and " " not in head and len(head) < 40 else None


def _messages(exc: Exception) -> tuple[str, str]:
    en = getattr(exc, "message_en", None)
    fa = getattr(exc, "message_fa", None)
    if en and fa:
        return str(en), str(fa)
    text = str(exc)
    return text, f"ورودی قابل استفاده نیست: {text}"


def unexpected(lang: str, exc: BaseException, where: str) -> Response:
    """500 with a reference id; the traceback goes to the server log under the same id."""
    ref = uuid.uuid4().hex[:12]
    LOG.error("unexpected error %s at %s", ref, where, exc_info=exc)
    return error_response(lang, 500, "internal_error", None,
                          f"an unexpected error happened on the server; nothing was changed by it "
                          f"(reference {ref})",
                          f"خطای پیش‌بینی‌نشده‌ای در کارساز رخ داد (شناسهٔ پیگیری {ref})", reference=ref)


def install(app: FastAPI) -> None:
    """Register the handlers that map the library's errors to the contract above."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(language(request), exc.status, exc.code, exc.field, exc.message_en,
                              exc.message_fa, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path", "header")]
        field = ".".join(loc) or None
        kind = str(first.get("type", "invalid"))
        msg = str(first.get("msg", "invalid value"))
        if kind == "json_invalid":
            return error_response(language(request), 400, "bad_json", "body",
                                  f"body: not valid JSON ({msg})", "بدنهٔ درخواست JSON معتبر نیست")
        if kind == "missing":
            return error_response(language(request), 422, "missing", field, f"{field}: required",
                                  f"{field}: لازم است و داده نشده است")
        return error_response(language(request), 422, "invalid", field, f"{field}: {msg}",
                              f"{field}: مقدار نادرست است ({msg})")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        from siting.api.guard import BodyTooLarge

        if isinstance(exc.__cause__, BodyTooLarge):  # FastAPI turns errors while reading the body into 400
            limit = request.app.state.settings.max_body_bytes
            return error_response(language(request), 413, "body_too_large", "body",
                                  f"body: the request body is larger than {limit} bytes",
                                  f"بدنهٔ درخواست از {limit} بایت بزرگ‌تر است")
        if exc.status_code == 404:
            return error_response(language(request), 404, "not_found", None,
                                  f"no such resource: {request.url.path}", "چنین نشانی‌ای وجود ندارد")
        if exc.status_code == 405:
            return error_response(language(request), 405, "method_not_allowed", None,
                                  f"{request.method} is not allowed on {request.url.path}",
                                  f"روش {request.method} برای این نشانی مجاز نیست")
        if exc.status_code == 400:  # FastAPI could not read the body (e.g. JSON nested too deep)
            return error_response(language(request), 400, "bad_body", "body",
                                  f"body: the request body cannot be read ({exc.detail})",
                                  "بدنهٔ درخواست خوانده نشد")
        return error_response(language(request), exc.status_code, "http_error", None, str(exc.detail),
                              f"درخواست پذیرفته نشد ({exc.status_code})")

    @app.exception_handler(SitingError)
    async def _siting(request: Request, exc: SitingError) -> Response:
        return library_error(language(request), exc)

    @app.exception_handler(PermissionError)
    async def _permission(request: Request, exc: PermissionError) -> Response:
        if isinstance(exc, SitingError):
            return library_error(language(request), exc)
        return unexpected(language(request), exc, request.url.path)


def library_error(lang: str, exc: BaseException) -> Response:
    """The status and message of one of the library's errors (see the module docstring)."""
    from siting.tracker.errors import (
        AccessDenied,
        AuthenticationError,
        ConflictError,
        NotFound,
        TrackerError,
    )

    en, fa = _messages(exc)  # type: ignore[arg-type]
    if isinstance(exc, AuthenticationError):
        return error_response(lang, 401, "unauthorized", "Authorization", en, fa,
                              {"WWW-Authenticate": 'Bearer realm="siting"'})
    if isinstance(exc, PermissionDenied | AccessDenied):
        return error_response(lang, 403, "forbidden", None, en, fa)
    if isinstance(exc, NotFound):
        return error_response(lang, 404, "not_found", _field_of(exc), en, fa)
    if isinstance(exc, ConflictError):
        return error_response(lang, 409, "conflict", None, en, fa)
    if isinstance(exc, InputError):
        return error_response(lang, 422, "invalid", _field_of(exc), en, fa)
    if isinstance(exc, WorkspaceError):
        return error_response(lang, 503, "workspace_unavailable", None,
                              "the workspace cannot be read now; try again later",
                              "فضای کاری اکنون خواندنی نیست؛ بعداً دوباره تلاش کنید")
    if isinstance(exc, TrackerError):
        return error_response(lang, 400, "refused", None, en, fa)
    return unexpected(lang, exc, "library")  # a SitingError we do not know how to answer


__all__ = ["ApiError", "FieldError", "dumps", "error_response", "install", "language", "library_error",
           "unexpected"]
