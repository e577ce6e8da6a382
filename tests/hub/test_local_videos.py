"""Videos made here (issue 14, point 20): a first-party `<video>` with Dutch captions, a poster
and the transcript, files served with the right types and in ranges, captions that match the
sound, and a content check that notices missing or outdated files."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import webvtt
from markupsafe import escape

from app.config import PACKAGE_DIR
from app.content.files import split_front_matter
from app.hub.content import FrontMatter, LocalVideo, Slide
from app.hub.video_files import (
    DURATION_TOLERANCE,
    check_media,
    format_duration,
    format_timestamp,
    iso_duration,
    media_files,
    read_captions,
    seconds_of,
    slides_digest,
)
from tests.conftest import PROJECT_ROOT

STATIC = PACKAGE_DIR / "static"


def starter_videos() -> list[tuple[str, FrontMatter]]:
    found = []
    for path in sorted((PROJECT_ROOT / "content" / "videos").glob("*.md")):
        data, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
        found.append((path.stem, FrontMatter.model_validate(data)))
    return found


STARTERS = starter_videos()
LOCAL = [(slug, meta) for slug, meta in STARTERS if isinstance(meta.video, LocalVideo)]


def video_of(meta: FrontMatter) -> LocalVideo:
    assert isinstance(meta.video, LocalVideo)
    return meta.video


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def status(client, address: str) -> int:
    response = client.get(address)
    response.close()  # a file response holds its file open until closed
    return response.status_code


def test_every_starter_video_is_made_here():
    assert len(STARTERS) >= 6
    assert [slug for slug, _ in LOCAL] == [slug for slug, _ in STARTERS]


def test_the_starter_videos_stay_small():
    total = sum((STATIC / media_files(slug).mp4).stat().st_size for slug, _ in LOCAL)
    total += sum((STATIC / media_files(slug).poster).stat().st_size for slug, _ in LOCAL)
    assert total < 10_000_000


def test_no_narration_claims_to_be_a_person():
    for slug, meta in LOCAL:
        text = video_of(meta).transcript.lower()
        assert "ik ben" not in text, slug
        assert "mantelzorgmakelaar" not in meta.summary.lower(), slug


@pytest.mark.parametrize(("slug", "meta"), LOCAL, ids=[slug for slug, _ in LOCAL])
def test_the_page_plays_the_video_from_this_site(client, slug, meta):
    response = client.get(f"/videos/{slug}")
    html = response.get_data(as_text=True)
    found = elements(html)
    assert found.all("iframe") == []
    [video] = found.all("video")
    assert "controls" in video and video["preload"] == "none"
    assert (video["width"], video["height"]) == ("1280", "720")  # no shift when it loads
    [source] = found.all("source")
    [track] = found.all("track")
    assert source["type"] == "video/mp4"
    assert track["kind"] == "captions" and track["srclang"] == "nl"
    assert track["label"] == "Nederlands" and "default" in track
    for address in (video["poster"], source["src"], track["src"]):
        assert address and address.startswith("/static/video/")
        assert status(client, address) == 200
    downloads = [a for a in found.all("a") if a.get("href") == source["src"]]
    assert any("download" in a for a in downloads)
    assert "Ingesproken met een computerstem" in html
    assert "frame-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_transcript_on_the_page_is_what_the_voice_says(client):
    slug, meta = LOCAL[0]
    html = client.get(f"/videos/{slug}").get_data(as_text=True)
    transcript = html.split('id="tekst-kop"')[1].split("</section>")[0]
    for slide in video_of(meta).slides:
        spoken = escape(" ".join(slide.spoken.split()))
        assert f'<h3 class="utrecht-heading-3">{escape(slide.title)}</h3>' in transcript
        assert f'<p class="utrecht-paragraph">{spoken}</p>' in transcript


def test_the_files_are_served_with_their_types_and_in_ranges(client):
    slug, _ = LOCAL[0]
    html = client.get(f"/videos/{slug}").get_data(as_text=True)
    [source] = elements(html).all("source")
    [track] = elements(html).all("track")
    size = (STATIC / media_files(slug).mp4).stat().st_size
    plain = "/static/" + media_files(slug).mp4
    for address in (source["src"], plain):
        part = client.get(address, headers={"Range": "bytes=0-99"})
        assert part.status_code == 206
        assert part.headers["Content-Type"] == "video/mp4"
        assert part.headers["Content-Range"] == f"bytes 0-99/{size}"
        assert len(part.data) == 100
        assert part.data[4:8] == b"ftyp"  # an MP4 begins with its file-type box
        part.close()
    captions = client.get(track["src"])
    assert captions.headers["Content-Type"].split(";")[0] == "text/vtt"
    assert captions.get_data(as_text=True).startswith("WEBVTT")
    captions.close()


@pytest.mark.parametrize(("slug", "meta"), LOCAL, ids=[slug for slug, _ in LOCAL])
def test_the_captions_are_the_spoken_text_in_time(slug, meta):
    path = STATIC / media_files(slug).vtt
    cues = webvtt.read(str(path)).captions  # an independent WebVTT reader
    assert cues
    assert " ".join(c.text for c in cues).split() == meta.video.transcript.split()
    source, ours = read_captions(path.read_text(encoding="utf-8"))
    assert source == slides_digest(meta.video)
    assert [(c.start, c.end) for c in cues] == [
        (format_timestamp(c.start), format_timestamp(c.end)) for c in ours
    ]
    for before, after in zip(ours, ours[1:], strict=False):
        assert before.start < before.end <= after.start
    assert abs(ours[-1].end - seconds_of(meta.video.duration)) <= DURATION_TOLERANCE


@pytest.mark.parametrize(("slug", "meta"), LOCAL, ids=[slug for slug, _ in LOCAL])
def test_the_last_caption_ends_when_the_video_does(slug, meta):
    if shutil.which("ffprobe") is None:
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("measuring the videos needs ffprobe: apt-get install ffmpeg")
        pytest.skip("ffprobe is not installed: the length of the MP4 was NOT measured")
    files = media_files(slug)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
         "-of", "default=noprint_wrappers=1", str(STATIC / files.mp4)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = dict(line.split("=", 1) for line in probe.stdout.split())
    assert "h264" in probe.stdout and "aac" in probe.stdout
    _, cues = read_captions((STATIC / files.vtt).read_text(encoding="utf-8"))
    assert abs(float(found["duration"]) - cues[-1].end) <= DURATION_TOLERANCE


def test_durations_in_iso_8601():
    assert iso_duration("3:33") == "PT3M33S"
    assert iso_duration("4:00") == "PT4M"
    assert iso_duration("0:45") == "PT45S"
    assert iso_duration("1:02:05") == "PT1H2M5S"
    assert format_duration(125.9) == "2:05" and format_duration(126.0) == "2:06"


# The content check ---------------------------------------------------------------------------

SLIDES = [
    {"title": "Eerste dia", "lines": ["Een regel"], "spoken": "Dit zegt de stem bij de dia."},
    {"title": "Tweede dia", "lines": ["Nog een regel"], "spoken": "En dit bij de tweede."},
]


def run_check(hub_app):
    result = hub_app.test_cli_runner().invoke(args=["content", "check"])
    return result.exit_code, result.output


def test_a_local_video_without_its_files_fails_the_check(hub_app, content):
    content.write("videos/film.md", video={"provider": "local", "slides": SLIDES})
    code, output = run_check(hub_app)
    assert code == 1
    for name in ("video/film.mp4", "video/film.vtt", "video/film.jpg"):
        assert f"(static/{name}): draai tools/make_videos.py" in output
    assert "videos/film.md:" in output


def test_a_slide_without_spoken_text_fails_the_check(hub_app, content):
    slides = [SLIDES[0], {**SLIDES[1], "spoken": "  "}]
    content.write("videos/film.md", video={"provider": "local", "slides": slides})
    code, output = run_check(hub_app)
    assert code == 1
    assert "dia 2 ('Tweede dia') heeft geen gesproken tekst ('spoken')" in output


def test_a_slide_with_too_many_lines_fails_the_check(hub_app, content):
    slides = [{**SLIDES[0], "lines": ["a", "b", "c", "d"]}]
    content.write("videos/film.md", video={"provider": "local", "slides": slides})
    code, output = run_check(hub_app)
    assert code == 1
    assert "'video.slides.0.lines'" in output


def made(tmp_path: Path, slug: str) -> tuple[Path, LocalVideo]:
    """A static folder holding the real files of one starter video."""
    for _, name in media_files(slug).labelled():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC / name, tmp_path / name)
    return tmp_path, video_of(dict(LOCAL)[slug])


def test_files_made_from_these_slides_pass(tmp_path):
    slug = LOCAL[0][0]
    static, video = made(tmp_path, slug)
    assert check_media(video, slug, static, where=("videos/x.md", 3)) == []


def test_changed_slides_ask_for_the_files_to_be_made_again(tmp_path):
    slug = LOCAL[0][0]
    static, video = made(tmp_path, slug)
    changed = video.model_copy(
        update={"slides": [*video.slides[:-1], Slide(title="Nieuw", lines=["x"], spoken="Nieuw.")]}
    )
    [problem] = check_media(changed, slug, static, where=("videos/x.md", 3))
    assert str(problem) == (
        "videos/x.md:3: de dia's zijn veranderd sinds de video is gemaakt: "
        "draai tools/make_videos.py"
    )


def test_a_duration_that_does_not_fit_the_captions_is_reported(tmp_path):
    slug = LOCAL[0][0]
    static, video = made(tmp_path, slug)
    wrong = video.model_copy(update={"duration": "0:10"})
    [problem] = check_media(wrong, slug, static, where=("videos/x.md", 3))
    assert "'video.duration' (0:10) past niet bij de ondertiteling" in problem.message


def test_captions_that_are_not_webvtt_are_reported(tmp_path):
    slug = LOCAL[0][0]
    static, video = made(tmp_path, slug)
    (static / media_files(slug).vtt).write_text("1\n00:00:01,000 --> 00:00:02,000\nHoi\n")
    [problem] = check_media(video, slug, static, where=("videos/x.md", 3))
    assert "is geen geldige WebVTT" in problem.message
