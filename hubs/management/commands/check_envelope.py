import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubs.models import EnvelopeEmissionContract

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
FORMATS = {"uuid": (UUID, "is not a UUID"), "slug": (SLUG, "is not a slug")}


class _Collector(HTMLParser):
    """Elements that carry any data-ihf-* attribute, with their line numbers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if any(name.startswith("data-ihf-") for name in attributes):
            self.elements.append((self.getpos()[0], tag, attributes))

    handle_startendtag = handle_starttag


def problems(html: str, contract) -> tuple[list[str], int]:
    collector = _Collector()
    collector.feed(html)
    found = []
    for line, tag, attributes in collector.elements:
        issues = [f"missing {name}" for name in contract.required_attributes if not attributes.get(name)]
        for name, rule in (contract.validation_rules or {}).items():
            value = attributes.get(name)
            if value and rule.get("format") in FORMATS:
                pattern, message = FORMATS[rule["format"]]
                if not pattern.match(value):
                    issues.append(f"{name}={value!r} {message}")
            if value and rule.get("max_length") and len(value) > rule["max_length"]:
                issues.append(f"{name} is longer than {rule['max_length']} characters")
        if issues:
            found.append(f"line {line}: <{tag}> " + "; ".join(issues))
    return found, len(collector.elements)


class Command(BaseCommand):
    help = "Report which elements of an HTML page break the active envelope contract."

    def add_arguments(self, parser):
        parser.add_argument("source", help="an HTML file, or an http(s) URL")

    def handle(self, *args, source, **options):
        contract = EnvelopeEmissionContract.objects.filter(status="active").order_by("-created_at").first()
        if contract is None:
            raise CommandError("There is no active envelope contract (run the migrations).")
        if source.startswith(("http://", "https://")):
            try:
                with urllib.request.urlopen(source, timeout=20) as response:
                    html = response.read().decode(
                        response.headers.get_content_charset() or "utf-8", "replace"
                    )
            except OSError as error:
                raise CommandError(f"Could not fetch {source}: {error}") from None
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"{source}: no such file.")
            html = path.read_text(errors="replace")
        found, total = problems(html, contract)
        for problem in found:
            self.stdout.write(problem)
        summary = f"{total} widget element(s), {len(found)} breaking envelope {contract.contract_version}."
        if found:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
