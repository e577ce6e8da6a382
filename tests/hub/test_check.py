"""`flask content check`: each kind of mistake gives the right `file:line: message` (H6)."""

import pytest

from tests.conftest import PROJECT_ROOT

VIDEO = {
    "provider": "youtube",
    "id": "abcdefghijk",
    "duration": "3:10",
    "transcript": "Dit is wat er in de video gezegd wordt. " * 3,
}


def run_check(hub_app):
    result = hub_app.test_cli_runner().invoke(args=["content", "check"])
    return result.exit_code, result.output


def test_the_starter_content_passes_the_check(app):
    result = app.test_cli_runner().invoke(
        args=["content", "check", "--dir", str(PROJECT_ROOT / "content")]
    )
    assert result.exit_code == 0, result.output


def test_clean_content_exits_0(hub_app, content):
    content.write("artikelen/goed.md")
    code, output = run_check(hub_app)
    assert code == 0
    assert "0 problemen" in output


def test_missing_title(hub_app, content):
    content.write("artikelen/zonder-titel.md", title=None)
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/zonder-titel.md:1: het veld 'title' ontbreekt" in output


def test_unknown_topic_points_at_its_line(hub_app, content):
    content.write("artikelen/fout-onderwerp.md", topics=["tuinieren"])
    code, output = run_check(hub_app)
    assert code == 1
    # title, summary, topics: the third front-matter line is the fourth line of the file.
    assert "artikelen/fout-onderwerp.md:4: onbekend onderwerp 'tuinieren'" in output


def test_duplicate_slug(hub_app, content):
    content.write("artikelen/eerste.md", slug="zelfde")
    content.write("artikelen/tweede.md", slug="zelfde")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/tweede.md:" in output
    assert "de slug 'zelfde' wordt al gebruikt door artikelen/eerste.md" in output


def test_alias_that_collides_with_a_slug(hub_app, content):
    content.write("artikelen/bestaand.md")
    content.write("artikelen/nieuw.md", aliases=["bestaand"])
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/nieuw.md:" in output and "de alias 'bestaand' wordt al gebruikt" in output


def test_broken_link_is_reported_with_its_line(hub_app, content):
    content.write("artikelen/linkt.md", body="Eerste regel.\n\nZie [dit](bestaat-niet.md).\n")
    code, output = run_check(hub_app)
    assert code == 1
    lines = (content.root / "artikelen/linkt.md").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "bestaat-niet.md" in text)
    expected = f"artikelen/linkt.md:{line}: de link 'bestaat-niet.md' verwijst naar een bestand"
    assert expected in output


def test_broken_anchor(hub_app, content):
    content.write("artikelen/doel.md", body="## Echte kop\n\nTekst.\n")
    content.write("artikelen/bron.md", body="Zie [kop](doel.md#verzonnen-kop).\n")
    code, output = run_check(hub_app)
    assert code == 1
    assert "het anker '#verzonnen-kop' bestaat niet in doel.md" in output
    content.write("artikelen/bron.md", body="Zie [kop](doel.md#echte-kop).\n")
    assert run_check(hub_app)[0] == 0


def test_image_without_alt_text(hub_app, content):
    content.write("artikelen/plaatje.md", body="![](../../static/img/logo.svg)\n")
    content.write("artikelen/omslag.md", image="logo.svg")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/plaatje.md:" in output and "heeft geen alt-tekst" in output
    assert "artikelen/omslag.md:" in output and "'image_alt'" in output


def test_incomplete_video_block(hub_app, content):
    content.write(
        "videos/film.md", video={"provider": "youtube", "id": "abcdefghijk", "duration": "3:10"}
    )
    code, output = run_check(hub_app)
    assert code == 1
    assert "videos/film.md:" in output and "'video.transcript'" in output


def test_video_without_video_block(hub_app, content):
    content.write("videos/geen-blok.md")
    code, output = run_check(hub_app)
    assert code == 1
    assert "een video heeft een blok 'video'" in output


def test_broken_yaml_and_missing_front_matter(hub_app, content):
    content.write_raw("artikelen/kapot.md", "---\ntitle: [niet gesloten\n---\nTekst\n")
    content.write_raw("artikelen/kaal.md", "Alleen tekst, geen front matter.\n")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/kapot.md:" in output and "geen geldige YAML" in output
    assert "artikelen/kaal.md:1: het bestand begint niet met front matter" in output


def test_unknown_field_is_a_mistake(hub_app, content):
    content.write("artikelen/tikfout.md", publishd="2026-01-01")
    code, output = run_check(hub_app)
    assert code == 1
    assert "het veld 'publishd' bestaat niet" in output


def line_of(content, rel, needle):
    lines = (content.root / rel).read_text().splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def test_broken_anchor_on_the_same_page(hub_app, content):
    body = (
        "## Echte kop\n\nNaar [de kop](#echte-kop) en een voetnoot[^1].\n\n"
        "Naar [niets](#verzonnen).\n\n[^1]: Uitleg.\n"
    )
    content.write("artikelen/hier.md", body=body)
    code, output = run_check(hub_app)
    assert code == 1
    line = line_of(content, "artikelen/hier.md", "#verzonnen")
    assert f"artikelen/hier.md:{line}: het anker '#verzonnen' bestaat niet op deze pagina" in output
    assert "#echte-kop" not in output and "fn" not in output  # real heading and footnote links


