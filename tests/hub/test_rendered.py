"""What was rendered of the hub's files is kept for the next process (app/hub/rendered.py):
the same snapshot, without rendering again what did not change."""

import json

from app.content.site import load_site
from app.hub.markdown import build_snapshot


def build(content, rendered):
    files = sorted((content.root / "artikelen").glob("*.md"))
    return build_snapshot(content.root, load_site(content.root), files, None, rendered)


def described(snapshot):
    return [(i.rel_path, i.html, i.text, i.headings, i.links, i.images) for i in snapshot.items], [
        str(p) for p in snapshot.problems
    ]


def test_a_second_build_gives_the_same_snapshot_from_what_was_kept(content, tmp_path):
    content.write("artikelen/een.md", body="## Kop\n\nZie [twee](twee.md) en [weg](weg.md).\n")
    content.write("artikelen/twee.md", title="Twee", body="![Een tekening](/static/x.svg)\n")
    rendered = tmp_path / "rendered.json"
    first = build(content, rendered)
    assert rendered.exists()
    assert any("weg.md" in str(p) for p in first.problems)
    assert described(build(content, rendered)) == described(first)
    assert described(build(content, None)) == described(first)


def test_what_was_kept_is_used_and_a_changed_file_rendered_again(content, tmp_path):
    content.write("artikelen/een.md", body="Eerste tekst.\n")
    content.write("artikelen/twee.md", title="Twee", body="Tweede tekst.\n")
    rendered = tmp_path / "rendered.json"
    build(content, rendered)
    kept = json.loads(rendered.read_text(encoding="utf-8"))
    for entry in kept.values():
        entry["html"] = entry["html"].replace("tekst", "bewaard")
    rendered.write_text(json.dumps(kept), encoding="utf-8")

    content.write("artikelen/twee.md", title="Twee", body="Tweede, nieuwe tekst.\n")
    snapshot = build(content, rendered)
    html = {item.rel_path: item.html for item in snapshot.items}
    assert "Eerste bewaard" in html["artikelen/een.md"]  # kept: not rendered again
    assert "Tweede, nieuwe tekst" in html["artikelen/twee.md"]  # changed: rendered again
    assert len(json.loads(rendered.read_text(encoding="utf-8"))) == 2  # only what is in use
