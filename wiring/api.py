"""The JSON API: one NinjaAPI, each app's router mounted under it.

OpenAPI at /api/openapi.json, interactive docs at /api/docs (Swagger UI served by IHF itself).
"""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from feedback.api import router as feedback_router
from hubs.api import exception_response, parameter_error_response
from hubs.api import router as hubs_router
from learning.api import router as learning_router
from surveys.api import router as surveys_router

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
api.add_router("/v1", surveys_router)
# v2: the learning loop's reads (issue #17); v1 stays as it is.
api.add_router("/v2", learning_router)
# What escapes a view of the API (hubs.api.api_errors catches what the views raise) is answered in JSON
# too: ninja's default answers with a text traceback under DEBUG and leaves the rest to Django's HTML pages.
api.add_exception_handler(Exception, exception_response)
api.add_exception_handler(ValidationError, parameter_error_response)


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
