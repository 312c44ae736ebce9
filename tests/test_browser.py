"""The archive in a real browser: readers with a mouse and with the keyboard alone, an editor
in the admin, accessibility checks with axe-core on every page type, and screenshots.

Headless Chromium from the system (Debian's `chromium` package) is driven by Playwright
against pytest-django's live server, on whichever database the run uses. Without Chromium
the tests skip, except in CI (the CI variable set), where they fail: CI must not pass
without having run them. Screenshots go to SCREENSHOT_DIR (artifacts/screenshots).
"""

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections

from archive.ingest.tagging import suggest_tags
from archive.models import Actor, Article, Source, TagSuggestion
from tests.conftest import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "data" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def playwright_driver(monkeypatch):
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    # Playwright's synchronous API runs an event loop in this thread; the tests still
    # use the ORM from it, one call at a time, which Django otherwise refuses. Per test,
    # so that neither the loop nor the permission outlives it (subprocesses inherit it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        yield driver
        # While the loop runs, Django gives this thread's ORM calls a connection of their
        # own (one per context, as in async code), which the end of the run does not
        # close: PostgreSQL then refused to drop the test database, still in use.
        connections.close_all()


@pytest.fixture
def open_browser(playwright_driver, tmp_path_factory):
    """open_browser(**context options) -> a fresh Chromium with its own profile."""
    contexts = []

    def _open(**options):
        options.setdefault("viewport", DESKTOP)
        context = playwright_driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_browser):
    context = open_browser()
    return context.pages[0] if context.pages else context.new_page()


