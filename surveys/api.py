"""The public API of the surveys, for the reporter (ingest keys): the surveys open now, a survey shown or
dismissed, an answer; and the verdicts on the annotations a browser sent ("your report led to a change")."""

import uuid
from typing import Annotated, Any, Literal

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import ConfigDict, StringConstraints, ValidationError

from feedback.api import Storable, _field_errors
from hubs.api import ApiError, KeyHub, api_errors, authenticate, error, field_error, json_body
from hubs.errors import Code, FieldError
from hubs.schemas import REFUSALS, ErrorOut
from outcomes.models import DeploymentRecord
from surveys import selectors, services
from surveys.models import DIMENSIONS, FeedbackSource, SurveyPrompt, UserFeedback

router = Router(tags=["surveys"])

NO_SURVEY = "is not a deployment of this hub with a survey open"
NOT_BEHIND = "is not the widget this deployment changed"
UNKNOWN_TAG = "{tag!r} is not one of the hub's {side} aspect tags"
ANSWERED = "has already answered this deployment's survey"
MAX_NEWS_IDS = 200

Rating = Annotated[int, Field(ge=1, le=5)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50), Storable]


class SurveyOut(Schema):
    deployment_id: str
    version_ref: str
    widget_id: str
    widget_name: str


class OpenSurveysOut(Schema):
    sampling_rate: float
    quiet_period_days: int
    positive_aspects: list[str]
    negative_aspects: list[str]
    dimensions: dict[str, str]
    surveys: list[SurveyOut]


class PromptIn(Schema):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID = Field(description="Client id of this showing; sent again with dismissed=true.")
    deployment_id: uuid.UUID
    widget_id: uuid.UUID
    dismissed: bool = False


class StoredOut(Schema):
    id: str
    duplicate: bool


class AnswerIn(Schema):
    """One answer, in seed 004's `user_feedback` terms."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID | None = Field(None, description="Client id; a retry with the same id is stored once.")
    prompt_id: uuid.UUID | None = None
    deployment_id: uuid.UUID
    widget_id: uuid.UUID
    overall_satisfaction: Rating
    usefulness: Rating | None = None
    ease_of_use: Rating | None = None
    clarity: Rating | None = None
    speed: Rating | None = None
    likelihood_to_reuse: Annotated[int, Field(ge=1, le=10)] | None = None
    would_recommend: bool | None = None
    positive_aspects: Annotated[list[Tag], Field(max_length=20)] = []
    negative_aspects: Annotated[list[Tag], Field(max_length=20)] = []
    additional_comments: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=2000), Storable
    ] = ""
    feedback_source: Literal[tuple(FeedbackSource.values)] = "modal"  # type: ignore[valid-type]
    actor_id: uuid.UUID | None = None
    actor_type: Annotated[str, StringConstraints(max_length=50), Storable] = "user"


class NewsIn(Schema):
    model_config = ConfigDict(extra="ignore")

    annotation_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_NEWS_IDS)]


class NewsItemOut(Schema):
    annotation_id: str
    widget_id: str
    deployment: str
    verdict: str
    evaluation_score: int


class NewsOut(Schema):
    items: list[NewsItemOut]


class OptOutIn(Schema):
    model_config = ConfigDict(extra="ignore")

    actor_id: uuid.UUID
    opted_out: bool = True


def _body(request: HttpRequest) -> tuple[KeyHub, dict[str, Any]]:
    body = json_body(request)
    hub = authenticate(request, "ingest", body)
    if not isinstance(body, dict):
        raise ApiError(error(422, "body: send a JSON object.", Code.INVALID))
    return hub, body


def _validated[S: Schema](schema: type[S], body: dict[str, Any]) -> S:
    try:
        return schema.model_validate(body)
    except ValidationError as exc:
        raise ApiError(field_error(422, *_field_errors(exc))) from None


def _open_deployment(hub: KeyHub, deployment_id: uuid.UUID, widget_id: uuid.UUID) -> DeploymentRecord:
    """The deployment, when its survey is open to this key's hub and `widget_id` is its widget."""
    live = {(s["deployment_id"], s["widget_id"]) for s in selectors.live_surveys(hub.pk)}
    if not any(dep == str(deployment_id) for dep, _w in live):
        raise ApiError(field_error(422, FieldError("deployment_id", Code.NOT_ACCEPTED, NO_SURVEY)))
    if (str(deployment_id), str(widget_id)) not in live:
        raise ApiError(field_error(422, FieldError("widget_id", Code.UNKNOWN_WIDGET, NOT_BEHIND)))
    return DeploymentRecord.objects.get(pk=deployment_id)


SECURITY: dict[str, Any] = {"security": [{"BearerAuth": []}]}


def _post_doc(schema: type[Schema]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        },
        **SECURITY,
    }


@router.get(
    "/surveys",
    summary="The post-change surveys open now, and the hub's survey rules",
    openapi_extra=SECURITY,
    response={200: OpenSurveysOut, **REFUSALS},
)
@api_errors
def open_surveys(request: HttpRequest) -> JsonResponse:
    """Deployments of the key's hub whose widget's users may be asked (surveys on, succeeded, recent)."""
    hub = authenticate(request, "ingest")
    rules = selectors.settings_for(hub.pk)
    return JsonResponse(
        {
            "sampling_rate": float(rules.sampling_rate),
            "quiet_period_days": rules.quiet_period_days,
            "positive_aspects": rules.positive_aspects,
            "negative_aspects": rules.negative_aspects,
            "dimensions": DIMENSIONS,
            "surveys": selectors.live_surveys(hub.pk),
        }
    )


