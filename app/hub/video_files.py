"""Videos made here: where their files live, how their captions are read, and the checks that
keep the files in step with the slides in the content file.

`tools/make_videos.py` turns a video's slides into three files under `static/video/`: the MP4,
the captions (WebVTT) and a poster picture. The captions carry, in a NOTE, a fingerprint of the
slides they were made from, so the content check can tell an editor that the slides changed
and the files must be made again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.content.files import Problem
from app.hub.content import LocalVideo

FOLDER = "video"
SOURCE_NOTE = "bron:"
# The tool and the check agree that captions and duration match within this many seconds.
DURATION_TOLERANCE = 1.5
TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$")


@dataclass(frozen=True)
class MediaFiles:
    """The names of a video's files under `static/`."""

    mp4: str
    vtt: str
    poster: str

    def labelled(self) -> list[tuple[str, str]]:
        return [("de video", self.mp4), ("de ondertiteling", self.vtt), ("de poster", self.poster)]


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Player:
    """What the page of a video made here needs: its files, and the download's size."""

    files: MediaFiles
    size: str | None


def media_files(slug: str) -> MediaFiles:
    return MediaFiles(
        mp4=f"{FOLDER}/{slug}.mp4", vtt=f"{FOLDER}/{slug}.vtt", poster=f"{FOLDER}/{slug}.jpg"
    )


def size_label(path: Path) -> str | None:
    """'1,1 MB' for a file of 1.1 million bytes; None when the file is not there."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def player(slug: str, static_dir: Path) -> Player:
    files = media_files(slug)
    return Player(files=files, size=size_label(static_dir / files.mp4))


def slides_digest(video: LocalVideo) -> str:
    """A fingerprint of what the slides show and say (changes when any word does)."""
    data = [slide.model_dump() for slide in video.slides]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_timestamp(value: str) -> float:
    """'01:02.500' or '1:01:02.500' -> seconds. Raises ValueError for anything else."""
    match = TIMESTAMP.match(value.strip())
    if not match:
        raise ValueError(f"geen tijd: {value!r}")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def format_timestamp(seconds: float) -> str:
    """Seconds -> 'HH:MM:SS.mmm', as WebVTT writes them."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis:03d}"


def read_captions(text: str) -> tuple[str | None, list[Cue]]:
    """(the slides fingerprint from the NOTE, the cues) of a WebVTT file written by the tool.
    Raises ValueError when the file is not WebVTT."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValueError("het bestand begint niet met WEBVTT")
    source = None
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line for line in block.strip().split("\n") if line]
        if not lines:
            continue
        if lines[0].startswith("NOTE"):
            for line in lines:
                if SOURCE_NOTE in line:
                    source = line.split(SOURCE_NOTE, 1)[1].strip()
            continue
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = lines[timing].split("-->", 1)
        cues.append(
            Cue(
                parse_timestamp(start),
                parse_timestamp(end.split()[0]),
                "\n".join(lines[timing + 1 :]),
            )
        )
    return source, cues


def seconds_of(duration: str) -> int:
    """'2:05' -> 125, '1:02:05' -> 3725."""
    total = 0
    for part in duration.split(":"):
        total = total * 60 + int(part)
    return total


def format_duration(seconds: float) -> str:
    """125.9 -> '2:05' (whole seconds, as video players show a length)."""
    whole = int(seconds)
    minutes, rest = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def iso_duration(duration: str) -> str:
    """'2:05' -> 'PT2M5S' (ISO 8601, as schema.org wants it)."""
    minutes, seconds = divmod(seconds_of(duration), 60)
    hours, minutes = divmod(minutes, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + parts + (f"{seconds}S" if seconds or not parts else "")


def check_media(
    video: LocalVideo, slug: str, static_dir: Path, *, where: tuple[str, int]
) -> list[Problem]:
    """What is wrong with a video made here: slides without spoken text, missing files, or
    files made from other slides or with another duration than the front matter says."""
    rel, line = where
    problems: list[Problem] = []

    def add(message: str) -> None:
        problems.append(Problem(rel, line, message))

    for number, slide in enumerate(video.slides, start=1):
        if not slide.spoken.strip():
            add(f"dia {number} ('{slide.title}') heeft geen gesproken tekst ('spoken')")
    if not video.transcript.strip():
        add("de video heeft geen tekst: de gesproken tekst van de dia's is leeg")
    files = media_files(slug)
    missing = [path for _, path in files.labelled() if not (static_dir / path).is_file()]
    for name, path in files.labelled():
        if path in missing:
            add(f"{name} ontbreekt (static/{path}): draai tools/make_videos.py")
    if files.vtt in missing:
        return problems
    try:
        source, cues = read_captions((static_dir / files.vtt).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        add(f"de ondertiteling static/{files.vtt} is geen geldige WebVTT: {error}")
        return problems
    if source != slides_digest(video):
        add("de dia's zijn veranderd sinds de video is gemaakt: draai tools/make_videos.py")
    if not cues:
        add(f"de ondertiteling static/{files.vtt} heeft geen regels")
    elif video.duration is None:
        add("'video.duration' ontbreekt: draai tools/make_videos.py")
    elif abs(cues[-1].end - seconds_of(video.duration)) > DURATION_TOLERANCE:
        add(
            f"'video.duration' ({video.duration}) past niet bij de ondertiteling "
            f"({format_duration(cues[-1].end)}): draai tools/make_videos.py"
        )
    return problems
