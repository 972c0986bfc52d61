"""Email sign-in with a throttle per client address and a lockout per account.

Everything lives in the backend, so that every sign-in path (the IHF login page and the Django admin's)
counts and refuses the same way. In order, for each attempt:

1. **Per address.** The attempt is counted against its client address (ihf/throttle.py); past
   IHF_LOGIN_ATTEMPTS_PER_ADDRESS in IHF_LOGIN_THROTTLE_SECONDS it is refused before any account is looked
   up or any password hashed (the page answers 429). A successful sign-in gives its attempt back.
2. **One answer.** Otherwise exactly one password hash is computed, whether the email exists, the account
   is locked or inactive, or the password is right: every refusal shows INVALID_LOGIN and takes the time of
   one hash, so neither the answer nor its time tells which emails have accounts or which are locked.
3. **Per account.** IHF_LOGIN_MAX_FAILURES failures in a row lock the account (the seed's `locked_at`)
   until an administrator unlocks it; a locked account is refused even the right password, except from a
   browser that signed in to it before (ihf/devices.py), which is what keeps a stranger's five wrong
   passwords from locking the owner out.
4. **Slow refusals.** Every refused attempt, throttled or not, answers IHF_LOGIN_FAILURE_DELAY after it
   began. The time then says nothing at all, and a client that waits for each answer (a script flooding the
   login) makes one attempt a second, however cheap the refusal: its requests cannot crowd out the others.
   The wait holds a thread, not a core (gunicorn.conf.py); at most IHF_LOGIN_DELAYED_AT_ONCE wait in each
   process, and past that refusals answer at once, so that many connections cannot hold every thread.
"""

import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, F, When
from django.db.models.functions import Coalesce, Now
from django.http import HttpRequest

from ihf import caches, devices, hashers, throttle
from ihf.models import User

INVALID_LOGIN = "That email and password do not match an account that can sign in now."
THROTTLED = "Too many sign-in attempts from your network. Try again in {minutes} minute{plural}."
# Set on the request when the address throttle refused the attempt: seconds until it may try again.
RETRY_AFTER_ATTR = "ihf_login_retry_after"


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
    # A known browser signing in to a locked account leaves the count as it is: the account stays locked
    # for everyone else, and the administrator who unlocks it sees how many failures locked it.
    if user.failed_login_attempts and not user.is_locked:
        User.objects.filter(pk=user.pk).update(failed_login_attempts=0)
        user.failed_login_attempts = 0


_waiting: dict[str, threading.BoundedSemaphore | None] = {"slots": None}  # made at first use
_waiting_lock = threading.Lock()


def answer_slowly(started: float) -> None:
    """Wait until IHF_LOGIN_FAILURE_DELAY has passed since `started` (time.monotonic()), if a slot is free."""
    remaining = started + settings.IHF_LOGIN_FAILURE_DELAY - time.monotonic()
    if remaining <= 0:
        return
    with _waiting_lock:
        slots = _waiting["slots"]
        if slots is None:
            slots = _waiting["slots"] = threading.BoundedSemaphore(settings.IHF_LOGIN_DELAYED_AT_ONCE)
    if not slots.acquire(blocking=False):
        return
    try:
        time.sleep(remaining)
    finally:
        slots.release()


def _forget_slots() -> None:
    with _waiting_lock:
        _waiting["slots"] = None


caches.register("ihf.auth.delay_slots", _forget_slots)


class LockoutBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        started = time.monotonic()
        user = self._authenticate(request, username, password, **kwargs)
        if user is None:
            answer_slowly(started)
        return user

    def _authenticate(
        self, request: HttpRequest | None, username: str | None, password: str | None, **kwargs: Any
    ) -> User | None:
        email = username or kwargs.get(User.USERNAME_FIELD)
        if not email or password is None:
            return None
        address_key = None
        if request is not None:
            address_key = f"addr:{throttle.client_address(request)}"
            count = throttle.hit(address_key, settings.IHF_LOGIN_THROTTLE_SECONDS)
            if count.attempts > settings.IHF_LOGIN_ATTEMPTS_PER_ADDRESS:
                setattr(request, RETRY_AFTER_ATTR, count.retry_after)
                return None
        try:
            user: User = User.objects.get(email__iexact=email.strip())  # as get_by_natural_key
        except User.DoesNotExist:
            User().set_password(password)  # the one hash an existing account would have cost
            return None
        device = devices.presented(request)
        with hashers.known_browser(devices.names(device, user)):
            password_ok = user.check_password(password)  # locked or not: the time must not tell
        if (
            not password_ok
            or not self.user_can_authenticate(user)
            or (user.is_locked and not devices.trusted_for(device, user))
        ):
            record_failure(user)
            if device is not None and device.user_id == str(user.pk):
                devices.record_failure(device)
            return None
        record_success(user)
        if address_key is not None:
            throttle.refund(address_key)
        return user
