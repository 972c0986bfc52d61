"""The reporter's post-change survey in a real browser, on a page of another origin: a sampled user of a
changed widget is asked once, answers with the keyboard alone, and another dismisses it with Escape; the
question never takes the focus. And the annotate form says, once, that a report led to a change."""

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from feedback.models import Annotation
from hubs.fastpath import forget_origins
from outcomes import services as outcome_services
from surveys import services
from surveys.models import DeploymentSurvey, ReporterVerdict, SurveyPrompt, SurveySettings, UserFeedback
from tests.browser.reporter_pages import site, wait_for  # noqa: F401 — a fixture
from tests.chain import decision_for, deployment_for
from tests.factories import CandidateFactory, HubFactory, MembershipFactory, WidgetFactory, api_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>A shop that is not IHF</h1>
<button id="pay" data-ihf-widget="{pay}" data-ihf-hub="{hub}">Pay</button>
<button id="coupon" data-ihf-widget="{coupon}" data-ihf-hub="{hub}">Coupon</button>
<script>window.ihfConfig = {{surveyDelayMs: 200}};</script>
<script src="{ihf}/static/ihf/reporter.js" data-ihf-endpoint="{ihf}/api/v1" data-ihf-key="{key}"
        data-ihf-hub="{hub}" data-ihf-flush-ms="300"></script>
