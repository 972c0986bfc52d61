"""The JSON the public API answers, as OpenAPI documents it (the views build the same shapes by hand on the
hot path, and tests/api/test_schemas.py checks real answers against these)."""

from typing import Any

from ninja import Field, Schema

from hubs.errors import Code


class FieldErrorOut(Schema):
    field: str
    code: Code
    message: str


class ErrorOut(Schema):
    detail: str
    code: Code | None = None
    errors: list[FieldErrorOut] | None = None


class StoredEventOut(Schema):
    accepted: int
    duplicates: int
    id: str


class RejectedEventOut(Schema):
    index: int
    errors: list[str]
    details: list[FieldErrorOut]


class BatchOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedEventOut]


class EnvelopeOut(Schema):
    """The attributes a host page puts on the widget's element."""

    widget: str = Field(alias="data-ihf-widget")
    hub: str = Field(alias="data-ihf-hub")
    view_context: str = Field(alias="data-ihf-view-context")


class WidgetOut(Schema):
    id: str
    name: str
    widget_type: str
    status: str
    version: int
    view_context: str | None
    capability_ref: str | None
    envelope: EnvelopeOut


class WidgetPageOut(Schema):
    count: int
    items: list[WidgetOut]


class EnvelopeContractOut(Schema):
    version: str
    required_attributes: list[str]
    optional_attributes: list[str]
    validation_rules: dict[str, Any]


class ReportingContractOut(Schema):
    version: str
    endpoint_path: str
    accepted_event_types: list[str]
    required_fields: list[str]
    auth_scheme: str


class AdapterOut(Schema):
    name: str
    framework: str
    version: str
    status: str


class ContractsOut(Schema):
    envelope: EnvelopeContractOut | None
    reporting: ReportingContractOut | None
    adapters: list[AdapterOut]


REFUSALS = {
    401: ErrorOut,  # missing, wrong or revoked key
    403: ErrorOut,  # key of the wrong scope, origin not allowed, or (ingest) the hub's consent not sent
    429: ErrorOut,  # rate limited; see Retry-After
    503: ErrorOut,  # the database is unreachable; see Retry-After
}
