import factory
from django.utils import timezone

from feedback.models import Annotation, AnnotationThread, RequirementCandidate
from hubs.models import Hub, HubMembership, InteractionEvent, Role, Widget
from ihf.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    slug = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"Hub {n}")
    domain = "app.example.test"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubMembership

    hub = factory.SubFactory(HubFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class WidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Widget

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Widget {n}")
    widget_type = "button"
    view_context = "/home"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InteractionEvent

    widget = factory.SubFactory(WidgetFactory)
    event_type = "clicked"
    occurred_at = factory.LazyFunction(timezone.now)


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    widget = factory.SubFactory(WidgetFactory)
    body = factory.Faker("sentence")
    category = "friction"
    severity = "medium"


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnotationThread

    widget = factory.SubFactory(WidgetFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementCandidate

    title = factory.Sequence(lambda n: f"Candidate {n}")
    description = "Something to fix"
    source_widget = factory.SubFactory(WidgetFactory)
    status = "open"


def api_key(hub, scope="ingest", **kwargs):
    """A key for `hub`; returns (ApiKey, raw key)."""
    from hubs.services import api_key_create

    return api_key_create(hub=hub, scope=scope, **kwargs)
