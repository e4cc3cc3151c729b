"""Browser tests: Debian's chromium driven by Playwright against the live server.

Chromium must be installed (/usr/bin/chromium, or CHROMIUM_PATH): without it these
tests fail, they never skip (`.ci/run` installs it)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests import factories
from tests.e2e import demo

# Playwright's synchronous API keeps an event loop in the main thread; the test
# code touching the database between browser calls is synchronous all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    if not path and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if not path:
        pytest.fail(
            "Chromium is not installed: the browser tests need Debian's chromium "
            "(apt-get install chromium; .ci/run installs it) or CHROMIUM_PATH.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_site(live_server, smtp_server):
    """The live server with the topic catalogue, the demo stories and real SMTP."""
    factories.core_topics()
    demo.load_demo_stories()
    return live_server


def new_page(browser: Browser, site, device: dict, **options) -> tuple[Page, list[str]]:
    """A page in a fresh context, and the list its JavaScript errors are added to."""
    context: BrowserContext = browser.new_context(
        base_url=site.url, timezone_id="Europe/Berlin", **device, **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    return page, errors


def screenshot(page: Page, name: str) -> None:
    """Write a README screenshot when TIDINGS_SCREENSHOTS=1 (docs/screenshots/)."""
    if os.environ.get("TIDINGS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))
