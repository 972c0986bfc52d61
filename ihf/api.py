"""The JSON API: one NinjaAPI, each app's router mounted under it.

OpenAPI at /api/openapi.json, interactive docs at /api/docs.
"""

from ninja import NinjaAPI

api = NinjaAPI(title="IHF API", version="1", urls_namespace="api")


@api.get("/health", summary="Liveness probe", tags=["meta"])
def health(request):
    return {"status": "ok"}
