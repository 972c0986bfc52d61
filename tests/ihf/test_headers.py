"""Security headers (issue #15, item 7): a Content-Security-Policy with a per-response nonce on every page, no
inline style or script in any template, HSTS and the HTTPS redirect in production (`check --deploy` passes),
and the ingestion fast path's choice of headers."""

import io
import json
import os
import re
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from hubs import fastpath
from hubs.models import InteractionEvent
from tests.factories import WidgetFactory, api_key

ROOT = Path(__file__).resolve().parents[2]
CSP = "Content-Security-Policy"


def _nonce(policy: str) -> str:
    return re.search(r"'nonce-([^']+)'", policy).group(1)


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_with_a_fresh_nonce(client, people):
    client.force_login(people.steward)
    url = reverse("feedback:hub", args=[people.hub.slug])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    policy = first[CSP]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' 'nonce-{_nonce(policy)}'"
    assert directives["style-src"] == "'self'"  # no inline styles: htmx is told not to add its own
    assert directives["object-src"] == directives["base-uri"] == directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    html = first.content.decode()
    assert f'nonce="{_nonce(policy)}"' in html  # on htmx's script tag
    assert '"includeIndicatorStyles": false' in html
    assert _nonce(policy) != _nonce(second[CSP])
    # The sign-in page, the admin and the API docs are pages too.
    client.logout()
    for path in ["/login/", "/admin/login/", "/api/docs"]:
        assert "script-src 'self'" in client.get(path)[CSP], path


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute: use a class in static/ihf/app.css"),
    (re.compile(r"<style\b", re.I), "a <style> element: move it to static/ihf/app.css"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute: attach it from a static script"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on, which htmx evaluates as inline script"),
]


def test_no_template_has_inline_style_or_script():
    """The policy allows no inline style and only nonce-carrying inline script: templates must not need
    either (data goes in <script type="application/json"> from json_script, which is not run)."""
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                found += [f"{path.relative_to(ROOT)}: {what}" for _match in pattern.finditer(text)]
            for tag in re.findall(r"<script\b[^>]*>", text, re.I):
                if "src=" not in tag and "application/json" not in tag and "nonce" not in tag:
                    found.append(f"{path.relative_to(ROOT)}: inline script without a nonce: {tag}")
    assert not found, "\n".join(found)


def _production_check(**overrides):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ihf.example.com",
        # Importing the settings outside DEBUG requires it; `check` connects to nothing.
        "DATABASE_URL": "postgres://ihf@db.invalid:5432/ihf",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _production_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_send_hsts_and_redirect_to_https():
    code = (
        "from django.conf import settings as s; import json; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT]))"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ihf.example.com",
        "DATABASE_URL": "postgres://ihf@db.invalid:5432/ihf",
        "DJANGO_SETTINGS_MODULE": "wiring.settings",
    }
    shell = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    plain = subprocess.run(shell, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert plain.returncode == 0, plain.stderr
    redirect, hsts, subdomains, session_secure, csrf_secure, proxy_header, exempt = json.loads(plain.stdout)
    assert (redirect, hsts, subdomains, session_secure, csrf_secure) == (True, 31_536_000, True, True, True)
    assert proxy_header is None  # no proxy is believed unless one is configured
    assert exempt == ["^api/health$"]  # a load balancer's plain-HTTP liveness probe
    proxied = subprocess.run(
        shell, cwd=ROOT, env={**env, "IHF_TRUSTED_PROXIES": "1"}, capture_output=True, text=True, timeout=60
    )
    assert json.loads(proxied.stdout)[5] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_the_event_fast_path_keeps_hsts_and_sends_no_csp(people, contracts, settings, monkeypatch):
    """The fast path (hubs/fastpath.py) runs no middleware but SecurityMiddleware's. A JSON answer needs no
    CSP (nothing in it runs; nosniff keeps browsers from reading it as HTML), so it goes without one."""
    settings.SECURE_HSTS_SECONDS = 3600
    handler = fastpath.WSGIHandler()  # it reads SecurityMiddleware's settings when made
    monkeypatch.setattr(fastpath, "close_old_connections", lambda: None)  # the test's transaction stays
    widget = WidgetFactory(hub=people.hub)
    _key, raw = api_key(people.hub)
    body = json.dumps(
        {"widget_id": str(widget.pk), "event_type": "clicked", "occurred_at": datetime.now(UTC).isoformat()}
    ).encode()
    started = []

    def start_response(status, headers, exc_info=None):
        started.append((status, headers))

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": fastpath.INGEST_PATH,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {raw}",
    }
    content = b"".join(handler(environ, start_response))
    status, headers = started[0]
    names = dict(headers)
    assert status.startswith("201"), content
    assert names["Strict-Transport-Security"] == "max-age=3600"
    assert names["X-Content-Type-Options"] == "nosniff"
    assert CSP not in names
    assert InteractionEvent.objects.filter(widget=widget).count() == 1
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in django_settings.MIDDLEWARE
