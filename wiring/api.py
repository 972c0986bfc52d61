"""The JSON API: one NinjaAPI, each app's router mounted under it.

OpenAPI at /api/openapi.json, interactive docs at /api/docs (Swagger UI served by IHF itself).
"""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from feedback.api import router as feedback_router
from hubs.api import field_error
from hubs.api import router as hubs_router
from hubs.errors import Code, FieldError

api = NinjaAPI(
    title="IHF API",
    version="1",
    urls_namespace="api",
    description="Report interactions and annotations from any front end; read widgets and contracts. "
    "Authenticate with a per-hub API key: `Authorization: Bearer ihf_…`. Errors carry a `code` "
    "(and, per field, `errors: [{field, code, message}]`): branch on the code, not on the message.",
)
api.add_router("/v1", hubs_router)
api.add_router("/v1", feedback_router)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc):
    """ninja's own checks of query parameters answer in the API's error shape too (422, field, code)."""
    errors = [
        FieldError(
            str(error["loc"][-1]) if error.get("loc") else "request", Code.INVALID, error["msg"].lower()
        )
        for error in exc.errors
    ]
    return field_error(422, *errors)


@api.get("/health", summary="Liveness probe", tags=["meta"])
def health(request):
    return {"status": "ok"}


_openapi = api.get_openapi_schema


def _schema(*args, **kwargs):
    schema = _openapi(*args, **kwargs)
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["BearerAuth"] = {"type": "http", "scheme": "bearer"}
    return schema


api.get_openapi_schema = _schema
