from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from ihf.auth import INVALID_LOGIN, RETRY_AFTER_ATTR, THROTTLED


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                retry_after = getattr(self.request, RETRY_AFTER_ATTR, None)
                if retry_after:
                    minutes = -(-retry_after // 60)
                    raise forms.ValidationError(
                        THROTTLED.format(minutes=minutes, plural="" if minutes == 1 else "s"),
                        code="throttled",
                    )
                # The same answer for an unknown email, a wrong password and a locked account (ihf/auth.py).
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
