import pytest
from django.urls import reverse

from ihf.auth import INVALID_LOGIN
from ihf.models import User
from tests.factories import PASSWORD, UserFactory

LOGIN = "/login/"


def _login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.mark.django_db
def test_it_signs_in_with_email_and_password(client):
    user = UserFactory(email="ann@example.test")
    response = _login(client, "ANN@example.test", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("hubs:list")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_it_rejects_a_wrong_password_and_counts_it(client):
    user = UserFactory()
    response = _login(client, user.email, "wrong")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert (user.failed_login_attempts, user.locked_at) == (1, None)


@pytest.mark.django_db
def test_it_locks_after_five_failures_and_then_refuses_the_right_password(client):
    user = UserFactory()
    for attempt in range(1, 5):
        _login(client, user.email, "wrong")
        user.refresh_from_db()
        assert (user.failed_login_attempts, user.locked_at) == (attempt, None)
    response = _login(client, user.email, "wrong")
    assert INVALID_LOGIN in response.content.decode()  # the answer does not say the account is locked
    user.refresh_from_db()
    assert user.failed_login_attempts == 5
    assert user.locked_at is not None

    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session
    locked_at = user.locked_at
    user.refresh_from_db()
    assert user.locked_at == locked_at
    assert user.failed_login_attempts == 6


@pytest.mark.django_db
def test_the_limit_is_configurable(client, settings):
    settings.IHF_LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    _login(client, user.email, "wrong")
    user.refresh_from_db()
    assert user.locked_at is None
    _login(client, user.email, "wrong")
    user.refresh_from_db()
    assert user.locked_at is not None


@pytest.mark.django_db
def test_a_success_resets_the_counter(client):
    user = UserFactory()
    for _ in range(4):
        _login(client, user.email, "wrong")
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.failed_login_attempts, user.locked_at) == (0, None)


@pytest.mark.django_db
def test_an_unknown_email_gets_the_same_message_and_writes_nothing(client):
    response = _login(client, "nobody@example.test", "whatever")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert not User.objects.filter(failed_login_attempts__gt=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "", "password": "x"}, "username"),
        ({"username": "not-an-email", "password": "x"}, "username"),
        ({"username": "a@example.test", "password": ""}, "password"),
    ],
)
def test_it_explains_bad_input_per_field(client, data, field):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]


@pytest.mark.django_db
def test_an_admin_unlocks_an_account_in_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory()
    for _ in range(5):
        _login(client, user.email, "wrong")
    user.refresh_from_db()
    assert user.locked_at is not None

    client.force_login(admin)
    response = client.post(
        reverse("admin:ihf_user_changelist"),
        {"action": "unlock", "_selected_action": [str(user.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Unlocked 1 account(s)." in response.content.decode()
    user.refresh_from_db()
    assert (user.failed_login_attempts, user.locked_at) == (0, None)

    client.logout()
    assert _login(client, user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_also_refuses_a_locked_account(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": admin.email, "password": "wrong"})
    admin.refresh_from_db()
    assert admin.locked_at is not None
    client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
