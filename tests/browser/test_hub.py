"""The hub in a real browser: videos from this site with captions, no third-party requests
before a YouTube video is clicked, htmx filters,
accessibility (axe-core), keyboard use and a 320 px wide screen."""

import re
import shutil

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import (
    LiveServer,
    _new_page,
    accessibility_problems,
    horizontal_overflow,
)
from tests.conftest import PROJECT_ROOT, build_app

PAGES = [
    "/",
    "/artikelen/",
    "/artikelen/respijtzorg",
    "/videos/",
    "/videos/wat-is-respijtzorg",
    "/onderwerpen/",
    "/onderwerpen/zorg",
    "/tags/wmo",
    "/hulplijn",
    "/contact",
    "/herroepingsrecht",
    "/inloggen",
    "/registreren",
    "/wachtwoord-vergeten",
    "/bestaat-niet",
    "/cookies",
    "/cookies/instellingen",
]


def third_party(requests, base):
    return [url for url in requests if not url.startswith(base) and not url.startswith("data:")]


def test_a_video_made_here_plays_from_this_site_with_captions(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/videos/wat-is-respijtzorg")
    expect(page.get_by_role("heading", name="Tekst van de video")).to_be_visible()
    video = page.locator("video.zg-player__video")
    expect(video).to_be_visible()
    page.wait_for_load_state("networkidle")
    # preload="none": nothing of the video is fetched before the visitor asks for it.
    assert not any(".mp4" in url for url in page.requests)
    video.evaluate("v => { v.preload = 'metadata'; v.load(); }")
    page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
    duration = video.evaluate("v => v.duration")
    assert 60 < duration < 600
    track = video.evaluate(
        "v => ({mode: v.textTracks[0].mode, lang: v.textTracks[0].language, "
        "kind: v.textTracks[0].kind})"
    )
    assert track == {"mode": "showing", "lang": "nl", "kind": "captions"}
    page.wait_for_function("v => v.textTracks[0].cues && v.textTracks[0].cues.length > 0",
                           arg=video.element_handle())  # fmt: skip
    last_cue = video.evaluate(
        "v => { const c = v.textTracks[0].cues; return c[c.length-1].endTime; }"
    )
    assert abs(last_cue - duration) < 1.5
    assert third_party(page.requests, site_server.url) == []
    assert page.locator("iframe").count() == 0


def test_a_video_page_works_at_320_pixels_without_javascript(browser, site_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/videos/wat-is-respijtzorg")
    video = page.locator("video.zg-player__video")
    expect(video).to_be_visible()
    box = video.bounding_box()
    assert (
        box is not None and box["width"] <= 320 and abs(box["width"] / box["height"] - 16 / 9) < 0.1
    )
    expect(page.get_by_role("link", name=re.compile("^Download de video"))).to_be_visible()
    expect(page.get_by_role("heading", name="Tekst van de video")).to_be_visible()
    expect(page.get_by_text("Ingesproken met een computerstem")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    context.close()


@pytest.fixture
def youtube_server(tmp_path, database_url):
    """The site with the starter content and one video on YouTube, as an editor may add."""
    folder = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", folder)
    video = {
        "provider": "youtube",
        "id": "abcdefghijk",
        "duration": "3:10",
        "transcript": "Dit is wat er in de video gezegd wordt. " * 5,
    }
    front = {
        "title": "Een video van YouTube",
        "summary": "Een video die op YouTube staat.",
        "topics": ["zorg"],
        "published": "2026-01-10",
        "video": video,
    }
    (folder / "videos" / "van-youtube.md").write_text(
        "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\nTekst.\n", encoding="utf-8"
    )
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(folder))
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield server
    app.extensions["db_engine"].dispose()


def test_a_youtube_video_requests_nothing_from_youtube_before_the_click(browser, youtube_server):
    context, page = _new_page(browser, viewport={"width": 1024, "height": 800})
    page.goto(youtube_server.url + "/videos/van-youtube")
    expect(page.get_by_role("heading", name="Tekst van de video")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert third_party(page.requests, youtube_server.url) == []
    assert page.locator("iframe").count() == 0
    page.get_by_role("button", name=re.compile("Video afspelen")).click()
    frame = page.locator("iframe.zg-player__frame")
    expect(frame).to_have_attribute(
        "src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/abcdefghijk")
    )
    page.wait_for_timeout(500)
    assert all(
        "youtube-nocookie.com" in url for url in third_party(page.requests, youtube_server.url)
    )
    context.close()


def test_topic_filter_swaps_the_list_and_updates_the_address(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/artikelen/")
    heading = page.locator("#lijst-kop")
    expect(heading).to_contain_text("Alle")
    page.locator(".zg-chips").first.get_by_role("link", name="Wonen").click()
    expect(heading).to_contain_text("over wonen")
    expect(page).to_have_url(re.compile(r"onderwerp=wonen"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/artikelen/$"))


def test_topic_then_tag_keeps_both_filters(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/artikelen/")
    heading = page.locator("#lijst-kop")
    topics = page.locator("#onderwerp-filters")
    tags = page.locator("#tag-filters")
    topics.get_by_role("link", name="Wonen").click()
    expect(heading).to_contain_text("over wonen")
    expect(topics.get_by_role("link", name="Wonen")).to_have_attribute("aria-current", "true")
    expect(topics.get_by_role("link", name="Alle onderwerpen")).not_to_have_attribute(
        "aria-current", "true"
    )
    page.get_by_text("Filter op tag").click()
    tags.get_by_role("link", name=re.compile(r"^Wmo \(")).click()
    expect(heading).to_contain_text("over wonen met tag ‘Wmo’")
    expect(page).to_have_url(re.compile(r"[?&]onderwerp=wonen(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]tag=wmo(&|$)"))
    expect(topics.get_by_role("link", name="Wonen")).to_have_attribute("aria-current", "true")
    expect(tags.get_by_role("link", name=re.compile(r"^Wmo \("))).to_have_attribute(
        "aria-current", "true"
    )
    # Every article in the list is one the server lists for both filters.
    shown = page.locator("#artikelen-lijst .zg-card__title a").all_inner_texts()
    assert shown
    page.goto(site_server.url + "/artikelen/?onderwerp=wonen&tag=wmo")
    assert page.locator("#artikelen-lijst .zg-card__title a").all_inner_texts() == shown


def test_filters_work_without_javascript(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/artikelen/")
    page.locator(".zg-chips").first.get_by_role("link", name="Werk en studie").click()
    expect(page.locator("#lijst-kop")).to_contain_text("over werk en studie")
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(site_page, site_server, path):
    site_page.goto(site_server.url + path)
    assert accessibility_problems(site_page) == []


@pytest.mark.parametrize("path", PAGES)
def test_usable_at_320_pixels(browser, site_server, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_server.url + path)
    assert horizontal_overflow(page) <= 0
    assert accessibility_problems(page) == []  # what scrolls or wraps only here is checked too
    context.close()


@pytest.mark.parametrize("slug", ["respijtzorg", "eigen-bijdrage-cak"])
def test_an_article_table_scrolls_within_320_pixels_and_is_reachable_by_keyboard(
    browser, site_server, slug
):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_server.url + "/artikelen/" + slug)
    boxes = page.locator(".zg-prose .zg-table-wrap")
    wide = boxes.evaluate_all("bs => bs.map(b => b.scrollWidth > b.clientWidth)")
    assert True in wide  # at least one table scrolls sideways here
    box = boxes.nth(wide.index(True))
    expect(box).to_have_accessible_name("Tabel")
    assert horizontal_overflow(page) <= 0
    assert accessibility_problems(page) == []
    box.focus()
    page.keyboard.press("ArrowRight")
    expect(box).to_be_focused()
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    context.close()


def test_keyboard_reaches_the_skip_link_first_with_visible_focus(site_page, site_server):
    page = site_page
    page.goto(site_server.url + "/artikelen/respijtzorg")
    page.get_by_role("button", name="Alles weigeren").click()
    expect(page.locator("#cookiebanner")).to_have_count(0)
    page.goto(site_server.url + "/artikelen/respijtzorg")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Naar de inhoud"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#inhoud"
