import pytest


@pytest.fixture(autouse=True)
def _contracts(contracts):
    """Every API test needs the seeded contracts (see tests/conftest.py)."""


@pytest.fixture(params=["django", "wsgi"])
def api(request, client, monkeypatch):
    """The API tests run twice: through Django's test client, and through wiring.wsgi.application as gunicorn
    calls it, which serves POST /api/v1/interaction-events by its own short path (hubs/fastpath.py)."""
    if request.param == "django":
        return client
    from tests.wsgi_client import WsgiClient

    return WsgiClient(monkeypatch)


@pytest.fixture
def setup(people):
    """A widget of people.hub and the headers of an ingest key for it (modules may define their own)."""
    from tests.factories import WidgetFactory, api_key

    widget = WidgetFactory(hub=people.hub)
    _key, raw = api_key(people.hub)
    return widget, {"Authorization": f"Bearer {raw}"}
