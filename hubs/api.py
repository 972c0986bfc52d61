"""The public API of hubs: ingestion of events, reads of widgets and contracts, and the key checks that
every router of the API shares (feedback's annotations endpoint uses them too).

Authenticated by per-hub API keys (`Authorization: Bearer ihf_…`, or a `key` field in a text/plain JSON
body, which is what navigator.sendBeacon can send). A hub may require the person's consent before anything
is reported (Hub.reporter_consent_required): its ingest requests then carry `"consent": true` in the body.
Errors are JSON: {"detail": "...", "code": "...", "errors": [{"field", "code", "message"}]} (hubs/errors.py
lists the codes; hubs/schemas.py the shapes).
"""

import functools
import json
import uuid
from collections.abc import Callable
from typing import Any, Concatenate, NamedTuple, cast

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.log import log_response
from ninja import Router

from hubs import ingest, key_listener, keys
from hubs.errors import Code, FieldError
from hubs.models import EnvelopeEmissionContract, InteractionReportingContract, Widget, WidgetAdapterSpec
from hubs.schemas import REFUSALS, BatchOut, ContractsOut, ErrorOut, StoredEventOut, WidgetPageOut

router = Router(tags=["v1"])


class KeyHub(NamedTuple):
    """The hub an API key serves."""

    pk: uuid.UUID
    slug: str
    allowed_origins: list[str]
    consent_required: bool


class CorsRequest(HttpRequest):
    """A request as authenticate() leaves it when it came from a page's origin: the origin its key allows,
    which hubs.fastpath puts in the CORS headers. A type for the checker; requests are never of this class."""

    ihf_cors_origin: str


MISSING_KEY = "Send an API key: Authorization: Bearer ihf_…"
BAD_KEY = "This API key is not valid (wrong, revoked or unknown)."
WRONG_SCOPE = "This key's scope is {scope}; this endpoint needs a {needed} key."
ORIGIN_NOT_ALLOWED = "Origin {origin} may not report to this hub (add it to the hub's allowed origins)."
RATE_LIMITED = "Too many requests for this key; retry after {seconds} s."
CONSENT_NEEDED = (
    'this hub reports nothing without the person\'s consent: send "consent": true once they have given it'
)
CONSENT_NOT_BOOLEAN = "must be true or false"
BAD_JSON = "body: is not valid JSON."
TOO_DEEP = "body: is nested too deeply."
TOO_LARGE = "body: is larger than {limit} bytes."
BAD_LENGTH = "Content-Length: is not a number of bytes."
LENGTH_REQUIRED = "body: send a Content-Length (this server cannot read a chunked body to its end)."
UNAVAILABLE = "The database is unavailable; retry after {seconds} s."
INTERNAL = "Something went wrong on IHF's side; it has been logged."
NOT_FOUND = "No endpoint at {path}."
METHOD_NOT_ALLOWED = "{path} takes {allowed}."
UNAVAILABLE_RETRY_SECONDS = 5
READ_CHUNK_BYTES = 64 * 1024


def error(
    status: int,
    detail: str,
    code: Code,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"detail": detail, "code": code.value}
    if errors:
        body["errors"] = [e.as_json() for e in errors]
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_error(status: int, *errors: FieldError) -> JsonResponse:
    """A refusal because of fields: the first error's message is the detail, its code the code."""
    return error(status, errors[0].message, errors[0].code, list(errors))


