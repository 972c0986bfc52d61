"""The public API of feedback: annotations reported by a product front end (ingest keys)."""

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from ninja import Router, Schema

from feedback.models import Annotation, Category, Severity
from hubs.api import api_errors, authenticate, error, json_body
from hubs.models import Widget
from ihf.ids import parse_uuid

router = Router(tags=["v1"])


class AnnotationIn(Schema):
    id: str | None = None
    widget_id: str
    body: str
    category: str = "friction"
    severity: str = "medium"
    actor_id: str | None = None
    actor_type: str = "user"
    widget_state_ref: str | None = None


@router.post(
    "/annotations",
    summary="Report an annotation",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnnotationIn"}}},
        },
        "security": [{"BearerAuth": []}],
    },
)
@api_errors
def report_annotation(request):
    """Store an annotation on a widget of the key's hub. A retry with the same `id` is not stored twice."""
    body = json_body(request)
    hub = authenticate(request, "ingest", body)
    if not isinstance(body, dict):
        return error(422, "body: send an annotation object.")
    errors = []
    text = body.get("body")
    if not isinstance(text, str) or not text.strip():
        errors.append(("body", "body: is required"))
    elif len(text) > 5000:
        errors.append(("body", "body: at most 5000 characters"))
    if body.get("category", "friction") not in Category.values:
        errors.append(("category", "category: must be one of " + ", ".join(Category.values)))
    if body.get("severity", "medium") not in Severity.values:
        errors.append(("severity", "severity: must be one of " + ", ".join(Severity.values)))
    widget_id = parse_uuid(body.get("widget_id"))
    if widget_id is None:
        errors.append(("widget_id", "widget_id: must be a UUID"))
    annotation_id = parse_uuid(body["id"]) if body.get("id") is not None else None
    if body.get("id") is not None and annotation_id is None:
        errors.append(("id", "id: must be a UUID"))
    actor_id = parse_uuid(body["actor_id"]) if body.get("actor_id") is not None else None
    if body.get("actor_id") is not None and actor_id is None:
        errors.append(("actor_id", "actor_id: must be a UUID"))
    if not errors and not Widget.objects.filter(pk=widget_id, hub_id=hub.pk).exists():
        errors.append(("widget_id", f"widget_id: {widget_id} is not a widget of this hub"))
    if errors:
        return error(422, errors[0][1], [{"field": f, "message": m} for f, m in errors])
    if annotation_id and Annotation.objects.filter(pk=annotation_id, widget_id=widget_id).exists():
        return JsonResponse({"id": str(annotation_id), "duplicate": True}, status=200)
    try:
        with transaction.atomic():
            annotation = Annotation.objects.create(
                **({"id": annotation_id} if annotation_id else {}),
                widget_id=widget_id,
                body=text.strip(),
                category=body.get("category", "friction"),
                severity=body.get("severity", "medium"),
                actor_id=actor_id,
                actor_type=str(body.get("actor_type") or "user")[:50],
                widget_state_ref=(
                    str(body["widget_state_ref"])[:500] if body.get("widget_state_ref") else None
                ),
            )
    except IntegrityError:
        return error(
            409, "id: is already used by another annotation.", [{"field": "id", "message": "in use"}]
        )
    return JsonResponse({"id": str(annotation.pk), "duplicate": False}, status=201)
