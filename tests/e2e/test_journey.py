"""A new reader's whole first visit in a real browser, on a laptop and on a phone:
sign up, verify the address from the mail, pick topics, read, dislike, save, change
the digest hour, log out and back in."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from feed.models import Feedback, Follow, ReadMark, Topic, TopicVerdict
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long Passphrase 42"


def first_card(page: Page):
    return page.locator("[data-cards] .card[data-article]").first


def card_ids(page: Page) -> list[str]:
    return page.locator("[data-cards] .card[data-article]").evaluate_all(
        "cards => cards.map(card => card.dataset.article)"
    )


@pytest.mark.parametrize(
    ("device", "email"),
    [(DESKTOP, "laptop@example.com"), (PHONE, "phone@example.com")],
    ids=["desktop", "phone"],
)
def test_a_new_reader_goes_from_sign_up_to_a_trusted_feed(
    browser, demo_site, smtp_server, device, email
):
    # The laptop in the light theme, the phone in the dark one.
    scheme = "light" if device is DESKTOP else "dark"
    page, errors = new_page(browser, demo_site, device, color_scheme=scheme)
    name = "desktop" if device is DESKTOP else "phone"

    # Sign up.
    page.goto("/accounts/signup/")
    page.get_by_label(re.compile("^Email")).fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/onboarding/$"))
    expect(page.get_by_text("We sent a link to")).to_be_visible()

    # Verify the address with the link from the mail that really went out by SMTP.
    message = next(m for m in smtp_server.messages if email in m["To"])
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    assert EmailAddress.objects.get(email=email).verified

    # Pick topics: three are suggested; the time zone comes from the browser.
    expect(page).to_have_url(re.compile(r"/onboarding/$"))
    for topic in ("AI", "Chips", "Trade policy"):
        expect(page.get_by_role("checkbox", name=re.compile(topic))).to_be_checked()
    page.get_by_role("checkbox", name=re.compile("^Space")).check()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    page.get_by_role("button", name="Show my feed").click()

    # A populated feed, one card per story.
    expect(page).to_have_url(demo_site.url + "/")
    expect(first_card(page)).to_be_visible()
    assert len(card_ids(page)) >= 10
    expect(page.get_by_text("+1 source").first).to_be_visible()
    screenshot(page, f"feed-{name}.png")
    # The other outlet of a story is one click away.
    other = page.locator(".card .others").first
    other.get_by_text("+1 source").click()
    expect(other.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^https://(harbour|margin|circuit)\.example\.net/")
    )

    # The outlet's name opens the stories of that outlet alone.
    outlet = first_card(page).locator(".meta .source")
    outlet_name = outlet.inner_text()
    outlet.click()
    expect(
        page.get_by_role("heading", name=f"Stories from {outlet_name}")
    ).to_be_visible()
    outlets = page.locator(".card .meta .source").all_inner_texts()
    assert len(outlets) >= 2 and set(outlets) == {outlet_name}
    page.go_back()

    # "Not about Chips" takes the chip off that card at once, and for good.
    about_chips = page.locator(".card").filter(
        has=page.locator(".chips .chip", has_text=re.compile("^Chips$"))
    )
    corrected = about_chips.first.get_attribute("data-article")
    card = page.locator(f"#article-{corrected}")  # it will not match the filter
    card.locator(".verdicts summary").click()
    card.get_by_role("button", name=re.compile("^Not about Chips")).click()
    expect(card.get_by_role("status")).to_have_text("Noted: not about Chips.")
    chips_of_card = card.locator(".chips .chip", has_text=re.compile("^Chips$"))
    expect(chips_of_card).to_have_count(0)
    # The button now says the opposite, and the server remembers.
    expect(card.get_by_role("button", name=re.compile("^About Chips"))).to_be_visible()
    assert TopicVerdict.objects.filter(article_id=corrected, on_topic=False).exists()
    page.reload()
    corrected_card = page.locator(f"#article-{corrected}")
    expect(corrected_card).to_be_visible()
    expect(
        corrected_card.locator(".chips .chip", has_text=re.compile("^Chips$"))
    ).to_have_count(0)

    # Less like this: the card goes at once, and stays gone after a reload.
    disliked = first_card(page).get_attribute("data-article")
    first_card(page).get_by_role("button", name=re.compile("^Less like this")).click()
    gone = page.locator("[data-cards] .card.gone")
    expect(gone).to_contain_text("You will see less like this.")
    page.reload()
    expect(first_card(page)).to_be_visible()
    assert disliked not in card_ids(page)

    # Save one, by button on the phone and by keyboard on the laptop...
    card = first_card(page)
    saved = card.get_attribute("data-article")
    save = card.get_by_role("button", name=re.compile("^Save"))
    if device is DESKTOP:
        page.keyboard.press("j")
        expect(card).to_have_class(re.compile("is-current"))
        page.keyboard.press("s")
        page.keyboard.press("?")
        expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        page.keyboard.press("Escape")
    else:
        save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    assert Feedback.objects.filter(article_id=saved, signal="save").exists()
    # ...and find it under Saved.
    page.get_by_role("link", name="Saved").click()
    expect(page.get_by_role("heading", name="Saved stories")).to_be_visible()
    assert card_ids(page) == [saved]

    # Change the digest hour.
    page.goto("/settings/")
    page.get_by_label("Send at").select_option("18:00")
    page.get_by_role("button", name="Save digest settings").click()
    expect(page.get_by_text("Your digest settings are saved.")).to_be_visible()
    expect(page.get_by_label("Send at")).to_have_value("18")

    # Log out, and back in with the e-mail address.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.get_by_label(re.compile("^Login")).fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(demo_site.url + "/")
    expect(first_card(page)).to_be_visible()
    assert disliked not in card_ids(page)

    assert errors == [], errors
    page.context.close()


def log_in(browser, demo_site, username: str, device=PHONE, **fields):
    """A reader following AI, Chips and Trade policy, on their feed."""
    reader = factories.make_user(username, **fields)
    for slug in ("ai", "chips", "trade"):
        Follow.objects.create(user=reader, topic=Topic.objects.get(slug=slug))
    page, errors = new_page(browser, demo_site, device)
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("^Login")).fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(first_card(page)).to_be_visible()
    return reader, page, errors


def test_scrolling_loads_older_stories_and_marks_passed_ones_read(browser, demo_site):
    reader, page, errors = log_in(
        browser, demo_site, "scroller", mark_read_on_scroll=True
    )
    assert len(card_ids(page)) == 20
    # Reaching the "Older stories" link appends the next page in place.
    with page.expect_response(re.compile(r"/articles/read/$"), timeout=15_000) as sent:
        page.get_by_role("link", name="Older stories").scroll_into_view_if_needed()
        expect(page.locator("[data-cards] .card")).to_have_count(40, timeout=10_000)
        page.mouse.wheel(0, 400)
    assert sent.value.status == 204
    assert page.url == demo_site.url + "/"
    read = set(
        ReadMark.objects.filter(user=reader).values_list("article_id", flat=True)
    )
    assert read
    page.reload()
    expect(first_card(page)).to_be_visible()
    assert not read & {int(i) for i in card_ids(page)}
    assert errors == [], errors
    page.context.close()


def test_undoing_less_like_this_gives_back_the_like(browser, demo_site):
    reader, page, errors = log_in(browser, demo_site, "undoer", DESKTOP)
    card = first_card(page)
    article = card.get_attribute("data-article")
    like = card.get_by_role("button", name=re.compile("^Like"))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name=re.compile("^Less like this")).click()
    gone = page.locator("[data-cards] .card.gone")
    expect(gone).to_contain_text("You will see less like this.")
    gone.get_by_role("button", name="Undo").click()
    # The card comes back liked, on the page and on the server...
    expect(page.locator(f"#article-{article}")).to_be_visible()
    expect(like).to_have_attribute("aria-pressed", "true")
    signals = Feedback.objects.filter(user=reader).values_list("signal", flat=True)
    assert list(signals) == ["like"]
    # ...so that pressing Like again unlikes it.
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    assert not Feedback.objects.filter(user=reader).exists()
    page.reload()
    expect(
        page.locator(f"#article-{article}").get_by_role(
            "button", name=re.compile("^Like")
        )
    ).to_have_attribute("aria-pressed", "false")
    assert errors == [], errors
    page.context.close()
