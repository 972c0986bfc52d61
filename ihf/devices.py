"""Known browsers: what keeps the per-account lockout from locking an account's owner out.

Five wrong passwords lock an account (the seed's rule, ihf/auth.py), so anyone who knows an email can lock
its owner out with five requests, from five addresses if need be. After a successful sign-in the browser gets
a signed cookie naming the account; a later sign-in to that account from that browser is not refused for the
lock. Everyone else still is. The cookie is no skeleton key: the password must still be right; its own
failures count against the account like any other, and after IHF_LOGIN_MAX_FAILURES of them (counted
server-side as `device:<id>` in login_throttles for the cookie's lifetime) the browser is trusted no more,
until it signs in to an unlocked account again and gets a new cookie; it is bound to the password hash, so a
new password ends the trust of every browser; and it expires after IHF_TRUSTED_DEVICE_DAYS. (OWASP calls
these device cookies.)
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from ihf import throttle
from ihf.models import User

COOKIE = "ihf_device"
SALT = "ihf.trusted-device"


@dataclass(frozen=True)
class Device:
    id: str
    user_id: str
    password_tag: str

    @property
    def throttle_key(self) -> str:
        return f"device:{self.id}"


def _lifetime() -> int:
    return int(settings.IHF_TRUSTED_DEVICE_DAYS) * 24 * 3600


def _password_tag(user: User) -> str:
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:32]


def issue(response: HttpResponse, user: User) -> None:
    """Mark the browser that just signed in as `user` as known."""
    value = signing.dumps(
        {"d": secrets.token_urlsafe(12), "u": str(user.pk), "p": _password_tag(user)}, salt=SALT
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=_lifetime(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def presented(request: HttpRequest | None) -> Device | None:
    """The known browser the request's cookie names, if its signature holds and it has not expired."""
    value = request.COOKIES.get(COOKIE) if request is not None else None
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=_lifetime())
        return Device(id=str(data["d"]), user_id=str(data["u"]), password_tag=str(data["p"]))
    except (signing.BadSignature, KeyError, TypeError):
        return None


def record_failure(device: Device) -> None:
    throttle.hit(device.throttle_key, _lifetime())


def names(device: Device | None, user: User) -> bool:
    """Whether `device` is a browser that signed in to `user` (with its current password)."""
    return (
        device is not None
        and device.user_id == str(user.pk)
        and constant_time_compare(device.password_tag, _password_tag(user))
    )


def trusted_for(device: Device | None, user: User) -> bool:
    """Whether `device` may sign in to `user` despite a lock: its cookie names this account and its current
    password, and it has not itself failed too often."""
    return (
        device is not None
        and names(device, user)
        and throttle.attempts(device.throttle_key) < settings.IHF_LOGIN_MAX_FAILURES
    )
