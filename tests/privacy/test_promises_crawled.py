"""Promises proven by crawling the whole site as every role.

A site with something in it for everyone (`tests/populated.py`: a caregiver with answers,
health consent, a paid order, a basket and a download; a privacy request in the staff queue) is
crawled as a visitor, a caregiver, staff, an editor and an administrator: every page reachable by
following links and GET forms (as an account, every view once), with every form and every
resource each page loads.

- P08: the statement allows health-insurance policy data "only when needed"; the software has no
  use for it, so the honest promise is that no form anywhere asks for it.
- P29: no page makes the browser fetch anything from another host (except a YouTube player,
  after the visitor clicks "Video afspelen", as the statement says; the starter videos are made
  here and play from this site), and the Content Security Policy of every page allows only our
  own origin for scripts, styles, images, fonts, media and connections.
"""

from __future__ import annotations

import re

import pytest

from tests.crawl import Crawl, Form, local

INSURANCE = re.compile(
    r"verzeker|polis|insur|uzovi|relatienummer|zorgpas|basispakket|aanvullend", re.IGNORECASE
)
YOUTUBE = "https://www.youtube-nocookie.com"
ONLY_SELF = (
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "media-src",
    "connect-src",
)


@pytest.fixture
def crawled(site_crawl) -> dict[str, Crawl]:
    """Each role's crawl."""
    return site_crawl.crawls


def asks_for_insurance(form: Form) -> bool:
    return bool(INSURANCE.search(form.wording))


def test_the_crawl_reaches_every_roles_own_pages_and_forms(crawled):
    paths = {role: set(c.pages) for role, c in crawled.items()}
    assert {"/account", "/privacy/inzage", "/profiel", "/winkel/afrekenen"} <= paths["caregiver"]
    assert any(p.startswith("/winkel/bestelling/") for p in paths["caregiver"])
    assert {"/staff/privacy", "/staff/bestellingen"} <= paths["staff"]
    assert any(re.fullmatch(r"/staff/privacy/\d+", p) for p in paths["staff"])
    assert "/redactie" in paths["editor"] and "/redactie" in paths["admin"]
    assert any(re.fullmatch(r"/videos/[^/?]+", p) for p in paths["anonymous"])
    assert len(paths["anonymous"]) > 100  # every article, video, topic and tag
    actions = {f.action.split("?")[0] for f in crawled["caregiver"].forms}
    assert {"/winkel/afrekenen", "/profiel/vragenlijst/5", "/account"} <= actions
    assert any(a.startswith("/privacy/bestelling/") for a in actions)
    health = [f for f in crawled["caregiver"].forms if f.action == "/profiel/vragenlijst/5"]
    assert any(field.name == "aandoening" for f in health for field in f.fields)


def test_p08_no_form_anywhere_asks_for_health_insurance_data(crawled):
    asking = [
        (role, form.page, form.action, found.group(0))
        for role, result in crawled.items()
        for form in result.forms
        if (found := INSURANCE.search(form.wording))
    ]
    assert asking == []
    forms = sum(len(c.forms) for c in crawled.values())
    assert forms > 100  # the check looked at real forms, not at nothing


def test_p08_the_check_would_notice_an_insurance_question():
    form = Form(page="/x", action="/x", method="post", text=["Bij welke zorgverzekeraar?"])
    assert asks_for_insurance(form)
    assert not asks_for_insurance(Form(page="/x", action="/x", method="post", text=["Naam"]))


def policy(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def test_p29_no_page_loads_anything_from_another_host(crawled, site_crawl):
    foreign = []
    for role, result in crawled.items():
        for page in result.pages.values():
            for resource in page.resources:
                if resource.tag == "meta":
                    foreign.append((role, page.url, "meta refresh", resource.url))
                elif local(page.url, resource.url) is None:
                    played = "afspelen=1" in page.url and resource.tag == "iframe"
                    if not (played and resource.url.startswith(YOUTUBE + "/embed/")):
                        foreign.append((role, page.url, resource.tag, resource.url))
            for style in page.inline_styles:
                foreign += [
                    (role, page.url, "style", u) for u in css_urls(style) if not local(page.url, u)
                ]
    for sheet, text in site_crawl.stylesheets.items():
        foreign += [("css", sheet, "url", u) for u in css_urls(text) if not local(sheet, u)]
    assert foreign == []
    assert site_crawl.stylesheets, "the stylesheets were read too"


def css_urls(text: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", text)
    return [u for u in found if not u.startswith("#")]


def test_p29_every_page_allows_only_our_own_origin(crawled):
    wrong = []
    for role, result in crawled.items():
        for page in result.pages.values():
            csp = policy(page.headers.get("Content-Security-Policy", ""))
            for directive in ONLY_SELF:
                if csp.get(directive, csp.get("default-src")) != "'self'":
                    wrong.append((role, page.url, directive, csp.get(directive)))
            frames = csp.get("frame-src")
            allowed = YOUTUBE if "afspelen=1" in page.url else "'none'"
            if frames != allowed:
                wrong.append((role, page.url, "frame-src", frames))
    assert wrong == []


def test_p29_videos_play_from_this_site_and_a_youtube_player_only_after_the_click(crawled):
    pages = crawled["anonymous"].pages
    videos = [url for url in pages if re.fullmatch(r"/videos/[^/?]+", url)]
    assert videos
    for url in videos:
        resources = pages[url].resources
        assert not any(r.tag == "iframe" for r in resources), url
        own = [r for r in resources if r.tag in ("video", "source", "track")]
        youtube = "zg-player__poster" in pages[url].html  # a poster and a button to play
        # A video made here: its poster, file and captions come from this site.
        assert youtube or {r.tag for r in own} == {"video", "source", "track"}, url
        assert all(local(url, r.url) for r in own), url
    played = [p for url, p in pages.items() if "afspelen=1" in url]
    assert all(any(r.tag == "iframe" for r in p.resources) for p in played)
