"""The HTTP API (``siting serve``): the library's answers for other systems, versioned under ``/v1``.

Public and read-only: ``/v1/offices``, ``/v1/settlements`` (GeoJSON), ``/v1/coverage``,
``/v1/gaps`` (GeoJSON, ``?h3=RES`` for cells), ``/v1/site-check``, ``/v1/rules``, ``/v1/health``.
With an API key (``Authorization: Bearer sk_…``, issued by ``siting tracker create-api-key``):
``/v1/me``, ``/v1/applications`` (create, read, attach a site check) and optimisation jobs
(``/v1/optimize/jobs``: submit, poll, result). The OpenAPI document is ``/v1/openapi.json``.

Why FastAPI
-----------
FastAPI is Starlette (already installed here as Streamlit's server) plus request parsing and the
OpenAPI document generated from the same type hints that check the input, so the contract the
licensing portal reads cannot drift from the code. Starlette alone would need the schema written
and kept by hand; Litestar offers the same as FastAPI but is less known to the directorate's
contractors and would add its own server stack; Flask is WSGI (one thread per open request, no
native async for the 200 concurrent clients the portal brings) and has no built-in OpenAPI.
The server is uvicorn (``siting serve --workers N``).

What each request costs
-----------------------
The workspace is loaded once per generation (:mod:`siting.api.state`): a background thread looks at
the file every ``reload_interval`` seconds and swaps in a new generation when an import wrote one;
requests never read a file. Offices, settlements, coverage and gaps are serialised once per
generation; site checks are computed (about 3 ms) and kept in a bounded LRU cache.

Errors (the same contract as the CLI)
-------------------------------------
Bad input: 422 (400 for a body that is not JSON) with
``{"error": {"status", "code", "field", "message", "message_fa", "message_en"}}``, ``message`` in
the language asked for (``?lang=fa|en`` or ``Accept-Language``; Persian by default). 401 without a
valid key, 403 when the role may not, 404, 409 for a conflicting change, 413 for a body over
``max_body_bytes`` (1 MiB), 429 with ``Retry-After`` past the rate limit (a token bucket per API
key, else per client address, in-process: each worker counts its own), 503 when the job queue is
full. Anything else is 500 with a ``reference`` that the server log carries with the traceback;
the body never holds one.
"""

from siting.api.app import create_app
from siting.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
