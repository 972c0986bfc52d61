import pytest

from hubs.models import Widget, WidgetVersion
from tests.factories import HubFactory


@pytest.mark.django_db
def test_it_records_version_one_on_create():
    widget = Widget.objects.create(hub=HubFactory(), name="Pay", widget_type="button")
    versions = list(widget.versions.values_list("version", "schema_snapshot"))
    assert widget.version == 1
    assert versions == [(1, widget.snapshot())]
    assert versions[0][1]["name"] == "Pay"


@pytest.mark.django_db
def test_it_bumps_the_version_when_a_governed_field_changes():
    widget = Widget.objects.create(hub=HubFactory(), name="Pay", widget_type="button")
    widget.name = "Pay now"
    widget.status = "deprecated"
    widget.save()
    widget.refresh_from_db()
    assert widget.version == 2
    latest = WidgetVersion.objects.get(widget=widget, version=2)
    assert latest.schema_snapshot["name"] == "Pay now"
    assert latest.schema_snapshot["status"] == "deprecated"
    assert WidgetVersion.objects.get(widget=widget, version=1).schema_snapshot["name"] == "Pay"


@pytest.mark.django_db
def test_it_keeps_the_version_when_nothing_governed_changes():
    widget = Widget.objects.create(hub=HubFactory(), name="Pay", widget_type="button")
    widget.save()
    widget.save(update_fields=["name"])
    widget.refresh_from_db()
    assert widget.version == 1
    assert widget.versions.count() == 1


@pytest.mark.django_db
def test_it_versions_from_the_stored_row_not_a_stale_copy():
    widget = Widget.objects.create(hub=HubFactory(), name="Pay", widget_type="button")
    stale = Widget.objects.get(pk=widget.pk)
    widget.name = "Pay now"
    widget.save()
    stale.view_context = "/checkout"
    stale.save()
    assert sorted(Widget.objects.get(pk=widget.pk).versions.values_list("version", flat=True)) == [1, 2, 3]
    assert Widget.objects.get(pk=widget.pk).version == 3


@pytest.mark.django_db
def test_it_adds_version_to_partial_saves():
    widget = Widget.objects.create(hub=HubFactory(), name="Pay", widget_type="button")
    widget.status = "retired"
    widget.save(update_fields=["status"])
    stored = Widget.objects.get(pk=widget.pk)
    assert (stored.status, stored.version) == ("retired", 2)
