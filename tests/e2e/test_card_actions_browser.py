"""A story card's actions in a real browser, with JavaScript and without: after the
session ended, by keyboard and button, and where the reader lands afterwards."""

import re

import pytest
from playwright.sync_api import Page, expect

from feed.models import Article, Feedback, Follow, Topic
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NARROW = {**PHONE, "viewport": {"width": 375, "height": 780}}


def cards(page: Page):
    return page.locator("[data-cards] .card[data-article]")


def fill_login(page: Page, username: str) -> None:
    page.get_by_label(re.compile("^Login")).fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def logged_in_page(browser, demo_site, username: str, device=DESKTOP, **options):
    """A reader following AI, Chips and Trade policy, on their feed."""
    reader = factories.make_user(username)
    for slug in ("ai", "chips", "trade"):
        Follow.objects.create(user=reader, topic=Topic.objects.get(slug=slug))
    page, errors = new_page(browser, demo_site, device, **options)
    page.goto("/accounts/login/")
    fill_login(page, username)
    expect(cards(page).first).to_be_visible()
    return reader, page, errors


def log_out_in_another_tab(page: Page) -> None:
    other = page.context.new_page()
    other.goto("/settings/")
    other.get_by_role("button", name="Log out").click()
    expect(other).to_have_url(re.compile(r"/accounts/login/"))
    other.close()


def test_a_card_action_after_the_session_ended_leads_to_the_login_page(
    browser, demo_site
):
    reader, page, errors = logged_in_page(browser, demo_site, "stale")
    article = Article.objects.get(pk=cards(page).first.get_attribute("data-article"))
    Feedback.objects.create(user=reader, article=article, signal="save")
    page.reload()
    save = cards(page).first.get_by_role("button", name=re.compile("^Save"))
    expect(save).to_have_attribute("aria-pressed", "true")
    log_out_in_another_tab(page)
    save.click()
    # Not a silent "unsaved": the form is sent as without JavaScript, to log in.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert Feedback.objects.filter(user=reader, signal="save").exists()
    # Logging in again leads back to the card, still saved.
    fill_login(page, "stale")
    expect(page).to_have_url(re.compile(rf"/#article-{article.pk}$"))
    expect(
        page.locator(f"#article-{article.pk}").get_by_role(
            "button", name=re.compile("^Save")
        )
    ).to_have_attribute("aria-pressed", "true")
    page.context.close()


def test_no_js_action_after_the_session_ended_leads_back_to_the_feed(
    browser, demo_site
):
    reader, page, errors = logged_in_page(
        browser, demo_site, "stale2", java_script_enabled=False
    )
    log_out_in_another_tab(page)
    cards(page).first.get_by_role("button", name=re.compile("^Like")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    fill_login(page, "stale2")
    expect(page).to_have_url(re.compile(r"/#article-\d+$"))
    expect(cards(page).first).to_be_visible()
    page.context.close()


def test_shortcuts_act_on_the_card_that_has_focus(browser, demo_site):
    reader, page, errors = logged_in_page(browser, demo_site, "keys")
    page.keyboard.press("j")
    expect(cards(page).first).to_have_class(re.compile("is-current"))
    third = cards(page).nth(2)
    third.get_by_role("button", name=re.compile("^Like")).focus()
    page.keyboard.press("s")
    expect(third.get_by_role("button", name=re.compile("^Save"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(
        cards(page).first.get_by_role("button", name=re.compile("^Save"))
    ).to_have_attribute("aria-pressed", "false")
    assert errors == [], errors
    page.context.close()


def test_hiding_by_button_keeps_focus_on_an_undo_that_stays_while_focused(
    browser, demo_site
):
    reader, page, errors = logged_in_page(browser, demo_site, "focus")
    page.clock.install()
    page.reload()
    cards(page).nth(3).get_by_role("button", name=re.compile("^Hide")).focus()
    page.keyboard.press("Enter")
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    page.clock.run_for(16_000)
    expect(undo).to_be_visible()
    # Once focus leaves it, the note goes at the next turn of the timer.
    page.keyboard.press("Shift+Tab")
    page.clock.run_for(16_000)
    expect(undo).to_have_count(0)
    assert errors == [], errors
    page.context.close()


def test_no_js_hide_can_be_undone(browser, demo_site):
    reader, page, errors = logged_in_page(
        browser, demo_site, "nojs", java_script_enabled=False
    )
    article = cards(page).first.get_attribute("data-article")
    cards(page).first.get_by_role("button", name=re.compile("^Hide")).click()
    expect(page.get_by_text("is gone from your feed")).to_be_visible()
    expect(page.locator(f"#article-{article}")).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Undo")).click()
    expect(page.locator(f"#article-{article}")).to_be_visible()
    expect(page.get_by_text("is gone from your feed")).to_have_count(0)
    assert not Feedback.objects.filter(user=reader, signal="hide").exists()
    page.context.close()


def test_no_js_action_keeps_the_reader_at_the_card(browser, demo_site):
    reader, page, errors = logged_in_page(
        browser, demo_site, "nojspos", java_script_enabled=False
    )
    article = cards(page).nth(12).get_attribute("data-article")
    cards(page).nth(12).get_by_role("button", name=re.compile("^Like")).click()
    card = page.locator(f"#article-{article}")
    expect(card.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(card).to_be_in_viewport()
    page.context.close()


def test_code_in_a_summary_fits_a_phone(browser, demo_site):
    source = factories.make_source(title="Dev Log")
    (article,) = factories.make_articles(source, [factories.entry("Toolchain 2.0")])
    Article.objects.filter(pk=article.pk).update(
        summary="<p>Install with:</p><pre><code>curl -fsSL "
        "https://example.com/install.sh | sh -s -- --prefix=/usr/local</code></pre>"
    )
    reader, page, errors = logged_in_page(browser, demo_site, "narrow", NARROW)
    page.goto(f"/recent/?source={source.pk}")
    expect(cards(page).first.locator(".summary pre")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.context.close()