class ApiError(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def _too_large(limit: int) -> ApiError:
    return ApiError(error(413, TOO_LARGE.format(limit=limit), Code.TOO_LARGE))


def _read_without_length(request: HttpRequest, limit: int) -> bytes:
    """A body without Content-Length (a chunked one), read to its end but no further than one byte past
    `limit`.

    A chunked body has no Content-Length, and Django reads such a body as empty. The WSGI server decodes the
    chunks; it says with wsgi.input_terminated (gunicorn does) that its stream ends where the body does.
    Without that promise a read could wait forever for bytes that never come: 411 asks for a length."""
    environ = request.META
    stream = environ.get("wsgi.input")
    if stream is None:  # not WSGI (ASGI): Django has the whole body already
        return request.body
    if not environ.get("wsgi.input_terminated"):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            raise ApiError(error(411, LENGTH_REQUIRED, Code.LENGTH_REQUIRED))
        return b""  # neither a length nor chunks: HTTP/1.1 says the body is empty
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise _too_large(limit)
    return b"".join(chunks)


def body_text(request: HttpRequest) -> str:
    """The request's body as text: an ApiError when larger than IHF_INGEST_MAX_BODY_BYTES or not UTF-8.

    Strict UTF-8 (RFC 8259 JSON is UTF-8): json.loads(bytes) would let a surrogate encoded as bytes through,
    which PostgreSQL then refuses. Decoding here costs what json.loads would have spent decoding."""
    limit = settings.IHF_INGEST_MAX_BODY_BYTES
    length = request.META.get("CONTENT_LENGTH")
    if length:
        if not (length.isascii() and length.isdigit()):  # isdigit alone takes "²", which int() refuses
            raise ApiError(error(400, BAD_LENGTH, Code.INVALID))
        if int(length) > limit:
            raise _too_large(limit)
        raw = request.body
        if len(raw) > limit:
            raise _too_large(limit)
    else:
        raw = _read_without_length(request, limit)
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise ApiError(error(400, BAD_JSON, Code.INVALID)) from None


def parse_json(text: str) -> Any:
    """`text` parsed as JSON (None when empty); an ApiError when it is not JSON or nested too deep."""
    try:
        return json.loads(text) if text else None
    except RecursionError:
        # The parser recurses once per level: 50,000 `[` (100 KB) exhaust its stack well below the size limit.
        raise ApiError(error(400, TOO_DEEP, Code.TOO_DEEP)) from None
    except ValueError:
        raise ApiError(error(400, BAD_JSON, Code.INVALID)) from None


def json_body(request: HttpRequest) -> Any:
    """The request's body parsed as JSON (None when empty); an ApiError when too large or not JSON."""
    return parse_json(body_text(request))


def exception_response(request: HttpRequest, exc: Exception) -> JsonResponse:
    """The JSON answer to an exception no view turned into one: 503 with Retry-After when the database is
    unreachable (or refused the work for now), else 500. API clients get JSON whatever happens, with DEBUG
    too (Django would answer with its HTML debug page); both are logged as Django logs a failed request."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        seconds = UNAVAILABLE_RETRY_SECONDS
        response = error(
            503, UNAVAILABLE.format(seconds=seconds), Code.UNAVAILABLE, headers={"Retry-After": str(seconds)}
        )
    else:
        # Receivers (error trackers, Django's test client) learn of the failure as they would from Django.
        got_request_exception.send(sender=None, request=request)
        response = error(500, INTERNAL, Code.INTERNAL)
    log_response(
        "%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exc
    )
    return response


def parameter_error_response(request: HttpRequest, exc: Any) -> JsonResponse:
    """ninja's ValidationError (a query parameter it cannot read, e.g. ?limit=many) in the API's shape: 422
    naming each parameter, where ninja answers {"detail": [...]} without a code."""
    errors = [
        FieldError(str((e.get("loc") or ["query"])[-1]), Code.INVALID, str(e.get("msg", "")).lower())
        for e in exc.errors
    ]
    return field_error(422, *errors) if errors else error(422, "query: cannot be read.", Code.INVALID)


def no_endpoint_response(request: HttpRequest) -> JsonResponse:
    return error(404, NOT_FOUND.format(path=request.path), Code.NOT_FOUND)


def method_not_allowed_response(request: HttpRequest, allowed: str) -> JsonResponse:
    return error(
        405,
        METHOD_NOT_ALLOWED.format(path=request.path, allowed=allowed),
        Code.METHOD_NOT_ALLOWED,
        headers={"Allow": allowed},
    )


def authenticate(request: HttpRequest, needed: str, body: object = None) -> KeyHub:
    """The hub of the request's key, with scope, rate limit and origin checked; else an ApiError."""
    # request.META, not request.headers: the latter builds a mapping of every header, on the hot path.
    header = request.META.get("HTTP_AUTHORIZATION", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not raw and isinstance(body, dict) and isinstance(body.get("key"), str):
        raw = body["key"]
    if not raw:
        raise ApiError(error(401, MISSING_KEY, Code.MISSING_KEY, headers={"WWW-Authenticate": "Bearer"}))
    key_listener.ensure_listening()
    checked = keys.check(raw)
    if checked is None:
        raise ApiError(error(401, BAD_KEY, Code.BAD_KEY, headers={"WWW-Authenticate": "Bearer"}))
    if checked.limited:
        seconds = checked.retry_after
        raise ApiError(
            error(
                429,
                RATE_LIMITED.format(seconds=seconds),
                Code.RATE_LIMITED,
                headers={"Retry-After": str(seconds)},
            )
        )
    if checked.scope != needed:
        raise ApiError(error(403, WRONG_SCOPE.format(scope=checked.scope, needed=needed), Code.WRONG_SCOPE))
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        if origin not in checked.allowed_origins:
            raise ApiError(error(403, ORIGIN_NOT_ALLOWED.format(origin=origin), Code.ORIGIN_NOT_ALLOWED))
        cast(CorsRequest, request).ihf_cors_origin = origin
    if needed == "ingest":
        check_consent(body, checked.consent_required)
    # What the key check returned is all the endpoints need of the hub: no second query, no model instance.
    return KeyHub(checked.hub_id, checked.hub_slug, checked.allowed_origins, checked.consent_required)


def check_consent(body: object, required: bool) -> None:
    """An ApiError unless the body says the person consented, when the hub requires it. The flag travels in
    the body, not in a header, because navigator.sendBeacon (the reporter's way out of a closing page)
    cannot set headers, and a custom header would make every browser request need a preflight."""
    consent = body.get("consent") if isinstance(body, dict) else None
    if consent is not None and not isinstance(consent, bool):
        raise ApiError(field_error(422, FieldError("consent", Code.INVALID, CONSENT_NOT_BOOLEAN)))
    if required and consent is not True:
        raise ApiError(field_error(403, FieldError("consent", Code.CONSENT_REQUIRED, CONSENT_NEEDED)))


def api_errors[**P, R: HttpResponse](
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | JsonResponse]:
    """Turn ApiError into its response (ninja handlers return responses directly), and any other exception
    into a JSON one (exception_response)."""

    @functools.wraps(view)  # keeps the signature, from which ninja reads the query parameters
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R | JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as failure:
            return failure.response
        except Exception as exc:
            return exception_response(request, exc)

    return wrapped


# Fields of a request body that are not the event's: the key (sendBeacon cannot send a header) and consent.
ENVELOPE_FIELDS = frozenset({"key", "consent"})
CONSENT_SCHEMA = {
    "type": "boolean",
    "description": "The person whose events these are has consented to their being reported. Required "
    "(true) when the hub requires consent; refused with 403 `consent_required` otherwise.",
}
# A single event may carry the request's consent beside its own fields.
SINGLE_EVENT_SCHEMA = {
    **ingest.EVENT_SCHEMA,
    "properties": {**cast(dict[str, Any], ingest.EVENT_SCHEMA["properties"]), "consent": CONSENT_SCHEMA},
}
INGEST_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        SINGLE_EVENT_SCHEMA,
                        {
                            "type": "object",
                            "required": ["events"],
                            "properties": {
                                "events": {
                                    "type": "array",
                                    "maxItems": ingest.MAX_EVENTS,
                                    "items": ingest.EVENT_SCHEMA,
                                },
                                "consent": CONSENT_SCHEMA,
                            },
                        },
                    ]
                }
            }
        },
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Makes a retried request without event ids a no-op.",
        }
    ],
    "security": [{"BearerAuth": []}],
}


