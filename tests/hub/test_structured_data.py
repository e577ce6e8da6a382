"""Articles describe themselves as schema.org Articles and share their own picture."""

from __future__ import annotations

import json
import re

from tests.core.test_structured_data import blocks, meta


def test_an_article_describes_itself(client):
    html = client.get("/artikelen/respijtzorg").get_data(as_text=True)
    found = blocks(html)
    article = found["Article"]
    assert article["headline"] in html
    assert article["mainEntityOfPage"] == "http://localhost/artikelen/respijtzorg"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", article["datePublished"])
    assert article["dateModified"] >= article["datePublished"]
    assert article["publisher"]["name"] == "Zorggenoot"
    assert article["inLanguage"] == "nl-NL"
    assert article["image"] == [meta(html, "og:image")]
    crumbs = found["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
    assert crumbs[0]["item"] == "http://localhost/"
    assert crumbs[-1]["item"] == "http://localhost/artikelen/respijtzorg"
    assert crumbs[-1]["name"] == article["headline"]


def test_no_text_can_close_the_json_ld_block(hub, content):
    content.write(
        "artikelen/a.md",
        title="Zorg </script><script>alert(1)</script> & 'meer'",
        summary="Over <b>zorg</b>.",
    )
    html = hub.get("/artikelen/a").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    article = blocks(html)["Article"]
    assert article["headline"] == "Zorg </script><script>alert(1)</script> & 'meer'"
    assert article["description"] == "Over <b>zorg</b>."


def test_an_article_with_its_own_picture_shares_that_picture(hub, content):
    content.write("artikelen/a.md", image="apple-touch-icon.png", image_alt="Een hart")
    html = hub.get("/artikelen/a").get_data(as_text=True)
    image = meta(html, "og:image")
    assert image.startswith("http://localhost/static/img/apple-touch-icon.")
    assert meta(html, "og:image:alt") == "Een hart"
    assert blocks(html)["Article"]["image"] == [image]


def test_a_vector_picture_is_not_offered_as_share_image(hub, content):
    content.write("artikelen/a.md", image="logo.svg", image_alt="Logo")
    html = hub.get("/artikelen/a").get_data(as_text=True)
    assert "/static/img/share." in meta(html, "og:image")


def test_a_video_made_here_describes_itself_with_its_file(client):
    html = client.get("/videos/wat-is-respijtzorg").get_data(as_text=True)
    video = blocks(html)["VideoObject"]
    assert video["name"] == "Wat is respijtzorg?"
    assert video["description"] in html
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", video["uploadDate"])
    assert re.fullmatch(r"PT(\d+M)?(\d+S)?", video["duration"])
    assert video["contentUrl"].startswith("http://localhost/static/video/wat-is-respijtzorg.")
    assert video["contentUrl"].endswith(".mp4")
    [thumbnail] = video["thumbnailUrl"]
    for address in (video["contentUrl"], thumbnail):
        response = client.get(address.removeprefix("http://localhost"))
        assert response.status_code == 200
        response.close()
    assert video["transcript"].startswith("In deze video")


def test_a_youtube_video_is_described_without_naming_its_player(hub, content):
    video = {
        "provider": "youtube",
        "id": "abcdefghijk",
        "duration": "3:10",
        "transcript": "Dit is wat er gezegd wordt. " * 5,
    }
    content.write("videos/film.md", title="Een film", video=video)
    html = hub.get("/videos/film").get_data(as_text=True)
    found = blocks(html)["VideoObject"]
    assert found["duration"] == "PT3M10S"
    assert found["url"] == "http://localhost/videos/film"
    assert "youtube" not in json.dumps(found).lower()
    assert found["thumbnailUrl"] == [meta(html, "og:image")]
