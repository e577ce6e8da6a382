"""Make the videos of `content/videos/*.md` with `provider: local` from their slides:

- each slide drawn as a 1280 x 720 picture (Pillow, DejaVu Sans, large dark text on white);
- its spoken text read by a computer voice (espeak-ng, Dutch), sentence by sentence;
- `static/video/<slug>.mp4`: the pictures and the voice (H.264 at 5 frames a second, AAC mono),
  with the index at the front so a browser can start before it has everything;
- `static/video/<slug>.vtt`: Dutch captions, one cue per sentence, timed on the voice itself;
- `static/video/<slug>.jpg`: the first slide, shown before the video plays;
- the `duration:` line in the content file.

Editors run it after changing slides, and commit what it writes:

    .venv/bin/python -m tools.make_videos            # only videos whose slides changed
    .venv/bin/python -m tools.make_videos --force respijtzorg-uitgelegd

It needs ffmpeg, espeak-ng and the DejaVu fonts (`apt-get install ffmpeg espeak-ng
fonts-dejavu-core`) and Pillow (a development dependency). The same slides give the same files.
After making a video it checks it: the length of the MP4 matches the captions, and the sound is
not silence.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.content.files import split_front_matter
from app.hub.content import FrontMatter, LocalVideo, Slide
from app.hub.video_files import (
    DURATION_TOLERANCE,
    SOURCE_NOTE,
    format_duration,
    format_timestamp,
    media_files,
    read_captions,
    slides_digest,
)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "videos"
STATIC = ROOT / "app" / "static"
FONTS = Path("/usr/share/fonts/truetype/dejavu")

# Bump when the look, the voice or the encoding changes: every video is then made again.
VERSION = "1"
SIZE = (1280, 720)
FPS = 5
VOICE = "nl"
WORDS_PER_MINUTE = 145  # a little slower than espeak's default, for tired listeners
LEAD_IN = 0.6  # seconds of silence before the first word
SENTENCE_GAP = 0.4
SLIDE_GAP = 0.9
TAIL = 0.5
LONGEST_CUE = 90  # characters; a longer sentence is split at its commas
QUIETEST_MEAN_VOLUME = -50.0  # dB: quieter than this, the sound is taken for silence

WHITE = (255, 255, 255)
TEXT = (26, 26, 26)
PRIMARY = (11, 90, 85)  # --zg-color-primary
PRIMARY_DARK = (7, 62, 58)  # --zg-color-primary-dark
# Words the Dutch voice reads wrongly; only what is spoken changes, not the captions.
SAY = {
    r"\bWmo\b": "wee-em-oo",
    r"\bWlz\b": "wee-el-zet",
    r"\bCAK\b": "cee-aa-kaa",
    r"\bcao\b": "cee-aa-oo",
    r"\bCIZ\b": "cee-ie-zet",
    r"\bpgb\b": "pee-gee-bee",
    r"\b112\b": "één één twee",
    r"\b113\b": "één één drie",
}


@dataclass
class Timed:
    """A stretch of the sound: a cue's text (empty for silence) and its place in samples."""

    text: str
    start: int
    end: int


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a fixed command of this tool (no shell); raise with its output when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{done.stderr[-2000:]}")
    return done


def chunks(spoken: str) -> list[str]:
    """The spoken text in cue-sized pieces: sentences, long ones split at their commas."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+", " ".join(spoken.split())):
        if len(sentence) <= LONGEST_CUE:
            pieces.append(sentence)
            continue
        current = ""
        for part in re.split(r"(?<=,)\s+", sentence):
            if current and len(current) + 1 + len(part) > LONGEST_CUE:
                pieces.append(current)
                current = part
            else:
                current = f"{current} {part}".strip()
        pieces.append(current)
    return [p for p in pieces if p]


def speakable(text: str) -> str:
    for pattern, spoken in SAY.items():
        text = re.sub(pattern, spoken, text)
    return text


def speak(text: str, target: Path) -> None:
    run("espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(target), speakable(text))


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.is_file():
        raise SystemExit(f"{path} is missing: apt-get install fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int):
    """`text` in lines that fit `width` pixels."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw_slide(slide: Slide, number: int, total: int, title: str) -> Image.Image:
    """One slide: the video's title in a band at the top, the slide's title and lines below;
    the lowest fifth stays free for the captions."""
    image = Image.new("RGB", SIZE, WHITE)
    draw = ImageDraw.Draw(image)
    margin = 80
    width = SIZE[0] - 2 * margin
    draw.rectangle((0, 0, SIZE[0], 84), fill=PRIMARY_DARK)
    draw.text((margin, 24), "Zorggenoot · " + title, font=font(True, 30), fill=WHITE)
    counter = f"{number} / {total}"
    small = font(False, 28)
    draw.text(
        (SIZE[0] - margin - draw.textlength(counter, font=small), 26),
        counter,
        font=small,
        fill=WHITE,
    )
    y = 130
    heading = font(True, 60)
    for line in wrap(draw, slide.title, heading, width):
        draw.text((margin, y), line, font=heading, fill=PRIMARY_DARK)
        y += 74
    draw.rectangle((margin, y + 8, margin + 120, y + 16), fill=PRIMARY)
    y += 48
    body = font(False, 44)
    for text in slide.lines:
        for index, line in enumerate(wrap(draw, text, body, width - 50)):
            if index == 0:
                draw.ellipse((margin + 4, y + 18, margin + 22, y + 36), fill=PRIMARY)
            draw.text((margin + 50, y), line, font=body, fill=TEXT)
            y += 58
        y += 16
    if y > SIZE[1] * 0.8:
        raise SystemExit(f"slide {number} ('{slide.title}') has too much text for the picture")
    return image


