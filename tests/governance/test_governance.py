import pytest
from django.urls import reverse

from feedback.models import RequirementCandidate
from governance.forms import RATIONALE_REQUIRED, SCOPE_REQUIRED
from governance.models import DecisionRecord, ImplementationChangeReference, PolicyReference, Requirement
from governance.services import ALREADY_PROMOTED, ALREADY_SUPERSEDED, NOT_ACCEPTED
from tests.chain import accepted_candidate, decision_for, requirement_for
from tests.factories import CandidateFactory, WidgetFactory

DECISION = {"title": "Fix the coupon field", "outcome": "approved", "rationale": "Seen weekly"}


def _promote_url(people, candidate):
    return reverse("governance:promote", args=[people.hub.slug, candidate.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steward", 302), ("reviewer", 302), ("admin", 302), ("viewer", 403)]
)
def test_promoting_an_accepted_candidate_per_role(client, people, role, status):
    candidate = accepted_candidate(people.hub, title="Coupon case")
    client.force_login(getattr(people, role))
    response = client.post(
        _promote_url(people, candidate), {"title": "Accept lowercase coupons", "description": "d"}
    )
    assert response.status_code == status
    if status == 302:
        requirement = Requirement.objects.get()
        assert response.url == reverse("governance:requirement", args=[people.hub.slug, requirement.pk])
        assert requirement.source_candidate_id == candidate.pk
        assert RequirementCandidate.objects.get(pk=candidate.pk).requirement_id == requirement.pk
    else:
        assert not Requirement.objects.exists()


@pytest.mark.django_db
def test_only_accepted_candidates_are_promoted_and_only_once(client, people):
    client.force_login(people.steward)
    open_one = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    response = client.post(_promote_url(people, open_one), {"title": "t", "description": "d"})
    assert response.status_code == 409
    assert NOT_ACCEPTED.format(status="open") in response.content.decode()
    accepted = accepted_candidate(people.hub)
    assert client.post(_promote_url(people, accepted), {"title": "t", "description": "d"}).status_code == 302
    response = client.post(_promote_url(people, accepted), {"title": "t", "description": "d"})
    assert response.status_code == 409 and ALREADY_PROMOTED in response.content.decode()
    assert Requirement.objects.count() == 1


@pytest.mark.django_db
def test_promotion_bad_input(client, people):
    candidate = accepted_candidate(people.hub)
    client.force_login(people.steward)
    response = client.post(_promote_url(people, candidate), {"title": "", "description": ""})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title", "description"}
    assert not Requirement.objects.exists()


@pytest.mark.django_db
def test_another_hubs_member_gets_404_on_governance_pages(client, people):
    candidate = accepted_candidate(people.hub)
    requirement = requirement_for(candidate)
    decision = decision_for(people.hub, requirement=requirement)
    client.force_login(people.outsider)
    slug = people.hub.slug
    assert client.post(_promote_url(people, candidate), {"title": "t", "description": "d"}).status_code == 404
    assert client.get(reverse("governance:requirement", args=[slug, requirement.pk])).status_code == 404
    assert client.get(reverse("governance:decision", args=[slug, decision.pk])).status_code == 404
    assert (
        client.get(
            reverse("governance:decision-new", args=[slug]), {"requirement": requirement.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("governance:decision-new", args=[slug]), {"requirement": requirement.pk, **DECISION}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("governance:policy-add", args=[slug, decision.pk]), {"policy_scope": "gdpr"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("governance:change-add", args=[slug, decision.pk]),
            {"system": "jira", "work_item_ref": "PAY-1"},
        ).status_code
        == 404
    )
    assert DecisionRecord.objects.count() == 1 and not PolicyReference.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("steward", 302), ("reviewer", 302), ("viewer", 403)])
def test_recording_a_decision_per_role(client, people, role, status):
    requirement = requirement_for(accepted_candidate(people.hub))
    client.force_login(getattr(people, role))
    response = client.post(
        reverse("governance:decision-new", args=[people.hub.slug]),
        {"requirement": requirement.pk, **DECISION, "policy_scope": "pci", "constraint_note": "no PAN"},
    )
    assert response.status_code == status
    if status == 302:
        decision = DecisionRecord.objects.get()
        assert (decision.hub_id, decision.requirement_id, decision.outcome, decision.decided_by_id) == (
            people.hub.pk,
            requirement.pk,
            "approved",
            getattr(people, role).pk,
        )
        assert list(decision.policy_references.values_list("policy_scope", "constraint_note")) == [
            ("pci", "no PAN")
        ]
    else:
        assert not DecisionRecord.objects.exists()
    client.force_login(people.viewer)
    if status == 302:
        assert (
            client.get(reverse("governance:decision", args=[people.hub.slug, decision.pk])).status_code == 200
        )


@pytest.mark.django_db
def test_a_decision_can_be_on_a_candidate(client, people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    client.force_login(people.steward)
    response = client.post(
        reverse("governance:decision-new", args=[people.hub.slug]),
        {"candidate": candidate.pk, **DECISION, "outcome": "deferred"},
    )
    assert response.status_code == 302
    assert DecisionRecord.objects.get().candidate_id == candidate.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**DECISION, "rationale": ""}, "rationale", RATIONALE_REQUIRED),
        ({**DECISION, "outcome": "maybe"}, "outcome", "Select a valid choice"),
        ({**DECISION, "title": ""}, "title", "Give it a short title."),
        ({**DECISION, "constraint_note": "only EU"}, "policy_scope", SCOPE_REQUIRED),
    ],
)
def test_bad_decisions_answer_422_and_write_nothing(client, people, data, field, message):
    requirement = requirement_for(accepted_candidate(people.hub))
    client.force_login(people.reviewer)
    response = client.post(
        reverse("governance:decision-new", args=[people.hub.slug]), {"requirement": requirement.pk, **data}
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert not DecisionRecord.objects.exists()


@pytest.mark.django_db
def test_a_decision_without_a_subject_is_404(client, people):
    client.force_login(people.steward)
    assert client.get(reverse("governance:decision-new", args=[people.hub.slug])).status_code == 404
    assert (
        client.get(
            reverse("governance:decision-new", args=[people.hub.slug]), {"requirement": "x"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_supersession_links_both_ways_and_happens_once(client, people):
    requirement = requirement_for(accepted_candidate(people.hub))
    old = decision_for(people.hub, requirement=requirement, outcome="deferred")
    client.force_login(people.steward)
    url = reverse("governance:decision-new", args=[people.hub.slug])
    response = client.post(url, {"supersedes": old.pk, **DECISION})
    assert response.status_code == 302
    new = DecisionRecord.objects.exclude(pk=old.pk).get()
    assert (new.supersedes_id, new.requirement_id) == (old.pk, requirement.pk)
    old_page = client.get(reverse("governance:decision", args=[people.hub.slug, old.pk])).content.decode()
    assert "Superseded by" in old_page and new.title in old_page
    assert DecisionRecord.objects.get(pk=old.pk).outcome == "deferred"  # the old record itself never changes
    response = client.post(url, {"supersedes": old.pk, **DECISION})
    assert response.status_code == 409 and ALREADY_SUPERSEDED in response.content.decode()
    assert DecisionRecord.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("system", "reference", "ok"),
    [
        ("github", "acme/shop#42", True),
        ("github", "https://github.com/acme/shop/pull/42", True),
        ("github", "PAY-42", False),
        ("gitlab", "group/sub/project!7", True),
        ("gitlab", "https://gitlab.example.com/group/project/-/merge_requests/7", True),
        ("gitlab", "project 7", False),
        ("jira", "PAY-123", True),
        ("jira", "pay-123", False),
        ("linear", "ENG-9", True),
        ("linear", "ENG 9", False),
        ("other", "Change ticket 5512", True),
        ("other", "ftp://files/change", False),
        ("other", " padded ", True),
        ("other", "javascript://alert(1)", False),
    ],
)
def test_work_item_references_are_validated_per_system(client, people, system, reference, ok):
    decision = decision_for(people.hub, requirement=requirement_for(accepted_candidate(people.hub)))
    client.force_login(people.reviewer)
    response = client.post(
        reverse("governance:change-add", args=[people.hub.slug, decision.pk]),
        {"system": system, "work_item_ref": reference},
    )
    if ok:
        assert response.status_code == 302
        assert ImplementationChangeReference.objects.get().work_item_ref == reference.strip()
    else:
        assert response.status_code == 422
        assert "work_item_ref" in response.context["change_form"].errors
        assert not ImplementationChangeReference.objects.exists()


@pytest.mark.django_db
def test_policy_references_need_a_scope_and_viewers_cannot_add_them(client, people):
    decision = decision_for(people.hub, requirement=requirement_for(accepted_candidate(people.hub)))
    url = reverse("governance:policy-add", args=[people.hub.slug, decision.pk])
    client.force_login(people.viewer)
    assert client.post(url, {"policy_scope": "gdpr"}).status_code == 403
    client.force_login(people.steward)
    response = client.post(url, {"policy_scope": ""})
    assert response.status_code == 422 and SCOPE_REQUIRED in response.content.decode()
    assert client.post(url, {"policy_scope": "gdpr", "constraint_note": "EU only"}).status_code == 302
    assert list(PolicyReference.objects.values_list("policy_scope", flat=True)) == ["gdpr"]
