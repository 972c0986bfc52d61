"""schemathesis against the OpenAPI document, with real keys, through the production WSGI application:
no generated request may get a server error, and every answer must be one the document declares, with
its declared shape."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import HubFactory, WidgetFactory, api_key
from wiring.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keys(contracts):
    hub = HubFactory(allowed_origins=["https://shop.example"])
    WidgetFactory(hub=hub)
    _ingest, ingest_raw = api_key(hub, scope="ingest", rate_limit_per_minute=1_000_000)
    _read, read_raw = api_key(hub, scope="read", rate_limit_per_minute=1_000_000)
    return {"ingest": ingest_raw, "read": read_raw}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_or_an_undeclared_answer(case, keys):
    scope = "ingest" if case.method == "POST" else "read"
    # Not "schema-valid data is accepted": what the schema cannot say decides too (the hub's active contract
    # names the accepted event types, and an event must be at most 30 days old), and a 422 saying so is right.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {keys[scope]}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
