"""GET /api/v1/widgets refuses an offset PostgreSQL cannot take (a bigint), by name, instead of failing."""

import pytest

from tests.factories import api_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("offset", ["446150408932867833856", "-1"])
def test_an_offset_out_of_range_is_named(client, people, offset):
    _key, raw = api_key(people.hub, scope="read")
    response = client.get("/api/v1/widgets", {"offset": offset}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "offset"
