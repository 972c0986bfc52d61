"""Who gets what from every page and form of the web UI: one row per URL name and HTTP method, one expected
status per role, checked against a world (tests/architecture/world.py) that holds every object the pages are
about. A new URL without a row fails `test_every_url_has_a_row`.

POSTs carry an empty or minimal body: what matters is whether the request is refused (the login redirect,
404 for a hub that is not yours, 403 for a role that may not) or gets past the access check (422 for the
invalid form, or 200/302 when nothing more is needed). Every (row, role) is its own test in its own
transaction, so a POST that succeeds changes nothing another case sees; a refused or invalid POST must leave
the database as it was.

A `# today:` comment would mark a decision that looks wrong but is what the app does now (none does).
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.architecture.world import build_world

ROLES = ("anonymous", "outsider", "viewer", "reviewer", "steward", "admin")
LOGIN = "login"  # a 302 to the sign-in page, as opposed to a 302 that means the action was done
APP_LABELS = (
    "hubs",
    "feedback",
    "governance",
    "outcomes",
    "observability",
    "assist",
    "surveys",
    "learning",
    "reporting",
)
# Not the web UI's: the Django admin (its own staff checks), the JSON API (its key tests in tests/api/),
# signing in and out.
EXCLUDED_NAMESPACES = {"admin", "api"}
EXCLUDED_NAMES = {"login", "logout"}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    args: str  # space-separated World.value() tokens: object names, `slug`, `token`, `=literal`
    expect: tuple  # one status per role, in ROLES order
    data: dict = field(default_factory=dict)  # form fields (POST) or query string (GET), values as in args
    case: str = ""  # tells apart rows of the same URL and method

    @property
    def label(self) -> str:
        return " ".join(filter(None, [self.name, self.method, self.case]))


def get(name, args, *expect, data=None, case=""):
    return Row(name, "GET", args, expect, data or {}, case)


def post(name, args, *expect, data=None, case=""):
    return Row(name, "POST", args, expect, data or {}, case)


# These views bind their form only to a non-empty POST: a blank title makes the body invalid, not absent.
NO_TITLE = {"title": "="}

# fmt: off
MATRIX = [
    # URL name, arguments                                       anon   out  view rev  stew admin
    # hubs
    get("hubs:list", "",                                        LOGIN, 200, 200, 200, 200, 200),
    get("hubs:settings", "slug",                                LOGIN, 404, 403, 403, 200, 200),
    post("hubs:settings", "slug",                               LOGIN, 404, 403, 403, 302, 302),
    post("hubs:key-create", "slug",                             LOGIN, 404, 403, 403, 422, 422),
    post("hubs:key-revoke", "slug key",                         LOGIN, 404, 403, 403, 302, 302),
    # feedback: hub, widgets, annotations, threads
    get("feedback:hub", "slug",                                 LOGIN, 404, 200, 200, 200, 200),
    get("feedback:widget", "slug widget",                       LOGIN, 404, 200, 200, 200, 200),
    post("feedback:annotate", "slug widget",                    LOGIN, 404, 403, 422, 422, 422),
    post("feedback:retract", "slug annotation",                 LOGIN, 404, 403, 403, 422, 422,
         case="someone else's"),
    post("feedback:retract", "slug own_annotation",             LOGIN, 404, 403, 422, 422, 422,
         case="the reviewer's own"),
    post("feedback:thread-open", "slug annotation",             LOGIN, 404, 403, 403, 422, 422),
    get("feedback:thread", "slug thread",                       LOGIN, 404, 200, 200, 200, 200),
    post("feedback:thread-move", "slug thread",                 LOGIN, 404, 403, 403, 422, 422),
    get("feedback:escalate", "slug =annotation annotation",     LOGIN, 404, 403, 200, 200, 200,
        case="an annotation"),
    get("feedback:escalate", "slug =thread thread",             LOGIN, 404, 403, 200, 200, 200,
        case="a thread"),
    post("feedback:escalate", "slug =annotation annotation",    LOGIN, 404, 403, 422, 422, 422,
         data=NO_TITLE),
    # feedback: triage
    get("feedback:board", "slug",                               LOGIN, 404, 200, 200, 200, 200),
    get("feedback:candidate-search", "slug",                    LOGIN, 404, 200, 200, 200, 200,
        data={"q": "=Cand"}),
    get("feedback:candidate", "slug candidate",                 LOGIN, 404, 200, 200, 200, 200),
    # The Widget name box's suggestions, on a hub with many widgets.
    get("feedback:board-widget-names", "slug",                  LOGIN, 404, 200, 200, 200, 200,
        data={"widget_name": "=Wid"}),
    # A card's actions (the board's dialog; a page without JavaScript): everyone sees what they may do.
    get("feedback:candidate-actions", "slug candidate",         LOGIN, 404, 200, 200, 200, 200),
    post("feedback:board-bulk", "slug",                         LOGIN, 404, 403, 403, 422, 422),
    # Any member keeps saved views of the board (an empty name is refused); only its owner deletes one.
    post("feedback:board-view-save", "slug",                    LOGIN, 404, 422, 422, 422, 422),
    post("feedback:board-view-delete", "slug saved_view",       LOGIN, 404, 403, 403, 302, 403),
    post("feedback:transition", "slug candidate",               LOGIN, 404, 403, 422, 422, 422,
         case="assigned to the reviewer"),
    post("feedback:transition", "slug unassigned",              LOGIN, 404, 403, 403, 422, 422,
         case="unassigned"),
    post("feedback:assign", "slug candidate",                   LOGIN, 404, 403, 403, 422, 422),
    post("feedback:hub-mute", "slug",                           LOGIN, 404, 302, 302, 302, 302,
         data={"muted": "=1"}),
    # Everyone's own inbox (an empty mark-read POST marks nothing and goes back to it).
    get("feedback:inbox", "",                                   LOGIN, 200, 200, 200, 200, 200),
    post("feedback:inbox-read", "",                             LOGIN, 302, 302, 302, 302, 302),
    # The emailed links are not role-based: the signed token is the whole credential (a mail client may
    # open them without a session), so a bad token is 400 and a good one works alike for everyone.
    get("feedback:notification-open", "=garbage",               400,   400, 400, 400, 400, 400,
        case="bad token"),
    get("feedback:notification-open", "token",                  302,   302, 302, 302, 302, 302,
        case="good token"),
    get("feedback:notification-mute", "=garbage",               400,   400, 400, 400, 400, 400,
        case="bad token"),
    post("feedback:notification-mute", "=garbage",              400,   400, 400, 400, 400, 400,
         case="bad token"),
    get("feedback:notification-mute", "token",                  200,   200, 200, 200, 200, 200,
        case="good token"),
    post("feedback:notification-mute", "token",                 200,   200, 200, 200, 200, 200,
         case="good token"),
    # governance
    # Search across the user's own hubs: anyone signed in, each seeing only their hubs' things.
    get("governance:search", "",                                LOGIN, 200, 200, 200, 200, 200,
        data={"q": "=Check"}),
    get("governance:promote", "slug accepted",                  LOGIN, 404, 403, 200, 200, 200),
    post("governance:promote", "slug accepted",                 LOGIN, 404, 403, 422, 422, 422,
         data=NO_TITLE),
    get("governance:requirement", "slug requirement",           LOGIN, 404, 200, 200, 200, 200),
    get("governance:decision-new", "slug",                      LOGIN, 404, 403, 200, 200, 200,
        data={"requirement": "requirement"}),
    post("governance:decision-new", "slug",                     LOGIN, 404, 403, 422, 422, 422,
         data={"requirement": "requirement"}),
    get("governance:decision", "slug decision",                 LOGIN, 404, 200, 200, 200, 200),
    post("governance:policy-add", "slug decision",              LOGIN, 404, 403, 422, 422, 422),
    post("governance:change-add", "slug decision",              LOGIN, 404, 403, 422, 422, 422),
    # outcomes
    get("outcomes:deploy", "slug decision",                     LOGIN, 404, 403, 200, 200, 200),
    post("outcomes:deploy", "slug decision",                    LOGIN, 404, 403, 422, 422, 422,
         data={"version_ref": "="}),
    get("outcomes:deployment", "slug deployment",               LOGIN, 404, 200, 200, 200, 200),
    post("outcomes:status-add", "slug deployment",              LOGIN, 404, 403, 422, 422, 422),
    post("outcomes:signal-add", "slug deployment",              LOGIN, 404, 403, 422, 422, 422),
    post("outcomes:evaluate", "slug deployment",                LOGIN, 404, 403, 422, 422, 422),
    get("outcomes:deployment-trace", "slug deployment",         LOGIN, 404, 200, 200, 200, 200),
    get("outcomes:widget-trace", "slug widget",                 LOGIN, 404, 200, 200, 200, 200),
    get("outcomes:regressions", "slug",                         LOGIN, 404, 200, 200, 200, 200),
    post("outcomes:regression-resolve", "slug regression",      LOGIN, 404, 403, 422, 422, 422),
    get("outcomes:dashboard", "slug",                           LOGIN, 404, 200, 200, 200, 200),
    get("outcomes:dashboard-panel", "slug =deployments",        LOGIN, 404, 200, 200, 200, 200),
    # observability
    get("observability:heatmap", "slug",                        LOGIN, 404, 200, 200, 200, 200),
    post("observability:recompute", "slug",                     LOGIN, 404, 403, 403, 302, 302),
    get("observability:bottlenecks", "slug",                    LOGIN, 404, 200, 200, 200, 200),
    post("observability:bottlenecks", "slug",                   LOGIN, 404, 403, 403, 422, 422),
    post("observability:bottleneck-resolve", "slug bottleneck", LOGIN, 404, 403, 403, 422, 422),
    get("observability:health", "slug",                         LOGIN, 404, 200, 200, 200, 200),
    # Not one hub's pages: every signed-in user reads them, each seeing only what concerns their own hubs.
    get("observability:propagations", "",                       LOGIN, 200, 200, 200, 200, 200),
    get("observability:propagation", "propagation",             LOGIN, 404, 200, 200, 200, 200),
    post("observability:propagation-act", "propagation",        LOGIN, 404, 403, 403, 422, 422),
    get("observability:review", "",                             LOGIN, 200, 200, 200, 200, 200),
    get("observability:review-panel", "=health",                LOGIN, 200, 200, 200, 200, 200),
    # assist (phase 5): viewers read proposals; stewards and reviewers review them
    get("assist:inbox", "slug",                                 LOGIN, 404, 200, 200, 200, 200),
    get("assist:proposal", "slug proposal",                     LOGIN, 404, 200, 200, 200, 200),
    post("assist:review", "slug proposal",                      LOGIN, 404, 403, 422, 422, 422),
    get("assist:promote", "slug draft",                         LOGIN, 404, 403, 200, 200, 200),
    post("assist:promote", "slug draft",                        LOGIN, 404, 403, 422, 422, 422),
    get("assist:similar", "slug",                               LOGIN, 404, 200, 200, 200, 200),
    # reporting: the KPI panel, per hub and across the reader's hubs
    get("reporting:kpis", "",                                   LOGIN, 200, 200, 200, 200, 200),
    get("reporting:hub-kpis", "slug",                           LOGIN, 404, 200, 200, 200, 200),
    # surveys: stewards set the rules; stewards and reviewers turn surveys on and judge suggestions; every
    # member reads their own reports' verdicts and may opt out of them
    get("surveys:settings", "slug",                             LOGIN, 404, 403, 403, 200, 200),
    post("surveys:settings", "slug",                            LOGIN, 404, 403, 403, 422, 422),
    post("surveys:toggle", "slug deployment",                   LOGIN, 404, 403, 422, 422, 422),
    post("surveys:suggestion-decide", "slug deployment suggestion",
                                                                LOGIN, 404, 403, 422, 422, 422),
    get("surveys:my-reports", "slug",                           LOGIN, 404, 200, 200, 200, 200),
    post("surveys:my-reports-opt-out", "slug",                  LOGIN, 404, 302, 302, 302, 302,
         data={"opted_out": "=1"}),
    # learning: the index sends a member of one hub straight to its dashboard
    get("learning:index", "",                                   LOGIN, 302, 302, 302, 302, 200),
    get("learning:dashboard", "slug",                           LOGIN, 404, 200, 200, 200, 200),
    get("learning:panel", "slug =calibrations",                 LOGIN, 404, 200, 200, 200, 200),
    post("learning:calibration", "slug calibration",            LOGIN, 404, 403, 403, 422, 422),
    post("learning:insight", "slug insight",                    LOGIN, 404, 403, 422, 422, 422),
    get("learning:knowledge", "slug",                           LOGIN, 404, 200, 200, 200, 200,
        data={"q": "=Decide"}),
    get("learning:entry", "slug entry",                         LOGIN, 404, 200, 200, 200, 200),
    post("learning:distil", "slug decision",                    LOGIN, 404, 403, 302, 302, 302),
]
# fmt: on

CASES = [pytest.param(row, role, id=f"{row.label} as {role}") for row in MATRIX for role in ROLES]
WRITES_NOTHING = {LOGIN, 400, 403, 404, 405, 422}


def _database_state():
    """Every row of every table of the IHF apps, to show that a refused or invalid request wrote nothing."""
    state = {}
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return state


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), CASES)
def test_access(client, people, row, role):
    world = build_world(people)
    if role != "anonymous":
        client.force_login(getattr(people, role))
    url = reverse(row.name, args=[world.value(token) for token in row.args.split()])
    data = {key: world.value(token) for key, token in row.data.items()}
    expected = row.expect[ROLES.index(role)]
    before = _database_state() if row.method == "POST" and expected in WRITES_NOTHING else None

    response = client.get(url, data) if row.method == "GET" else client.post(url, data)

    login_url = resolve_url(settings.LOGIN_URL)
    to_login = response.status_code == 302 and response.url.startswith(f"{login_url}?next=")
    got = LOGIN if to_login else response.status_code
    assert got == expected, f"{row.label} as {role}: expected {expected}, got {got}"
    if before is not None:
        assert _database_state() == before, f"{row.label} as {role} answered {got} but wrote to the database"


def _named_patterns(patterns, prefix=""):
    """(namespaced name, route) of every pattern under `patterns`, leaving out the excluded parts."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_patterns(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern):
            route = str(pattern.pattern)
            if pattern.name in EXCLUDED_NAMES or route.lstrip("^").startswith(("static/", "media/")):
                continue
            yield (f"{prefix}{pattern.name}" if pattern.name else None), route


def test_every_url_has_a_row():
    found = list(_named_patterns(get_resolver().url_patterns))
    unnamed = [route for name, route in found if name is None]
    assert not unnamed, f"Name these URL patterns so the permission matrix can cover them: {unnamed}"
    names = {name for name, _route in found}
    assert {name.split(":")[0] for name in names} >= set(APP_LABELS)
    in_matrix = {row.name for row in MATRIX}
    problems = [
        f"URL {name} has no row in the permission matrix "
        "(tests/architecture/test_permission_matrix.py): add one with the expected status for each role"
        for name in sorted(names - in_matrix)
    ] + [
        f"The permission matrix has a row for URL {name}, which no longer exists: remove it"
        for name in sorted(in_matrix - names)
    ]
    assert not problems, "\n".join(problems)


def test_every_row_names_a_status_for_each_role():
    for row in MATRIX:
        assert len(row.expect) == len(ROLES), row.label
        assert row.method in {"GET", "POST"}, row.label
    labels = [row.label for row in MATRIX]
    assert len(labels) == len(set(labels)), "two rows with the same URL and method need a `case`"
