"""The triage board with JavaScript (issue 19): one dialog for a card's actions, keys, drag and drop
between columns with the same server checks as the forms, toasts after htmx swaps, and no page reload."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from feedback.models import RequirementCandidate, TriageState
from feedback.selectors import BOARD_COLUMN_LIMIT
from feedback.views.board import WIDGET_CHOICES_LIMIT
from hubs.models import Widget
from tests.browser.test_every_page import ARTEFACTS, AXE, RUN_AXE, SEVERE
from tests.factories import CandidateFactory, HubFactory, MembershipFactory, WidgetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _board(signed_in, live_server, *titles):
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    widget = WidgetFactory(hub=hub)
    candidates = [CandidateFactory(source_widget=widget, title=title) for title in titles]
    browser = signed_in(steward)
    browser.get(live_server.url + reverse("feedback:board", args=[hub.slug]))
    browser.execute_script("window.ihfNoReload = true;")
    return browser, candidates


def _press(browser, key):
    ActionChains(browser).send_keys(key).perform()


def _focused_card(browser):
    return browser.execute_script("return document.activeElement.closest('article.candidate')?.id")


def test_keys_move_between_cards_and_open_the_dialog_that_moves_one(signed_in, live_server):
    # Newest first: the last one made is the first card.
    browser, (slow, fast) = _board(signed_in, live_server, "Slow totals", "Fast totals")
    wait = WebDriverWait(browser, 10)
    browser.find_element(By.TAG_NAME, "h1").click()
    _press(browser, "j")
    assert _focused_card(browser) == f"candidate-{fast.pk}"
    _press(browser, "j")
    assert _focused_card(browser) == f"candidate-{slow.pk}"
    _press(browser, "k")
    _press(browser, "j")
    _press(browser, "s")
    wait.until(lambda b: b.execute_script("return document.getElementById('actions-dialog').open"))
    wait.until(lambda b: b.execute_script("return document.activeElement.id") == "move-target")
    ARTEFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTEFACTS / "board-actions-dialog.png"))
    browser.execute_script(AXE)
    assert [v for v in browser.execute_async_script(RUN_AXE) if v["impact"] in SEVERE] == []
    Select(browser.switch_to.active_element).select_by_visible_text("Under review")
    browser.find_element(
        By.CSS_SELECTOR, "#actions-body form[action$='/transition/'] input[name=notes]"
    ).send_keys("on it")
    browser.find_element(By.CSS_SELECTOR, "#actions-body form[action$='/transition/'] button").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-under_review"), "1"))
    assert browser.find_element(By.ID, "count-open").text == "1"
    assert browser.find_elements(By.CSS_SELECTOR, f"#column-under_review #candidate-{slow.pk}")
    assert not browser.execute_script("return document.getElementById('actions-dialog').open")
    wait.until(ec.text_to_be_present_in_element((By.ID, "toasts"), "“Slow totals” moved to Under review."))
    assert _focused_card(browser) == f"candidate-{slow.pk}"  # focus is back on the card it was about
    _press(browser, "?")
    wait.until(lambda b: b.execute_script("return document.getElementById('keys-dialog').open"))
    assert [v for v in browser.execute_async_script(RUN_AXE) if v["impact"] in SEVERE] == []
    assert browser.execute_script("return window.ihfNoReload === true")
    assert TriageState.objects.get(candidate=slow).notes == "on it"


def test_d_marks_a_duplicate_from_the_dialog(signed_in, live_server):
    browser, (original, copy) = _board(
        signed_in, live_server, "Coupon field rejects lowercase codes", "Lowercase coupons fail"
    )
    wait = WebDriverWait(browser, 10)
    browser.find_element(By.CSS_SELECTOR, f"#candidate-{copy.pk} h3 a").send_keys("")  # focus the card
    _press(browser, "d")
    wait.until(lambda b: b.execute_script("return document.activeElement.id") == "dup-q")
    browser.switch_to.active_element.send_keys("lowercase")
    option = (By.CSS_SELECTOR, f"#dup-results-{copy.pk} input[value='{original.pk}']")
    wait.until(ec.presence_of_element_located(option)).click()
    browser.find_element(By.CSS_SELECTOR, f"#dup-results-{copy.pk} button").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-duplicate"), "1"))
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.pk)
    assert browser.execute_script("return window.ihfNoReload === true")


def _drag(browser, card_id, column):
    card = browser.find_element(By.ID, card_id)
    target = browser.find_element(By.CSS_SELECTOR, f"#column-{column} .cards")
    ActionChains(browser).click_and_hold(card).pause(0.2).move_by_offset(8, 8).pause(0.2).move_to_element(
        target
    ).pause(0.3).release().perform()


def test_drag_and_drop_moves_a_card_and_a_refused_drop_puts_it_back(signed_in, live_server):
    browser, (moving, raced) = _board(signed_in, live_server, "Drag me", "Someone else moves me")
    wait = WebDriverWait(browser, 10)
    _drag(browser, f"candidate-{moving.pk}", "under_review")
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-under_review"), "1"))
    assert RequirementCandidate.objects.get(pk=moving.pk).status == "under_review"
    # Someone else defers the other card after the board was drawn: the drop is refused (the server's
    # expected_status check), the card goes back where it now is, and a toast says why.
    RequirementCandidate.objects.filter(pk=raced.pk).update(status="deferred")
    _drag(browser, f"candidate-{raced.pk}", "under_review")
    wait.until(
        ec.text_to_be_present_in_element((By.ID, "toasts"), "Someone else changed this candidate first")
    )
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, f"#column-deferred #candidate-{raced.pk}"))
    assert browser.find_element(By.ID, "count-under_review").text == "1"
    assert not browser.find_elements(By.CSS_SELECTOR, f"#column-under_review #candidate-{raced.pk}")
    assert RequirementCandidate.objects.get(pk=raced.pk).status == "deferred"
    assert browser.execute_script("return window.ihfNoReload === true")


def test_six_cards_of_a_column_fit_above_the_fold(signed_in, live_server, browser):
    """With the actions in the dialog, a card is its title, severity, widget, age and reviewer: at least six
    fit in a 1920 x 1080 window (about two did with three forms on every card)."""
    titles = [f"After going back, the payment modal forgets everything I entered ({n})" for n in range(10)]
    browser.set_window_size(1920, 1080)
    try:
        browser, _candidates = _board(signed_in, live_server, *titles)
        browser.save_screenshot(str(ARTEFACTS / "board-above-the-fold.png"))
        visible = browser.execute_script(
            "return [...document.querySelectorAll('#column-open article.candidate')]"
            ".filter(c => c.getBoundingClientRect().bottom <= window.innerHeight).length"
        )
        assert visible >= 6
    finally:
        browser.set_window_size(1280, 1000)


def test_x_selects_cards_and_bulk_moves_them_naming_the_stale_one(signed_in, live_server):
    browser, (_first, second, third) = _board(signed_in, live_server, "First", "Second", "Third")
    wait = WebDriverWait(browser, 10)
    browser.find_element(By.TAG_NAME, "h1").click()
    for key in "jxjx":  # newest first: Third, then Second
        _press(browser, key)
    wait.until(ec.text_to_be_present_in_element((By.ID, "bulk-count"), "2 selected"))
    RequirementCandidate.objects.filter(pk=second.pk).update(status="deferred")  # someone else, meanwhile
    Select(browser.find_element(By.ID, "bulk-action")).select_by_visible_text("Under review")
    browser.find_element(By.CSS_SELECTOR, "#bulk-form button[type=submit]").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "toasts"), "1 candidate moved to Under review."))
    assert "“Second”: Someone else changed this candidate first" in browser.find_element(By.ID, "toasts").text
    assert browser.find_element(By.ID, "count-under_review").text == "1"
    assert browser.find_elements(By.CSS_SELECTOR, f"#column-under_review #candidate-{third.pk}")
    assert RequirementCandidate.objects.get(pk=second.pk).status == "deferred"
    assert browser.execute_script("return window.ihfNoReload === true")


def test_show_more_appends_a_columns_next_cards_which_drag_like_the_others(signed_in, live_server):
    titles = [f"Card {n:02d}" for n in range(BOARD_COLUMN_LIMIT + 3)]
    browser, candidates = _board(signed_in, live_server, *titles)
    wait = WebDriverWait(browser, 10)
    column = "#column-open article.candidate"
    assert len(browser.find_elements(By.CSS_SELECTOR, column)) == BOARD_COLUMN_LIMIT
    browser.find_element(By.CSS_SELECTOR, "#more-open a").click()
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, column)) == len(titles))
    wait.until(ec.text_to_be_present_in_element((By.ID, "more-open"), f"All {len(titles)} shown."))
    # Newest first: the first three made come last, fetched by "Show more".
    oldest = candidates[0]
    assert browser.find_elements(By.CSS_SELECTOR, f"#column-open #candidate-{oldest.pk}")
    _drag(browser, f"candidate-{oldest.pk}", "under_review")
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-under_review"), "1"))
    assert RequirementCandidate.objects.get(pk=oldest.pk).status == "under_review"
    assert browser.execute_script("return window.ihfNoReload === true")


def test_the_widget_name_box_suggests_names_and_filters_the_board(signed_in, live_server):
    hub = HubFactory()
    steward = MembershipFactory(hub=hub, role="steward").user
    Widget.objects.bulk_create(
        [Widget(hub=hub, name=f"Widget {n:04d}", widget_type="button") for n in range(WIDGET_CHOICES_LIMIT)]
    )
    CandidateFactory(source_widget=WidgetFactory(hub=hub, name="Pay now button"), title="Charged twice")
    CandidateFactory(source_widget=Widget.objects.get(hub=hub, name="Widget 0007"), title="Elsewhere")
    browser = signed_in(steward)
    board = live_server.url + reverse("feedback:board", args=[hub.slug])
    browser.get(board)
    wait = WebDriverWait(browser, 10)
    box = browser.find_element(By.NAME, "widget_name")
    box.click()
    # The options are read in one script: htmx replaces them as the answers come, and an element found in
    # one call can be gone by the next.
    suggested = "return Array.from(document.querySelectorAll('#widget-names option'), o => o.value)"
    wait.until(lambda b: len(b.execute_script(suggested)) == 20)
    box.send_keys("pay")
    wait.until(lambda b: b.execute_script(suggested) == ["Pay now button"])
    box.send_keys("\n")
    wait.until(lambda b: "widget_name=pay" in b.current_url)
    # The suggestions' own requests never become the page's address.
    assert browser.current_url.startswith(board + "?")
    wait.until(ec.text_to_be_present_in_element((By.ID, "count-open"), "1"))
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#board article.candidate h3")] == [
        "Charged twice"
    ]