BROKEN_SITE_LINKS = [
    ("/artikelen/bestaat-niet", "verwijst naar een artikel dat niet bestaat"),
    ("/videos/bestaat-niet", "verwijst naar een video die niet bestaat"),
    ("/onderwerpen/tuinieren", "verwijst naar een onderwerp dat niet bestaat"),
    ("/tags/onbekend", "verwijst naar een tag die bij geen enkel artikel of video hoort"),
    ("/geen-pagina", "verwijst naar een pagina die niet bestaat"),
    ("/artikelen/concept", "verwijst naar een concept (artikelen/concept.md)"),
    ("/staff/nergens/heen", "verwijst naar een adres dat niet bestaat op de site"),
    ("/static/img/bestaat-niet.png", "verwijst naar een bestand dat niet bestaat"),
]


@pytest.mark.parametrize(("href", "message"), BROKEN_SITE_LINKS)
def test_broken_absolute_link_inside_the_site(hub_app, content, href, message):
    content.write("artikelen/concept.md", draft=True)
    content.write("artikelen/bron.md", body=f"Eerste regel.\n\nZie [dit]({href}).\n")
    code, output = run_check(hub_app)
    assert code == 1
    line = line_of(content, "artikelen/bron.md", href)
    assert f"artikelen/bron.md:{line}: de link '{href}' {message}" in output


def test_broken_anchor_behind_an_absolute_link(hub_app, content):
    content.write("artikelen/doel.md", body="## Echte kop\n\nTekst.\n")
    content.write("artikelen/bron.md", body="Zie [kop](/artikelen/doel#verzonnen-kop).\n")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/bron.md:" in output
    assert "het anker '#verzonnen-kop' bestaat niet in /artikelen/doel" in output


def test_working_absolute_links_pass(hub_app, content):
    content.write("artikelen/doel.md", body="## Echte kop\n\nTekst.\n", aliases=["oud-doel"])
    content.write("videos/film.md", video=VIDEO)
    content.write("paginas/over-de-hulplijn.md", title="Over de Hulplijn", topics=[])
    links = [
        "/artikelen/doel#echte-kop",
        "/artikelen/oud-doel",
        "/artikelen/",
        "/artikelen",
        "/videos/film",
        "/onderwerpen/zorg",
        "/tags/respijtzorg",
        "/over-de-hulplijn",
        "/hulplijn",
        "/zoeken?q=pgb",
        "/winkel",
        "/static/img/logo.svg",
        "/",
    ]
    body = "\n\n".join(f"[link {n}]({href})" for n, href in enumerate(links)) + "\n"
    content.write("artikelen/bron.md", body=body)
    code, output = run_check(hub_app)
    assert code == 0, output


def test_broken_link_written_as_raw_html(hub_app, content):
    content.write(
        "artikelen/bron.md", body='Eerste regel.\n\n<p><a href="/artikelen/weg">weg</a></p>\n'
    )
    code, output = run_check(hub_app)
    assert code == 1
    line = line_of(content, "artikelen/bron.md", "/artikelen/weg")
    expected = f"artikelen/bron.md:{line}: de link '/artikelen/weg' verwijst naar een artikel"
    assert expected in output


def test_raw_html_image_without_alt_text(hub_app, content):
    body = (
        "Eerste regel.\n\n"
        '<img src="/static/img/logo.svg" alt="Logo van Zorggenoot">\n\n'
        'Tekst met <img src="/static/img/kaal.svg"> erin.\n'
    )
    content.write("artikelen/plaatje.md", body=body)
    code, output = run_check(hub_app)
    assert code == 1
    line = line_of(content, "artikelen/plaatje.md", "kaal.svg")
    expected = (
        f"artikelen/plaatje.md:{line}: de afbeelding '/static/img/kaal.svg' heeft geen alt-tekst"
    )
    assert expected in output
    assert "logo.svg' heeft geen alt-tekst" not in output


@pytest.mark.parametrize("slug", ["zoeken", "winkel", "healthz", "privacy", "inloggen"])
def test_page_slug_that_is_an_app_route(hub_app, hub, content, slug):
    content.write(f"paginas/{slug}.md", title="Mijn pagina", topics=[])
    code, output = run_check(hub_app)
    assert code == 1
    assert f"paginas/{slug}.md:1: de slug '{slug}' botst met het adres /{slug}" in output
    assert "Mijn pagina" not in hub.get(f"/{slug}").get_data(as_text=True)


def test_page_slug_and_alias_clash_are_reported_at_their_lines(hub_app, hub, content):
    content.write("paginas/over.md", title="Over", topics=[], slug="zoeken")
    content.write("paginas/contact.md", title="Contact", topics=[], aliases=["winkel"])
    code, output = run_check(hub_app)
    assert code == 1
    slug_line = line_of(content, "paginas/over.md", "slug:")
    alias_line = line_of(content, "paginas/contact.md", "aliases:")
    assert f"paginas/over.md:{slug_line}: de slug 'zoeken' botst" in output
    assert f"paginas/contact.md:{alias_line}: de alias 'winkel' botst" in output
    assert hub.get("/contact").status_code == 200  # only the alias is wrong


def test_a_question_that_is_too_short_or_too_long_is_a_mistake(hub_app, content):
    content.write("artikelen/goede-vragen.md", questions=["wie brengt mn moeder naar de dagopvang"])
    content.write("artikelen/korte-vraag.md", questions=["hm"])
    content.write("artikelen/lange-vraag.md", questions=["waarom " * 40])
    code, output = run_check(hub_app)
    assert code == 1
    assert "goede-vragen.md" not in output
    assert "artikelen/korte-vraag.md:" in output and "een vraag heeft 3 tot 200 tekens" in output
    assert "artikelen/lange-vraag.md:" in output