@router.post(
    "/surveys/prompts",
    summary="A survey was shown (or dismissed)",
    openapi_extra=_post_doc(PromptIn),
    response={200: StoredOut, 201: StoredOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, **REFUSALS},
)
@api_errors
def survey_prompt(request: HttpRequest) -> JsonResponse:
    """Record that a survey was shown to someone; the same id with `dismissed: true` when they closed it."""
    hub, body = _body(request)
    prompt_in = _validated(PromptIn, body)
    deployment = _open_deployment(hub, prompt_in.deployment_id, prompt_in.widget_id)
    with transaction.atomic():
        prompt, created = SurveyPrompt.objects.get_or_create(
            pk=prompt_in.id,
            defaults={"hub_id": hub.pk, "deployment": deployment, "widget_id": prompt_in.widget_id},
        )
        if not created and prompt.deployment_id != deployment.pk:
            return field_error(409, FieldError("id", Code.IN_USE, "is already used by another survey"))
        if prompt_in.dismissed and prompt.dismissed_at is None:
            SurveyPrompt.objects.filter(pk=prompt.pk).update(dismissed_at=timezone.now())
    return JsonResponse({"id": str(prompt.pk), "duplicate": not created}, status=201 if created else 200)


@router.post(
    "/surveys/answers",
    summary="Answer a post-change survey",
    openapi_extra=_post_doc(AnswerIn),
    response={
        200: StoredOut,
        201: StoredOut,
        400: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        **REFUSALS,
    },
)
@api_errors
def survey_answer(request: HttpRequest) -> JsonResponse:
    """Store one answer to an open survey. Aspect tags must be the hub's; a retry with the same `id` is a
    no-op; a known person (`actor_id`) answers each deployment's survey once."""
    hub, body = _body(request)
    answer = _validated(AnswerIn, body)
    if answer.id and UserFeedback.objects.filter(pk=answer.id, hub_id=hub.pk).exists():
        return JsonResponse({"id": str(answer.id), "duplicate": True}, status=200)
    deployment = _open_deployment(hub, answer.deployment_id, answer.widget_id)
    rules = selectors.settings_for(hub.pk)
    for side, allowed in (("positive", rules.positive_aspects), ("negative", rules.negative_aspects)):
        for tag in getattr(answer, f"{side}_aspects"):
            if tag not in allowed:
                reason = UNKNOWN_TAG.format(tag=tag, side=side)
                return field_error(422, FieldError(f"{side}_aspects", Code.NOT_ACCEPTED, reason))
    data = answer.model_dump(exclude={"id", "deployment_id", "widget_id", "prompt_id"})
    data["additional_comments"] = data["additional_comments"] or None
    data["positive_aspects"] = data["positive_aspects"] or None
    data["negative_aspects"] = data["negative_aspects"] or None
    prompt_id = answer.prompt_id
    if prompt_id and not SurveyPrompt.objects.filter(pk=prompt_id, deployment=deployment).exists():
        prompt_id = None  # a showing never recorded (its request was lost): the answer still counts
    try:
        with transaction.atomic():
            stored = UserFeedback.objects.create(
                **({"id": answer.id} if answer.id else {}),
                hub_id=hub.pk,
                deployment=deployment,
                widget_id=answer.widget_id,
                prompt_id=prompt_id,
                **data,
            )
    except IntegrityError:
        if answer.actor_id and UserFeedback.objects.filter(deployment=deployment, actor_id=answer.actor_id):
            return field_error(409, FieldError("actor_id", Code.IN_USE, ANSWERED))
        return field_error(409, FieldError("id", Code.IN_USE, "is already used by another answer"))
    return JsonResponse({"id": str(stored.pk), "duplicate": False}, status=201)


@router.post(
    "/reports/news",
    summary="What came of the annotations this browser sent",
    openapi_extra=_post_doc(NewsIn),
    response={200: NewsOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, **REFUSALS},
)
@api_errors
def report_news(request: HttpRequest) -> JsonResponse:
    """The verdicts on these annotations not shown yet; each is answered once (the reporter shows it)."""
    hub, body = _body(request)
    news = _validated(NewsIn, body)
    rows = services.reporter_news(hub.pk, news.annotation_ids)
    items = [
        {
            "annotation_id": str(row.annotation_id),
            "widget_id": str(row.annotation.widget_id),
            "deployment": row.deployment.version_ref,
            "verdict": row.verdict,
            "evaluation_score": row.evaluation_score,
        }
        for row in rows
    ]
    return JsonResponse({"items": items})


@router.post(
    "/reports/opt-out",
    summary="Stop (or resume) hearing what came of one's reports in this hub",
    openapi_extra=_post_doc(OptOutIn),
    response={200: OptOutIn, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, **REFUSALS},
)
@api_errors
def report_opt_out(request: HttpRequest) -> JsonResponse:
    hub, body = _body(request)
    choice = _validated(OptOutIn, body)
    services.verdict_opt_out(hub_id=hub.pk, actor_id=choice.actor_id, opted_out=choice.opted_out)
    return JsonResponse({"actor_id": str(choice.actor_id), "opted_out": choice.opted_out})
