"""The optional remote model, the summary and hint proposers, and `manage.py propose`.

The remote model's tests talk to a local HTTP server that speaks the OpenAI chat-completions protocol: a
stand-in for the remote service (the only thing in IHF's tests that is not the real component)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from assist.models import AgentProposal, AiCall
from assist.proposers import hints, summaries
from governance.models import ImplementationChangeReference, PolicyReference
from tests.chain import accepted_candidate, decision_for, deployment_for, signal_for
from tests.factories import AnnotationFactory, ThreadFactory

pytestmark = pytest.mark.django_db


class StandIn(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions with the queued replies: (status, text) or 'hang'."""

    replies: list = []
    seen: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.seen.append((self.path, self.headers.get("Authorization"), body))
        status, text = StandIn.replies.pop(0) if StandIn.replies else (200, "A summary.")
        if status == "hang":
            threading.Event().wait(2)
            return
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def remote(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StandIn.replies, StandIn.seen = [], []
    settings.IHF_AI_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.IHF_AI_MODEL = "stand-in"
    settings.IHF_AI_KEY = "secret"
    settings.IHF_AI_TIMEOUT = 0.5
    settings.IHF_AI_RETRIES = 1
    yield StandIn
    server.shutdown()


@pytest.fixture
def thread(save_widget):
    thread = ThreadFactory(widget=save_widget)
    for body, severity in [
        ("Pressing Enter in the profile form does nothing. I have to click Save.", "high"),
        ("Enter key does not submit the profile. Only the mouse works.", "medium"),
        ("The Save button ignores the keyboard. Really annoying.", "high"),
    ]:
        AnnotationFactory(widget=save_widget, thread=thread, body=body, severity=severity)
    return thread


def test_the_local_summary_quotes_central_sentences_without_repeats(thread):
    proposal = summaries.propose_summary(thread=thread)
    assert proposal.details["extractive"] and proposal.details["annotations"] == 3
    assert proposal.details["severity_counts"] == {"high": 2, "medium": 1}
    sentences = proposal.details["sentences"]
    assert len(sentences) == len(set(sentences)) <= summaries.KEEP
    assert all(s in proposal.content for s in sentences)
    assert AiCall.objects.filter(task="summary", status="ok").exists()
    again = summaries.propose_summary(thread=thread)
    proposal.refresh_from_db()
    assert proposal.status == "superseded" and again.status == "pending"


def test_the_remote_model_writes_the_summary_when_configured(remote, thread):
    remote.replies = [(200, "People cannot save the profile with Enter.")]
    proposal = summaries.propose_summary(thread=thread)
    assert proposal.content == "People cannot save the profile with Enter."
    assert proposal.model_ref == "remote:stand-in" and not proposal.details["extractive"]
    path, auth, body = remote.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer secret" and body["model"] == "stand-in"
    logged = AiCall.objects.get(model_ref="remote:stand-in")
    assert (
        logged.status == "ok"
        and logged.output_size == len(proposal.content)
        and "secret" not in str(logged.error)
    )


def test_a_failing_remote_falls_back_to_the_local_summary_and_logs_each_try(remote, thread):
    remote.replies = [(500, "boom"), ("hang", "")]
    proposal = summaries.propose_summary(thread=thread)
    assert proposal.details["extractive"] and proposal.model_ref.startswith("all-MiniLM")
    statuses = list(
        AiCall.objects.filter(model_ref="remote:stand-in").order_by("id").values_list("status", "error")
    )
    assert statuses == [("error", "HTTP 500"), ("timeout", "no answer within 0.5 s")]


def test_a_policy_hint_links_the_similar_decision_that_cited_a_policy(people, save_widget):
    past = decision_for(
        people.hub,
        candidate=accepted_candidate(people.hub, save_widget),
        title="Keyboard submit on forms",
        rationale="Enter must submit every form",
    )
    PolicyReference.objects.create(decision=past, policy_scope="WCAG 2.1.1 Keyboard")
    new = decision_for(
        people.hub,
        candidate=accepted_candidate(people.hub, save_widget),
        title="Enter key submits the profile form",
        rationale="Keyboard users asked",
    )
    proposal = hints.propose_policy(new)
    assert proposal.details["policies"] == ["WCAG 2.1.1 Keyboard"]
    assert proposal.details["decisions"][0]["id"] == str(past.pk)
    assert proposal.confidence_notes.get(dimension="policy_alignment").score >= hints.POLICY_THRESHOLD


def test_an_impl_hint_says_how_similar_changes_turned_out(people, save_widget):
    past = decision_for(
        people.hub,
        candidate=accepted_candidate(people.hub, save_widget),
        title="Enter submits the checkout form",
        rationale="Keyboard users",
    )
    ImplementationChangeReference.objects.create(decision=past, work_item_ref="acme/shop#12")
    signal_for(deployment_for(past), save_widget, "improved")
    new = decision_for(
        people.hub,
        candidate=accepted_candidate(people.hub, save_widget),
        title="Enter submits the profile form",
        rationale="Keyboard users",
    )
    proposal = hints.propose_impl(new)
    [similar] = proposal.details["decisions"]
    assert similar["references"] == ["github:acme/shop#12"] and similar["signals"] == {"improved": 1}
    assert "1 improved" in proposal.content


def test_the_propose_command_works_on_what_is_new_with_progress(people, thread):
    out = StringIO()
    call_command("propose", "--hub", "alpha", "--type", "summary", stdout=out)
    assert "summary: 1 threads to look at" in out.getvalue() and "1 new proposals" in out.getvalue()
    out = StringIO()
    call_command("propose", "--hub", "alpha", "--type", "summary", stdout=out)
    assert "summary: 0 threads" in out.getvalue()
    assert AgentProposal.objects.filter(proposal_type="summary").count() == 1


def test_the_propose_command_names_an_unknown_hub():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--hub: no hub has the slug 'nope'"):
        call_command("propose", "--hub", "nope")
