"""WCAG 2.1 AA on every main page (axe-core, light and dark, laptop and phone), and
the feed used with the keyboard alone."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from feed.models import Feedback, Follow, Topic
from feed.services import preferences
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}
PUBLIC_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
READER_PAGES = [
    "/",
    "/?topic=chips",
    "/recent/",
    "/saved/",
    "/search/?q=chip",
    "/search/?q=nothing-matches-this",
    "/topics/",
    "/sources/",
    "/onboarding/",
    "/settings/",
    "/settings/delete/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
]


@pytest.fixture
def reader(demo_site):
    reader = factories.make_user("reader")
    EmailAddress.objects.create(
        user=reader, email=reader.email, primary=True, verified=True
    )
    for slug in ("ai", "chips", "trade"):
        Follow.objects.create(user=reader, topic=Topic.objects.get(slug=slug))
    preferences.add_mute(reader, "celebrity")
    preferences.create_own_topic(reader, name="Launches", words="rocket, orbit")
    return reader


def wait_for(condition, *, seconds: float = 5.0) -> None:
    """Wait until `condition()` holds (a request the page sent in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("^Login")).fill(username)
    page.get_by_label(re.compile(r"^Password:?$")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def violations(page: Page, axe: Axe, path: str) -> list[str]:
    page.goto(path)
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{path}: {v['id']} ({v['impact']}): "
        + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


# Every page on a laptop in the light theme; the pages with the most colour and
# layout in the dark theme and on a phone.
KEY_PAGES = ["/", "/saved/", "/topics/", "/onboarding/", "/settings/"]


@pytest.mark.parametrize(
    ("device", "scheme", "pages"),
    [
        (DESKTOP, "light", None),
        (DESKTOP, "dark", KEY_PAGES),
        (PHONE, "dark", KEY_PAGES),
    ],
    ids=["desktop-light-all-pages", "desktop-dark", "phone-dark"],
)
def test_main_pages_have_no_accessibility_violations(
    browser, demo_site, reader, device, scheme, pages
):
    saved = Feedback.objects.create(
        user=reader,
        article=factories.make_articles(
            factories.make_source(), [factories.entry("A saved chip story")]
        )[0],
        signal="save",
    )
    assert saved.pk
    axe = Axe()
    page, errors = new_page(browser, demo_site, device, color_scheme=scheme)
    found = []
    for path in PUBLIC_PAGES if pages is None else PUBLIC_PAGES[:1]:
        found += violations(page, axe, path)
    log_in(page, reader.username)
    own = Topic.objects.get(owner=reader)
    for path in pages or [*READER_PAGES, f"/topics/{own.slug}/edit/"]:
        found += violations(page, axe, path)
    # The keyboard help, open.
    page.goto("/")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    found += [
        f"dialog: {v['id']}"
        for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
    ]
    assert found == [], "\n".join(found)
    assert errors == [], errors
    page.context.close()


def test_the_feed_works_with_the_keyboard_alone(browser, demo_site, reader):
    page, errors = new_page(browser, demo_site, DESKTOP)
    log_in(page, reader.username)
    page.goto("/")
    # The first Tab reaches the skip link, visibly.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => getComputedStyle(e).left") != "-999px"
    # Tab on to the first story's Like button; every stop shows a focus ring.
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline != "none", focused.evaluate("e => e.outerHTML.slice(0, 120)")
        if focused.evaluate("e => e.dataset.signal === 'like'"):
            break
    else:
        pytest.fail("Tab never reached a Like button")
    page.keyboard.press("Enter")
    like = page.locator("[data-signal=like]").first
    expect(like).to_have_attribute("aria-pressed", "true")
    assert Feedback.objects.filter(user=reader, signal="like").count() == 1

    # The focus is in the first story, so j selects the second; o opens it in a
    # new tab and records "open".
    page.keyboard.press("j")
    card = page.locator("[data-cards] .card[data-article]").nth(1)
    expect(card).to_be_focused()
    opened = card.get_attribute("data-article")
    with page.context.expect_page() as new_tab:
        page.keyboard.press("o")
    # The story opened in a new tab that cannot reach back into Tidings.
    assert new_tab.value.evaluate("window.opener") is None
    new_tab.value.close()
    wait_for(lambda: Feedback.objects.filter(article_id=opened, signal="open").exists())

    # d hides it with "less like this", and the Undo button brings it back.
    page.bring_to_front()
    card.focus()
    page.keyboard.press("d")
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    assert Feedback.objects.filter(article_id=opened, signal="dislike").exists()
    undo.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#article-{opened}")).to_be_visible()
    wait_for(
        lambda: (
            not Feedback.objects.filter(article_id=opened, signal="dislike").exists()
        )
    )
    assert errors == [], errors
    page.context.close()
