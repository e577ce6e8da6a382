"""Static files: served by WhiteNoise under fingerprinted names, compressed, cached for good.

When the app is built, `app/static` is copied into a build folder (`STATIC_BUILD_DIR`, by
default `INSTANCE_DIR/static`): every file under its own name and under a name that carries a
fingerprint of its contents (`css/site.css` and `css/site.3f9a0c21b7d4.css`), each with a gzip
and a brotli copy beside it. `url_for('static', filename='css/site.css')` gives the
fingerprinted address, which is sent with `Cache-Control: max-age=315360000, public, immutable`:
a changed file gets a new name, so a browser never keeps an old one and never asks again for
one it has. The plain names keep working (an editor may link to `/static/img/x.png`), and are
checked with the server each time they are used.

The build folder is named after a fingerprint of the whole tree: another gunicorn worker, or the
next start of the same version, uses it as it is. WhiteNoise serves the files before Flask sees
the request, with the site's security headers added here; Flask's own static view stays as a
fallback for a file added after the start.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

FINGERPRINT_LENGTH = 12
# Build folders of other versions are removed once they are this old (a worker that still runs
# the previous version during a deploy keeps its files until then).
KEEP_OLD_BUILDS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StaticBuild:
    """A prepared copy of the static folder: `names` maps each file to its fingerprinted name."""

    folder: Path
    names: dict[str, str]

    def url_name(self, filename: str) -> str:
        return self.names.get(filename, filename)


def _files(source: Path) -> list[tuple[str, Path]]:
    return sorted(
        (path.relative_to(source).as_posix(), path)
        for path in source.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def fingerprinted_name(name: str, digest: str) -> str:
    """`css/site.css` -> `css/site.<digest>.css` (a name without a suffix gets it at the end)."""
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    new = f"{stem}.{digest[:FINGERPRINT_LENGTH]}" + (f".{suffix}" if suffix else "")
    return f"{folder}/{new}" if folder else new


def build(source: Path, target_root: Path) -> StaticBuild:
    """Prepare (or find, when this version was prepared before) the build of `source` under
    `target_root`: the files in `<version>/`, the names in `<version>.json` beside it (not in
    the folder, which is served). Safe when several processes start at once: each writes its
    own temporary folder and the first to finish wins. Raises OSError when `target_root`
    cannot be written."""
    files = _files(source)
    digests = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files}
    tree = hashlib.sha256("\n".join(f"{n} {d}" for n, d in digests.items()).encode())
    version = tree.hexdigest()[:16]
    target = target_root / version
    manifest = target_root / f"{version}.json"
    if not manifest.is_file():
        target_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=target_root))
        try:
            names = _write(files, digests, scratch)
            try:
                os.rename(scratch, target)
            except OSError:
                if not target.is_dir():  # not another process that finished first
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        # The names follow from the files alone: a process that lost the race writes the same.
        written = manifest.with_suffix(f".{os.getpid()}.tmp")
        written.write_text(json.dumps(names, indent=1, sort_keys=True))
        os.replace(written, manifest)
        _remove_old_builds(target_root, keep=version)
    return StaticBuild(folder=target, names=json.loads(manifest.read_text()))


def _write(files: list[tuple[str, Path]], digests: dict[str, str], scratch: Path) -> dict:
    compressor = Compressor(quiet=True)
    names = {}
    for name, path in files:
        names[name] = fingerprinted_name(name, digests[name])
        plain = scratch / name
        plain.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, plain)
        compressed = compressor.compress(str(plain)) if compressor.should_compress(name) else []
        for copy in [plain, *map(Path, compressed)]:
            suffix = copy.name[len(plain.name) :]
            shutil.copyfile(copy, scratch / (names[name] + suffix))
    return names


def _remove_old_builds(target_root: Path, *, keep: str) -> None:
    limit = time.time() - KEEP_OLD_BUILDS_SECONDS
    for old in target_root.iterdir():
        if old.name.split(".")[0] == keep or old.stat().st_mtime >= limit:
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def init_app(app: Flask, *, headers: list[tuple[str, str]]) -> None:
    """Serve the static files through WhiteNoise with `headers` (the site's security headers)
    on each, and make `url_for('static', ...)` give fingerprinted names."""
    target_root = Path(
        app.config.get("STATIC_BUILD_DIR") or Path(app.config["INSTANCE_DIR"]) / "static"
    )
    built = build(Path(app.static_folder or "static"), target_root)
    app.extensions["static_build"] = built
    fingerprinted = frozenset(built.names.values())
    prefix = (app.static_url_path or "/static").strip("/") + "/"

    def immutable(path: str, url: str) -> bool:
        return url.removeprefix("/" + prefix) in fingerprinted

    def add_headers(response_headers, path: str, url: str) -> None:
        for name, value in headers:
            response_headers[name] = value

    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(built.folder),
        prefix=prefix,
        max_age=0,
        allow_all_origins=False,
        immutable_file_test=immutable,
        add_headers_function=add_headers,
        # Captions of the site's own videos; WhiteNoise does not know the type.
        mimetypes={".vtt": "text/vtt"},
    )

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = built.url_name(values["filename"])