</body></html>"""


def _surveyed(hub, widget, version):
    decision = decision_for(hub, candidate=CandidateFactory(source_widget=widget, status="accepted"))
    deployment = deployment_for(decision, version=version)
    DeploymentSurvey.objects.create(deployment=deployment, enabled=True)
    return deployment


@pytest.fixture
def shop(browser, live_server, site, contracts):  # noqa: F811
    root, origin = site
    hub = HubFactory(allowed_origins=[origin])
    forget_origins()
    SurveySettings.objects.create(hub=hub, sampling_rate=1, quiet_period_days=1)
    pay, coupon = WidgetFactory(hub=hub, name="Pay now"), WidgetFactory(hub=hub, name="Coupon")
    _key, raw = api_key(hub)
    html = PAGE.format(pay=pay.pk, coupon=coupon.pk, hub=hub.slug, ihf=live_server.url, key=raw)
    (root / "shop.html").write_text(html)

    def load():
        browser.get(f"{origin}/shop.html")
        WebDriverWait(browser, 10).until(lambda b: b.execute_script("return !!window.__ihfReporter"))

    return hub, pay, coupon, load


def _survey(browser):
    return WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "ihf-survey")))


def _focused_id(browser):
    return browser.execute_script("return document.activeElement && document.activeElement.id")


def test_a_sampled_user_is_asked_once_and_answers_with_the_keyboard(browser, shop):
    hub, pay, _coupon, load = shop
    deployment = _surveyed(hub, pay, "v2")
    load()
    browser.find_element(By.ID, "pay").click()
    survey = _survey(browser)
    assert _focused_id(browser) == "pay"  # it appeared without taking the focus
    title = survey.find_element(By.ID, "ihf-survey-title").text
    assert (
        title == "A quick question about Pay now"
        and survey.get_attribute("aria-labelledby") == "ihf-survey-title"
    )
    assert wait_for(lambda: "Alt+Shift+S" in survey.find_element(By.CSS_SELECTOR, "[data-ihf-announce]").text)
    assert wait_for(lambda: SurveyPrompt.objects.filter(deployment=deployment, widget=pay).count() == 1)

    # Keyboard only: jump to it, choose 4 with the arrow keys, Tab past "Tell us more" to Send.
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("s").key_up(Keys.SHIFT).key_up(
        Keys.ALT
    ).perform()
    assert browser.execute_script("return document.activeElement.name") == "overall_satisfaction"
    actions = ActionChains(browser)
    for key in [
        Keys.SPACE,
        Keys.ARROW_RIGHT,
        Keys.ARROW_RIGHT,
        Keys.ARROW_RIGHT,
        Keys.TAB,
        Keys.TAB,
        Keys.ENTER,
    ]:
        actions.send_keys(key)
    actions.perform()
    assert wait_for(lambda: UserFeedback.objects.filter(deployment=deployment).exists())
    answer = UserFeedback.objects.get()
    assert (answer.widget_id, answer.overall_satisfaction, answer.feedback_source) == (pay.pk, 4, "modal")
    assert str(answer.prompt_id) == str(SurveyPrompt.objects.get().pk)
    assert wait_for(lambda: not browser.find_elements(By.ID, "ihf-survey"))

    # Reloaded and used again: asked once per deployment, so not again.
    load()
    browser.find_element(By.ID, "pay").click()
    time.sleep(1)
    assert not browser.find_elements(By.ID, "ihf-survey")
    assert UserFeedback.objects.count() == 1 and SurveyPrompt.objects.count() == 1


def test_escape_dismisses_it_and_a_second_survey_waits_for_the_quiet_period(browser, shop):
    hub, pay, coupon, load = shop
    deployment = _surveyed(hub, pay, "v2")
    _surveyed(hub, coupon, "v7")
    load()
    browser.find_element(By.ID, "pay").click()
    _survey(browser)
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("s").key_up(Keys.SHIFT).key_up(
        Keys.ALT
    ).perform()
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert wait_for(lambda: not browser.find_elements(By.ID, "ihf-survey"))
    assert _focused_id(browser) == "pay"  # the focus went back where it was
    assert wait_for(
        lambda: SurveyPrompt.objects.filter(deployment=deployment, dismissed_at__isnull=False).exists()
    )
    assert not UserFeedback.objects.exists()
    browser.find_element(By.ID, "coupon").click()  # surveyed too, but one a day at most
    time.sleep(1)
    assert not browser.find_elements(By.ID, "ihf-survey")
    assert SurveyPrompt.objects.count() == 1
    assert browser.execute_script("return document.title") == "Shop"


def test_the_annotate_form_says_once_that_a_report_led_to_a_change(browser, shop):
    hub, _pay, coupon, load = shop
    load()
    ActionChains(browser).key_down(Keys.ALT).click(browser.find_element(By.ID, "coupon")).key_up(
        Keys.ALT
    ).perform()
    form = WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "ihf-annotate")))
    assert not form.find_elements(By.CSS_SELECTOR, "[data-ihf-news]")
    form.find_element(By.NAME, "body").send_keys("Coupon codes are case sensitive")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert wait_for(lambda: Annotation.objects.filter(widget=coupon).exists())
    annotation = Annotation.objects.get(widget=coupon)
    # Triaged, decided, deployed, evaluated and observed: the authors are told.
    reviewer = MembershipFactory(hub=hub, role="reviewer").user
    candidate = CandidateFactory(source_widget=coupon, source_annotation=annotation, status="accepted")
    deployment = deployment_for(decision_for(hub, candidate=candidate), version="shop 4.2")
    outcome_services.evaluation_submit(
        deployment=deployment, actor=reviewer, score=4, rationale="Fewer errors"
    )
    outcome_services.signal_record(
        deployment=deployment, widget=coupon, actor=reviewer, signal_type="improved"
    )
    services.tell_authors(deployment.pk)
    assert ReporterVerdict.objects.filter(annotation=annotation, user=None).exists()

    load()  # the next visit asks IHF for news of its reports
    assert wait_for(lambda: ReporterVerdict.objects.filter(reporter_shown_at__isnull=False).exists())
    time.sleep(0.3)
    coupon_button = browser.find_element(By.ID, "coupon")
    coupon_button.send_keys("")  # focus it: Alt+Shift+A annotates the focused widget
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("a").key_up(Keys.SHIFT).key_up(
        Keys.ALT
    ).perform()
    form = WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "ihf-annotate")))
    news = form.find_element(By.CSS_SELECTOR, "[data-ihf-news]").text
    assert (
        "Your report led to a change." in news and "shop 4.2" in news and "improved" in news and "4/5" in news
    )
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    ActionChains(browser).key_down(Keys.ALT).click(browser.find_element(By.ID, "coupon")).key_up(
        Keys.ALT
    ).perform()
    form = WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "ihf-annotate")))
    assert not form.find_elements(By.CSS_SELECTOR, "[data-ihf-news]")  # once
