"""check_envelope: the reporter's own <script> is not a broken widget (static or rendered), and --render
checks what the browser has after the page's scripts ran, in shadow roots too."""

import uuid

import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

GOOD = str(uuid.uuid4())
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<button data-ihf-widget="{GOOD}" data-ihf-hub="checkout" data-ihf-view-context="/pay">Pay</button>
<div id="app"></div>
<shop-card id="card"></shop-card>
<script>
  // What a front end renders: invisible to a check of the HTML as served.
  document.getElementById("app").innerHTML =
    '<section id="promo" data-ihf-widget="undefined" data-ihf-hub="checkout">Promo</section>';
  customElements.define("shop-card", class extends HTMLElement {{
    connectedCallback() {{
      this.attachShadow({{mode: "open"}}).innerHTML =
        '<form id="card-form" data-ihf-widget="{GOOD}" data-ihf-view-context="/pay">Card</form>';
    }}
  }});
</script>
<script src="https://ihf.example.com/static/ihf/reporter.js" data-ihf-endpoint="https://ihf.example.com/api/v1"
        data-ihf-key="ihf_ingest_x" data-ihf-hub="checkout" defer></script>
</body></html>"""


def test_the_reporters_script_is_no_widget_and_render_sees_what_scripts_made(tmp_path, capsys, contracts):
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    call_command("check_envelope", str(page))  # as served: one good widget, and the script is not one
    assert "1 widget element(s), 0 breaking" in capsys.readouterr().out

    with pytest.raises(CommandError, match=r"3 widget element\(s\), 2 breaking envelope 1.0"):
        call_command("check_envelope", str(page), "--render", "--wait", "0.5")
    out = capsys.readouterr().out
    assert (
        "section#promo: <section> missing data-ihf-view-context; data-ihf-widget='undefined' is not a UUID"
        in out
    )
    assert "shop-card::shadow-root > form#card-form: <form> missing data-ihf-hub" in out
    assert "script" not in out