def report(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """What POST /interaction-events answers: (status, JSON payload); ApiError when the request is refused
    as a whole. Shared by the view below and by hubs/fastpath.py, which serves the endpoint in production."""
    text = body_text(request)
    body = parse_json(text)
    hub = authenticate(request, "ingest", body)
    single = isinstance(body, dict) and "events" not in body
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
        if not isinstance(events, list):
            problem = FieldError("events", Code.INVALID, "must be a list of events")
            raise ApiError(error(422, f"{problem.message}.", problem.code, [problem]))
        if len(events) > ingest.MAX_EVENTS:
            problem = FieldError("events", Code.TOO_LONG, f"at most {ingest.MAX_EVENTS} per request")
            raise ApiError(error(422, f"{problem.message}.", problem.code, [problem]))
    elif single:
        events = [{k: v for k, v in body.items() if k not in ENVELOPE_FIELDS}]
    else:
        raise ApiError(error(422, 'body: send an event object or {"events": [...]}.', Code.INVALID))
    batch = ingest.validate(
        events,
        idempotency_key=request.META.get("HTTP_IDEMPOTENCY_KEY"),
        # NUL and lone surrogates reach a parsed string only through a \u escape, so a body without one
        # spares its events the look at every string. A one-character search runs at memchr speed (3 µs for
        # 240 KB); a two-character one is 80 times slower, so it runs only on a body with a backslash.
        check_characters="\\" in text and "\\u" in text,
    )
    accepted, duplicates = ingest.store(batch, hub.pk)
    if single:
        if batch.rejected:
            errors = batch.rejected[0][1]
            # A widget that is not this hub's is, to this key, a widget that does not exist.
            status = 404 if all(e.code == Code.UNKNOWN_WIDGET for e in errors) else 422
            raise ApiError(field_error(status, *errors))
        payload = {"accepted": accepted, "duplicates": duplicates, "id": str(batch.rows[0][0])}
        return (201 if accepted else 200), payload
    rejected = [
        {"index": index, "errors": [e.message for e in errors], "details": [e.as_json() for e in errors]}
        for index, errors in sorted(batch.rejected, key=lambda r: r[0])
    ]
    status = 422 if rejected and not (accepted or duplicates) else 200
    return status, {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}


@router.post(
    "/interaction-events",
    summary="Report interaction events",
    openapi_extra=INGEST_OPENAPI,
    response={
        200: BatchOut | StoredEventOut,  # a batch processed, or a single event already stored
        201: StoredEventOut,
        400: ErrorOut,  # not JSON, nested too deeply, or a bad Content-Length
        404: ErrorOut,  # a single event for a widget that is not the key's hub's
        411: ErrorOut,  # a chunked body this server cannot read to its end
        413: ErrorOut,
        422: ErrorOut | BatchOut,  # a single event, or a batch of which nothing was accepted
        **REFUSALS,
    },
)
@api_errors
def report_events(request: HttpRequest) -> JsonResponse:
    """Store one event, or `{"events": [...]}` (up to 1,000) in one round trip. Exactly once per event id."""
    status, payload = report(request)
    return JsonResponse(payload, status=status)


def _envelope(widget: Widget, hub: KeyHub) -> dict[str, str]:
    return {
        "data-ihf-widget": str(widget.pk),
        "data-ihf-hub": hub.slug,
        "data-ihf-view-context": widget.view_context or "",
    }


MAX_OFFSET = 2**63 - 1 - 500


@router.get(
    "/widgets",
    summary="The hub's widgets with their envelope attributes",
    openapi_extra={"security": [{"BearerAuth": []}]},
    response={200: WidgetPageOut, 422: ErrorOut, **REFUSALS},
    by_alias=True,  # the envelope's keys are attribute names: data-ihf-widget, …
)
@api_errors
def list_widgets(request: HttpRequest, limit: int = 100, offset: int = 0) -> JsonResponse:
    """Widgets of the key's hub (read scope), `limit` (≤ 500) at a time from `offset`."""
    hub = authenticate(request, "read")
    errors: list[FieldError] = []
    if not 1 <= limit <= 500:
        errors.append(FieldError("limit", Code.INVALID, "between 1 and 500"))
    # PostgreSQL's OFFSET is a bigint: a larger one failed the query (500), found by the fuzz test.
    if not 0 <= offset <= MAX_OFFSET:
        errors.append(FieldError("offset", Code.INVALID, f"between 0 and {MAX_OFFSET}"))
    if errors:
        return field_error(422, *errors)
    widgets = Widget.objects.filter(hub_id=hub.pk).order_by("name", "id")
    page = list(widgets[offset : offset + limit])
    return JsonResponse(
        {
            "count": widgets.count(),
            "items": [
                {
                    "id": str(w.pk),
                    "name": w.name,
                    "widget_type": w.widget_type,
                    "status": w.status,
                    "version": w.version,
                    "view_context": w.view_context,
                    "capability_ref": w.capability_ref,
                    "envelope": _envelope(w, hub),
                }
                for w in page
            ],
        }
    )


@router.get(
    "/contracts",
    summary="The active envelope and reporting contracts, and the adapter specs",
    openapi_extra={"security": [{"BearerAuth": []}]},
    response={200: ContractsOut, **REFUSALS},
)
@api_errors
def contracts(request: HttpRequest) -> JsonResponse:
    authenticate(request, "read")
    envelope = EnvelopeEmissionContract.objects.filter(status="active").order_by("-created_at").first()
    reporting = InteractionReportingContract.objects.filter(status="active").order_by("-created_at").first()
    return JsonResponse(
        {
            "envelope": envelope
            and {
                "version": envelope.contract_version,
                "required_attributes": envelope.required_attributes,
                "optional_attributes": envelope.optional_attributes,
                "validation_rules": envelope.validation_rules,
            },
            "reporting": reporting
            and {
                "version": reporting.contract_version,
                "endpoint_path": reporting.endpoint_path,
                "accepted_event_types": reporting.accepted_event_types,
                "required_fields": reporting.required_fields,
                "auth_scheme": reporting.auth_scheme,
            },
            "adapters": [
                {"name": a.name, "framework": a.framework, "version": a.version, "status": a.status}
                for a in WidgetAdapterSpec.objects.order_by("name")
            ],
        }
    )
