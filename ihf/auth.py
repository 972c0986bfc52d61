"""Email login with lockout after repeated failures.

The counting lives in the backend so that every login path (the IHF login page and the Django admin's)
counts failures and refuses locked accounts the same way.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, When
from django.db.models.functions import Coalesce, Now

from ihf.models import User

LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-in attempts. Ask an administrator to unlock it."
)


def record_failure(user: User) -> None:
    """Count one failed login and lock the account when the limit is reached.

    One UPDATE with the arithmetic in SQL, so that concurrent failures cannot lose an increment.
    """
    limit = settings.IHF_LOGIN_MAX_FAILURES
    User.objects.filter(pk=user.pk).update(
        failed_login_attempts=F("failed_login_attempts") + 1,
        locked_at=Case(
            When(failed_login_attempts__gte=limit - 1, then=Coalesce(F("locked_at"), Now())),
            default=F("locked_at"),
        ),
    )


def record_success(user: User) -> None:
    if user.failed_login_attempts:
        User.objects.filter(pk=user.pk).update(failed_login_attempts=0)
        user.failed_login_attempts = 0


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username or kwargs.get(User.USERNAME_FIELD)
        if not email or password is None:
            return None
        try:
            user = User.objects.get_by_natural_key(email.strip())
        except User.DoesNotExist:
            # Hash anyway so that response time does not reveal whether the email exists.
            User().set_password(password)
            return None
        if user.is_locked:
            # PermissionDenied stops the other backends too; the login form then shows LOCKED_MESSAGE.
            raise PermissionDenied(LOCKED_MESSAGE)
        if not user.check_password(password) or not self.user_can_authenticate(user):
            record_failure(user)
            return None
        record_success(user)
        return user
