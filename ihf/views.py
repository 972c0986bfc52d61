from django.contrib.auth import views as auth_views

from ihf import devices
from ihf.auth import RETRY_AFTER_ATTR
from ihf.forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login view with IHF's form; it answers 429 with Retry-After when the address throttle refused
    the attempt, and marks the browser of a successful sign-in as known (ihf/devices.py)."""

    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        devices.issue(response, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        retry_after = getattr(self.request, RETRY_AFTER_ATTR, None)
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response
