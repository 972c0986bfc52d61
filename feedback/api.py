"""The public API of feedback: annotations reported by a product front end (ingest keys)."""

from typing import Annotated, Literal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from feedback import categories
from feedback.models import Annotation, Category, Severity
from hubs.api import api_errors, authenticate, error, field_error, json_body
from hubs.errors import BAD_CHARACTER, BAD_CHARACTERS, Code, FieldError
from hubs.models import Widget
from hubs.schemas import REFUSALS, ErrorOut

router = Router(tags=["v1"])

MAX_BODY = 5000


def _storable(value: str) -> str:
    if BAD_CHARACTERS.search(value):
        raise PydanticCustomError("bad_character", BAD_CHARACTER)
    return value


# Text PostgreSQL can store: a NUL would make the INSERT fail (hubs/errors.py; pydantic already refuses a
# lone surrogate, as string_unicode).
Storable = AfterValidator(_storable)


class AnnotationIn(Schema):
    """An annotation as a front end reports it: the one schema that both validates the payload and
    documents it in OpenAPI."""

    # Other keys are ignored: a sendBeacon body carries the API key as `key`.
    model_config = ConfigDict(extra="ignore")

    id: UUID | None = Field(None, description="Client id; a retry with the same id is not stored twice.")
    widget_id: UUID
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY), Storable
    ]
    category: Literal[tuple(Category.values)] | None = Field(  # type: ignore[valid-type]
        None, description="Left out, IHF's categoriser picks one (`general` when it is unsure)."
    )
    severity: Literal[tuple(Severity.values)] = "medium"  # type: ignore[valid-type]
    actor_id: UUID | None = None
    actor_type: Annotated[str, StringConstraints(max_length=50), Storable] = "user"
    widget_state_ref: Annotated[str, StringConstraints(max_length=500), Storable] | None = None
    # Checked with the key (hubs.api.check_consent), before this schema validates anything.
    consent: bool | None = Field(
        None,
        description="The person has consented to reporting. Required (true) when the hub requires consent; "
        "refused with 403 `consent_required` otherwise.",
    )


class AnnotationOut(Schema):
    id: str
    duplicate: bool


def _field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as the API's: the field, a code, and a message a person can act on."""
    errors = []
    for problem in exc.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        kind, context = problem["type"], problem.get("ctx", {})
        if kind in {"missing", "string_too_short"}:
            errors.append(FieldError(field, Code.REQUIRED, "is required"))
        elif kind == "string_too_long":
            errors.append(FieldError(field, Code.TOO_LONG, f"at most {context['max_length']} characters"))
        elif kind == "literal_error":
            errors.append(FieldError(field, Code.NOT_ACCEPTED, f"must be one of {context['expected']}"))
        elif kind in {"bad_character", "string_unicode"}:  # pydantic itself refuses lone surrogates
            errors.append(FieldError(field, Code.BAD_CHARACTER, BAD_CHARACTER))
        elif kind.startswith("uuid"):
            errors.append(FieldError(field, Code.INVALID, "must be a UUID"))
        else:
            errors.append(FieldError(field, Code.INVALID, problem["msg"].lower()))
    return errors


@router.post(
    "/annotations",
    summary="Report an annotation",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AnnotationIn.model_json_schema()}},
        },
        "security": [{"BearerAuth": []}],
    },
    response={
        200: AnnotationOut,
        201: AnnotationOut,
        400: ErrorOut,
        409: ErrorOut,
        411: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        **REFUSALS,
    },
)
@api_errors
def report_annotation(request: HttpRequest) -> JsonResponse:
    """Store an annotation on a widget of the key's hub. A retry with the same `id` is not stored twice."""
    body = json_body(request)
    hub = authenticate(request, "ingest", body)
    if not isinstance(body, dict):
        return error(422, "body: send an annotation object.", Code.INVALID)
    try:
        annotation_in = AnnotationIn.model_validate(body)
    except ValidationError as exc:
        return field_error(422, *_field_errors(exc))
    if not Widget.objects.filter(pk=annotation_in.widget_id, hub_id=hub.pk).exists():
        return field_error(
            422,
            FieldError(
                "widget_id", Code.UNKNOWN_WIDGET, f"{annotation_in.widget_id} is not a widget of this hub"
            ),
        )
    data = annotation_in.model_dump(exclude_none=True, exclude={"consent"})
    if (
        annotation_in.id
        and Annotation.objects.filter(pk=annotation_in.id, widget_id=annotation_in.widget_id).exists()
    ):
        return JsonResponse({"id": str(annotation_in.id), "duplicate": True}, status=200)
    try:
        with transaction.atomic():
            annotation = categories.create_annotation(**data)
    except IntegrityError:
        return field_error(409, FieldError("id", Code.IN_USE, "is already used by another annotation"))
    return JsonResponse({"id": str(annotation.pk), "duplicate": False}, status=201)