def build_sound(video: LocalVideo, work: Path) -> tuple[Path, list[list[Timed]], int]:
    """The whole voice as one WAV file, and per slide its timed pieces (in samples)."""
    spoken: list[list[tuple[str, bytes]]] = []
    params = None
    for number, slide in enumerate(video.slides):
        pieces = []
        for index, text in enumerate(chunks(slide.spoken)):
            part = work / f"voice-{number:02d}-{index:02d}.wav"
            speak(text, part)
            with wave.open(str(part), "rb") as sound:
                params = params or sound.getparams()
                pieces.append((text, sound.readframes(sound.getnframes())))
        spoken.append(pieces)
    if params is None or params.nchannels != 1:
        raise SystemExit("espeak-ng gave no mono sound")
    rate, width = params.framerate, params.sampwidth
    frames: list[bytes] = []
    position = 0

    def add(data: bytes) -> None:
        nonlocal position
        frames.append(data)
        position += len(data) // width

    def silence(seconds: float) -> None:
        add(b"\0" * round(seconds * rate) * width)

    silence(LEAD_IN)
    slides: list[list[Timed]] = []
    for number, pieces in enumerate(spoken):
        timed: list[Timed] = []
        for index, (text, data) in enumerate(pieces):
            if index:
                silence(SENTENCE_GAP)
            timed.append(Timed(text, position, position + len(data) // width))
            add(data)
        silence(SLIDE_GAP if number < len(spoken) - 1 else TAIL)
        slides.append(timed)
    target = work / "voice.wav"
    with wave.open(str(target), "wb") as out:
        out.setparams(params)
        out.writeframes(b"".join(frames))
    return target, slides, rate


def captions(digest: str, slides: list[list[Timed]], rate: int) -> str:
    lines = [
        "WEBVTT",
        "",
        "NOTE",
        f"{SOURCE_NOTE} {digest}",
        f"gemaakt met tools/make_videos.py versie {VERSION}; stem: espeak-ng ({VOICE})",
        "",
    ]
    for number, cue in enumerate((c for timed in slides for c in timed), start=1):
        start, end = format_timestamp(cue.start / rate), format_timestamp(cue.end / rate)
        lines += [str(number), f"{start} --> {end}", cue.text, ""]
    return "\n".join(lines)


def encode(pictures: list[Path], spans: list[float], sound: Path, target: Path) -> None:
    """The pictures, each for its span of seconds, with the sound, as a small H.264 MP4."""
    listing = target.parent / "slides.ffconcat"
    entries = ["ffconcat version 1.0"]
    for picture, span in zip(pictures, spans, strict=True):
        entries += [f"file '{picture.name}'", f"duration {span:.3f}"]
    entries.append(f"file '{pictures[-1].name}'")
    listing.write_text("\n".join(entries) + "\n")
    run(
        "ffmpeg",
        "-nostdin",
        "-y",
        "-v",
        "error",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(listing),
        "-i",
        str(sound),
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-t",
        f"{sum(spans):.3f}",
        "-vf",
        f"fps={FPS},format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "veryslow",
        "-tune",
        "stillimage",
        "-crf",
        "30",
        "-g",
        str(FPS * 60),
        "-threads",
        "1",
        "-c:a",
        "aac",
        "-b:a",
        "24k",
        "-ac",
        "1",
        "-movflags",
        "+faststart",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        str(target),
    )


def spans_of(slides: list[list[Timed]], total: int, rate: int) -> list[float]:
    """How long each slide stays in view, in whole frames: from the end of the previous slide
    to just before the next one's first word."""
    starts = [0] + [timed[0].start - round(SLIDE_GAP * rate / 4) for timed in slides[1:]]
    bounds = [round(s / rate * FPS) for s in starts] + [-(-total * FPS // rate)]
    return [(b - a) / FPS for a, b in zip(bounds, bounds[1:], strict=False)]


def probe_duration(path: Path) -> float:
    found = run(
        "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)
    )
    return float(found.stdout.strip())


def mean_volume(path: Path) -> float:
    found = run(
        "ffmpeg", "-nostdin", "-i", str(path), "-vn", "-af", "volumedetect", "-f", "null", "-"
    )
    match = re.search(r"mean_volume:\s*(-?[\d.]+|-inf) dB", found.stderr)
    if not match or match.group(1) == "-inf":
        return float("-inf")
    return float(match.group(1))


def verify(slug: str) -> float:
    """Check a made video: captions as long as the MP4, sound that is not silence. Returns the
    MP4's duration in seconds."""
    files = media_files(slug)
    _, cues = read_captions((STATIC / files.vtt).read_text(encoding="utf-8"))
    duration = probe_duration(STATIC / files.mp4)
    if abs(duration - cues[-1].end) > DURATION_TOLERANCE:
        raise SystemExit(f"{slug}: the MP4 lasts {duration:.2f}s, the captions {cues[-1].end:.2f}s")
    volume = mean_volume(STATIC / files.mp4)
    if volume <= QUIETEST_MEAN_VOLUME:
        raise SystemExit(f"{slug}: the sound is silent (mean volume {volume} dB)")
    print(f"{slug}: {format_duration(duration)}, mean volume {volume:.1f} dB")
    return duration


def write_duration(path: Path, duration: str) -> None:
    text = path.read_text(encoding="utf-8")
    line = f'  duration: "{duration}"'
    new, found = re.subn(r"(?m)^  duration:.*$", line, text, count=1)
    if not found:
        new = re.sub(r"(?m)^(  provider: local[ \t]*)$", rf"\1\n{line}", text, count=1)
    if new != text:
        path.write_text(new, encoding="utf-8")


def up_to_date(slug: str, video: LocalVideo) -> bool:
    files = media_files(slug)
    if not all((STATIC / name).is_file() for _, name in files.labelled()):
        return False
    text = (STATIC / files.vtt).read_text(encoding="utf-8")
    source, _ = read_captions(text)
    made_by = f"versie {VERSION};" in text
    return source == slides_digest(video) and made_by and video.duration is not None


def make(path: Path, slug: str, meta: FrontMatter, video: LocalVideo) -> None:
    files = media_files(slug)
    (STATIC / files.mp4).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"video-{slug}-") as folder:
        work = Path(folder)
        sound, slides, rate = build_sound(video, work)
        with wave.open(str(sound), "rb") as whole:
            total = whole.getnframes()
        pictures = []
        for number, slide in enumerate(video.slides, start=1):
            picture = work / f"slide-{number:02d}.png"
            draw_slide(slide, number, len(video.slides), meta.title).save(picture)
            pictures.append(picture)
        Image.open(pictures[0]).save(STATIC / files.poster, quality=82, optimize=True)
        encode(pictures, spans_of(slides, total, rate), sound, work / "video.mp4")
        shutil.copyfile(work / "video.mp4", STATIC / files.mp4)
        text = captions(slides_digest(video), slides, rate)
        (STATIC / files.vtt).write_text(text, encoding="utf-8")
    write_duration(path, format_duration(verify(slug)))


def local_videos(only: set[str]) -> list[tuple[Path, str, FrontMatter, LocalVideo]]:
    found = []
    for path in sorted(CONTENT.glob("*.md")):
        data, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
        meta = FrontMatter.model_validate(data)
        slug = meta.slug or path.stem
        if isinstance(meta.video, LocalVideo) and (not only or slug in only):
            found.append((path, slug, meta, meta.video))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("slugs", nargs="*", help="only these videos (default: all)")
    parser.add_argument("--force", action="store_true", help="make them even when up to date")
    args = parser.parse_args(argv)
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install ffmpeg espeak-ng")
    videos = local_videos(set(args.slugs))
    if args.slugs and len(videos) != len(set(args.slugs)):
        raise SystemExit("not every slug is a local video in content/videos/")
    for path, slug, meta, video in videos:
        if not args.force and up_to_date(slug, video):
            print(f"{slug}: up to date")
            write_duration(path, format_duration(probe_duration(STATIC / media_files(slug).mp4)))
            continue
        make(path, slug, meta, video)
    return 0


if __name__ == "__main__":
    sys.exit(main())