def _screenshot_dir():
    directory = Path(os.environ.get("SCREENSHOT_DIR", "artifacts/screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _fetch_feed(page, href):
    """The feed link's response, fetched as the page would (a browser downloads Atom)."""
    response = page.request.get(_absolute(page, href))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "<feed" in response.text()
    return response


def _absolute(page, href):
    return page.evaluate("href => new URL(href, document.baseURI).href", href)


# --- A reader with a mouse ----------------------------------------------------------------


def test_reader_searches_refines_reads_and_follows_a_territory_feed(live_server, page, seed_archive):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").first.fill("Russia")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/articles/?*q=Russia*")
    assert page.get_by_role("heading", name="Search results").is_visible()

    facet = page.locator("section.facet").filter(has=page.get_by_role("heading", name="Sources"))
    facet.get_by_role("link").first.click()
    page.wait_for_url("**source=*")
    assert page.locator(".active-filters").get_by_text("Source:").is_visible()

    page.locator("h3.card__title a").first.click()
    page.wait_for_url("**/articles/*/**")
    assert page.locator("article h1").is_visible()

    page.locator("a.tag--territory").first.click()
    page.wait_for_url("**/territories/*/")
    href = page.get_by_role("link", name="Atom feed").get_attribute("href")
    assert "format=atom" in href
    _fetch_feed(page, href)


# --- A reader with the keyboard alone ---------------------------------------------------------


def _tab_to(page, selector, limit=150):
    """Press Tab until the focused element matches `selector`; it must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            style = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            assert style[0] != "none" and style[1] >= 2, f"{selector} has no visible focus: {style}"
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_keyboard_reader_does_the_same_with_tab_and_enter(live_server, page, seed_archive):
    page.goto(live_server.url + "/")
    _tab_to(page, "a.skip-link")
    assert page.locator("a.skip-link").bounding_box()["x"] >= 0  # shown when focused
    _tab_to(page, "main input[type=search]")
    page.keyboard.type("Russia")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/?*q=Russia*")

    _tab_to(page, "section.facet a:not(.facet__exclude)")
    page.keyboard.press("Enter")
    page.wait_for_url("**source=*")

    _tab_to(page, "h3.card__title a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/*/**")

    _tab_to(page, "a.tag--territory")
    page.keyboard.press("Enter")
    page.wait_for_url("**/territories/*/")

    _tab_to(page, "a[href*='format=atom']")
    _fetch_feed(page, page.evaluate("() => document.activeElement.getAttribute('href')"))


# --- An editor in the admin -------------------------------------------------------------------


def test_editor_accepts_a_suggestion_adds_an_actor_publishes_and_finds_it(live_server, page, seed_archive):
    User.objects.create_superuser("editor", "editor@example.org", "a long editor password")
    draft = make_article(
        title="Lavrov and Kishida meet over the islands",
        slug="lavrov-kishida-meet",
        status=Article.Status.DRAFT,
        source=Source.objects.get(slug="the-japan-news"),
        published_on=datetime.date(2019, 2, 3),
        lead="MOSCOW — Japan and Russia talked again about the Northern Territories on Sunday.",
        body="Foreign Minister Sergey Lavrov received his Japanese counterpart.",
    )
    assert suggest_tags(draft) > 0
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long editor password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"{live_server.url}/admin/archive/article/{draft.pk}/change/")
    page.locator(".field-suggested_tags li").first.get_by_role("button", name="Accept", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".messagelist").get_by_text("Tagged with").is_visible()

    # Autocomplete (select2): type part of a name and pick the result.
    page.locator(".field-actors .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Abe")
    page.locator(".select2-results__option", has_text="Shinzo Abe").click()
    page.select_option("#id_status", "published")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/archive/article/")
    assert page.locator(".messagelist .success").is_visible()

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert Actor.objects.get(slug="shinzo-abe") in draft.actors.all()
    accepted = draft.suggestions.get(status=TagSuggestion.Status.ACCEPTED)
    assert accepted.target in [*draft.actors.all(), *draft.territories.all()]

    page.goto(live_server.url + "/articles/?q=Kishida+islands")
    page.get_by_role("link", name="Lavrov and Kishida meet over the islands").click()
    page.wait_for_url("**/articles/lavrov-kishida-meet/**")
    assert page.locator("a.tag", has_text="Shinzo Abe").is_visible()


# --- Accessibility and looks of every page type ---------------------------------------------


def _page_types(live_server):
    first_article = Article.objects.published().newest_first().first()
    return {
        "home": "/",
        "article-list": "/articles/",
        "search-with-facets": "/articles/?q=Russia&territory=northern-territories",
        "article": first_article.get_absolute_url(),
        "actor": "/actors/japan/",
        "territory": "/territories/northern-territories/",
        "source": "/sources/the-japan-news/",
        "actor-index": "/actors/",
        "territory-index": "/territories/",
        "source-index": "/sources/",
        "search-help": "/search/help/",
        "not-found": "/articles/no-such-article/",
        "admin-login": "/admin/login/",
    }


def _serious_violations(page):
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("look", "options"),
    [
        ("desktop", {"viewport": DESKTOP, "color_scheme": "light"}),
        ("phone", {"viewport": PHONE, "color_scheme": "light", "is_mobile": True, "has_touch": True}),
        ("desktop-dark", {"viewport": DESKTOP, "color_scheme": "dark"}),
    ],
)
def test_every_page_type_passes_axe_and_is_photographed(live_server, open_browser, seed_archive, look, options):
    # axe is injected through the DevTools protocol; bypass_csp lets it run under a
    # Content Security Policy that forbids inline scripts, as the site's does.
    context = open_browser(bypass_csp=True, **options)
    page = context.pages[0] if context.pages else context.new_page()
    screenshots = _screenshot_dir()
    failures = {}
    for name, path in _page_types(live_server).items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), path
        page.screenshot(path=str(screenshots / f"{name}-{look}.png"), full_page=True)
        violations = _serious_violations(page)
        if violations:
            failures[path] = violations
        # Nothing may be wider than a phone's screen.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            failures.setdefault(path, []).append(f"page scrolls sideways by {overflow}px")
    assert not failures, failures


def test_an_article_prints_without_the_site_around_it(live_server, page, seed_archive):
    article = Article.objects.published().newest_first().first()
    page.goto(live_server.url + article.get_absolute_url())
    page.emulate_media(media="print")
    page.screenshot(path=str(_screenshot_dir() / "article-print.png"), full_page=True)
    for selector in ("nav", ".header-search", ".side-column", ".site-footer"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("article h1").is_visible()
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


def test_pages_have_titles_and_open_graph_tags(live_server, page, seed_archive):
    for name, path in _page_types(live_server).items():
        if name in ("not-found", "admin-login"):
            continue
        page.goto(live_server.url + path)
        assert page.title().endswith("· Chancery"), path
        for prop in ("og:title", "og:description", "og:type", "og:url"):
            content = page.locator(f"meta[property='{prop}']").get_attribute("content")
            assert content and content.strip(), (path, prop)
        assert page.locator("meta[property='og:url']").get_attribute("content").startswith(live_server.url)
