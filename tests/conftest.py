from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.db.backends.postgresql.operations import DatabaseOperations

from hubs import key_listener
from hubs.models import Hub, Role
from ihf import caches
from ihf.models import User
from tests.factories import HubFactory, MembershipFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Persistent connections would keep the live server's thread attached to the test database.
    django_settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_history_guards():
    """Transactional tests end with Django's flush: one TRUNCATE of every table. History tables refuse
    TRUNCATE (sql/history_no_truncate.sql), so the flush skips triggers for its own transaction with
    session_replication_role = replica. Only a superuser, or a role granted that setting, may set it: the
    test database's role can; the application's role cannot (DESIGN.md, invariant 11)."""
    sql_flush = DatabaseOperations.sql_flush

    def sql_flush_without_triggers(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush_without_triggers)
        yield


@pytest.fixture
def contracts(request):
    """The reporting and envelope contracts that migration hubs.0005 seeds. Transactional tests flush every
    table when they end, so a later test cannot count on migration data: this puts it back."""
    import importlib

    from django.apps import apps

    from hubs import ingest

    marker = request.node.get_closest_marker("django_db")
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    importlib.import_module("hubs.migrations.0005_phase6_sql_and_contracts").seed_contracts(apps, None)
    ingest.forget_contract()


@pytest.fixture(autouse=True)
def _fresh_process_caches(settings):
    """Each test starts with the process caches empty (ihf.caches), as a new web process would. The API key
    listener (an extra connection per process) runs only in the tests that turn it on, and stops after them:
    a connection left open would keep the test database from being dropped."""
    caches.reset_all()
    settings.IHF_API_KEY_NOTIFY = False
    yield
    key_listener.stop_listening()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def prompt_login_refusals(settings):
    # Refused sign-ins answer a second late in production (ihf/auth.py); tests that are about it say so.
    settings.IHF_LOGIN_FAILURE_DELAY = 0


@dataclass
class HubPeople:
    hub: Hub
    other_hub: Hub
    steward: User
    reviewer: User
    viewer: User
    outsider: User  # a steward of other_hub, not a member of hub
    admin: User


@pytest.fixture
def people(db) -> HubPeople:
    hub, other_hub = HubFactory(slug="alpha", name="Alpha"), HubFactory(slug="beta", name="Beta")
    members = {role: MembershipFactory(hub=hub, role=role).user for role in Role.values}
    outsider = MembershipFactory(hub=other_hub, role=Role.STEWARD).user
    admin = UserFactory(is_superuser=True, is_staff=True)
    return HubPeople(
        hub=hub,
        other_hub=other_hub,
        steward=members[Role.STEWARD],
        reviewer=members[Role.REVIEWER],
        viewer=members[Role.VIEWER],
        outsider=outsider,
        admin=admin,
    )


@pytest.fixture
def fake_dns(monkeypatch):
    """Name resolution without the network: `fake_dns["name"] = ["addr", …]` (or a callable returning such a
    list, called per lookup). Numeric hosts and localhost resolve as usual (no query leaves the machine);
    any other name fails as an unknown name would. `fake_dns.lookups` lists the names looked up."""
    import socket

    real = socket.getaddrinfo

    class Names(dict):
        lookups: list[str]

    names = Names()
    names.lookups = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name in names:
            names.lookups.append(name)
            answer = names[name]
            addresses = answer() if callable(answer) else answer
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    type or socket.SOCK_STREAM,
                    proto or socket.IPPROTO_TCP,
                    "",
                    (address, port or 0, 0, 0) if ":" in address else (address, port or 0),
                )
                for address in addresses
            ]
        try:
            return real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            if name in ("localhost", "localhost.localdomain"):
                return real(host, port, family, type, proto, flags)
            raise socket.gaierror(
                socket.EAI_NONAME, f"{name}: no DNS in tests (fake_dns has no such name)"
            ) from None

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names
