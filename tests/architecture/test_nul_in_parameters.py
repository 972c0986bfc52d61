"""No page answers 500 to a NUL (issue #15): PostgreSQL refuses NUL in text, so a parameter that reaches a
query unchecked fails the request. Each row of the permission matrix is sent once, as the admin, to learn
which parameters (GET) or fields (POST) its view reads, then once per parameter with a NUL in it. Refusing
(400 or 422, naming the parameter) is fine; so is ignoring it. A new page or parameter that passes request
text to the database unchecked fails here.

A lone surrogate cannot arrive in a URL or a form: decoding replaces bytes that are not UTF-8 with U+FFFD.
"""

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from tests.architecture.test_permission_matrix import MATRIX
from tests.architecture.world import build_world

NUL = "\x00"


@pytest.fixture
def read_names(monkeypatch):
    """The names the views look up in a request's parameters (QueryDict is a MultiValueDict), as they do."""
    names = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(MultiValueDict, method)

        def recording(self, key, *args, original=original):
            # request.GET and request.POST, not the URL resolver's names (a MultiValueDict too).
            if isinstance(self, QueryDict):
                names.add(key)
            return original(self, key, *args)

        monkeypatch.setattr(MultiValueDict, method, recording)
    return names


@pytest.mark.django_db
def test_no_page_answers_500_to_a_nul_in_a_parameter(client, people, read_names):
    world = build_world(people)
    client.force_login(people.admin)
    client.raise_request_exception = False

    def send(row, url, data):
        # A POST that gets through must not change what the next request sees.
        with transaction.atomic():
            response = client.get(url, data) if row.method == "GET" else client.post(url, data)
            transaction.set_rollback(True)
        return response

    failures, tried = [], 0
    for row in MATRIX:
        url = reverse(row.name, args=[world.value(token) for token in row.args.split()])
        base = {key: str(world.value(token)) for key, token in row.data.items()}
        read_names.clear()
        send(row, url, base)
        for name in sorted(read_names):
            tried += 1
            response = send(row, url, {**base, name: base.get(name, "x") + NUL})
            if response.status_code >= 500:
                failures.append(f"{row.label}, {name}: {response.status_code}")
    assert tried > 100  # the views' parameters were found
    assert not failures, "\n".join(failures)
