"""Everyday words (`content/spreektaal.txt`): what caregivers type for what the content calls
otherwise is searched as the content's word, on /zoeken and in the assistant alike."""

import shutil

import pytest

from app.search import service
from app.search.dutch import Decompounder, Everyday
from app.search.engine import SearchDocument, SearchIndex
from app.search.engine import _fold as fold
from tests.conftest import PROJECT_ROOT, build_app

LEXICON = PROJECT_ROOT / "content" / "spreektaal.txt"


def doc(slug, title, body):
    return SearchDocument(
        kind="article", slug=slug, url=f"/artikelen/{slug}", title=title, summary="", body=body
    )


@pytest.fixture
def index(tmp_path):
    everyday = Everyday([("vrij", "verlof"), ("kan niet meer", "overbelasting")])
    index = SearchIndex(tmp_path / "index", Decompounder(["verlof", "zorg"]), everyday=everyday)
    index.rebuild(
        [
            doc("verlof", "Zorgverlof", "Je krijgt verlof van je werkgever voor de zorg."),
            doc("vrij", "Vrije dagen", "Neem een dag vrij als het nodig is."),
            doc("moe", "Overbelasting", "Overbelasting herken je aan slecht slapen."),
            doc("tuin", "Tuin", "Over de tuin en de zorg ervoor."),
        ]
    )
    yield index
    index.close()


def found(index, query):
    return {hit.slug for hit in index.search(index.words(query)).hits}


def test_an_everyday_word_finds_the_content_word_and_itself(index):
    # "verlof" through the compound part of "Zorgverlof" too; the word itself still counts.
    assert found(index, "vrij") == {"verlof", "vrij"}
    assert found(index, "verlof") == {"verlof"}


def test_a_phrase_is_searched_as_its_content_word(index):
    assert index.words("ik kan niet meer") == ["ik", "overbelasting"]
    assert found(index, "ik kan niet meer") == {"moe"}


def test_the_content_word_is_marked_in_the_snippet(index):
    hits = {hit.slug: hit for hit in index.search(index.words("vrij")).hits}
    assert "<mark>verlof</mark>" in hits["verlof"].snippet


def test_an_everyday_word_is_never_corrected_into_another(tmp_path):
    docs = [doc("voor", "Voor elke mantelzorger", "Wat een mantelzorger doet.")]
    plain = SearchIndex(tmp_path / "plain", Decompounder([]))
    plain.rebuild(docs)
    # Without a rule the speller takes the unknown word for a typo of a title word ...
    assert plain.suggest(["mantelzorgster"]) == "mantelzorger"
    plain.close()
    everyday = Everyday([("mantelzorgster", "mantelzorg")])
    index = SearchIndex(tmp_path / "index", Decompounder([]), everyday=everyday)
    index.rebuild(docs)
    # ... with one it is a known word, found through its content word.
    assert index.suggest(["mantelzorgster"]) is None
    assert [hit.slug for hit in index.search(["mantelzorgster"]).hits] == ["voor"]
    index.close()


def test_the_assistant_counts_an_everyday_word_as_held(index):
    forms = index.word_forms(index.words("vrij"))
    assert index.share_in(forms, "Zorgverlof aanvragen") == 1.0
    assert index.share_in(forms, "Over de tuin") == 0.0


def test_the_rules_are_read_with_notes_and_phrases():
    rules, wrong = Everyday.parse(
        "# note\n\nVrij = Verlof\nvrij = vakantie\neven weg = respijtzorg\n"
    )
    assert wrong == []
    assert rules.synonyms("vrij") == ("verlof", "vakantie")
    assert rules.phrases == {("even", "weg"): "respijtzorg"}


@pytest.mark.parametrize("line", ["vrij verlof", "vrij =", "= verlof", "vrij = verlof nemen"])
def test_a_line_that_is_not_a_rule_is_left_out_and_numbered(line):
    rules, wrong = Everyday.parse(f"# note\n{line}\ndoodmoe = overbelasting\n")
    assert wrong == [2]
    assert rules.words == {"doodmoe": ("overbelasting",)}


def test_the_editors_check_reports_a_line_that_is_not_a_rule(tmp_path, app):
    for name in ("site.toml", "zoekwoorden.txt"):
        (tmp_path / name).write_bytes((PROJECT_ROOT / "content" / name).read_bytes())
    (tmp_path / "spreektaal.txt").write_text("# note\nvrij verlof\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", "--dir", str(tmp_path)])
    assert "spreektaal.txt:2: geen regel" in result.output


def test_every_rule_of_the_content_file_can_work(search_app):
    """Each line of content/spreektaal.txt: lower case without accents, a single everyday word
    that is not a stop word (a stop word is never searched, so its rule would do nothing), not
    the same as its content word, and a content word that the starter content holds."""
    index = search_app.extensions["search_index"]
    everyday, wrong = Everyday.parse(LEXICON.read_text(encoding="utf-8"))
    assert not wrong
    assert everyday.words and everyday.phrases
    rules = [(w, c) for w, cs in everyday.words.items() for c in cs]
    rules += [(" ".join(p), c) for p, c in everyday.phrases.items()]
    problems = []
    for words, content in rules:
        if fold(words) != words or fold(content) != content:
            problems.append(f"{words} = {content}: write it lower case without accents")
        if words == content:
            problems.append(f"{words} = {content}: the same word")
        if " " not in words and not index.dutch.alternatives(words):
            problems.append(f"{words}: a stop word, never searched")
        if not index.search([content], partial=False).total:
            problems.append(f"{words} = {content}: no document holds {content!r}")
    assert not problems, problems


def test_the_site_search_uses_the_content_file(searcher, search_app):
    """On /zoeken: an everyday word of the file that the content never uses finds documents with
    its content word, without a "Bedoelde je" correction."""
    index = search_app.extensions["search_index"]
    reader = index.searcher().reader()
    everyday, _ = Everyday.parse(LEXICON.read_text(encoding="utf-8"))
    unused = [
        word
        for word in everyday.words
        if not any(("content", t.text) in reader for t in index.analyzer(word))
    ]
    assert unused, "every everyday word also occurs in the content"
    page = searcher.get("/zoeken", query_string={"q": unused[0]}).get_data(as_text=True)
    assert "Geen resultaten" not in page
    assert "Bedoelde je" not in page
    assert "<mark>" in page


def test_an_edited_file_is_used_without_a_restart(tmp_path, database_url, starter_index):
    folder = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", folder)
    app = build_app(
        tmp_path, database_url, CONTENT_DIR=str(folder), SEARCH_INDEX_DIR=str(starter_index)
    )
    client = app.test_client()

    def found() -> str:
        page = client.get("/zoeken", query_string={"q": "snipperdag", "precies": "1"})
        return page.get_data(as_text=True)

    assert "Geen resultaten voor" in found()
    with (folder / "spreektaal.txt").open("a", encoding="utf-8") as lexicon:
        lexicon.write("\nsnipperdag = verlof\n")
    page = found()
    assert "Geen resultaten voor" not in page
    assert "verlof</mark>" in page.lower()
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("ik kan niet meer", "overbelasting-herkennen"),
        ("ik kan het niet meer aan", "overbelasting-herkennen"),
        ("ik ben doodmoe", "overbelasting-herkennen"),
        ("opgebrand", "overbelasting-herkennen"),
        ("parkinson", "parkinson"),
        ("mijn vader heeft parkinson", "parkinson"),
        ("struikelt", "valpreventie-thuis"),
        ("halsalarm", "personenalarmering"),
        ("kangoeroewoning", "mantelzorgwoning"),
        ("rompslomp", "mantelzorgmakelaar"),
        ("geheugenverlies", "dementie-eerste-signalen"),
        ("pillenwekker", "medicijnen-beheren"),
        ("woningbouwvereniging", "samen-gaan-wonen"),
        ("betaald vrij", "kortdurend-zorgverlof"),
    ],
)
def test_an_everyday_word_finds_the_article_on_its_subject(searcher, query, slug):
    page = searcher.get("/zoeken", query_string={"q": query}).get_data(as_text=True)
    first_three = [hit.split("</li>")[0] for hit in page.split('class="zg-hit"')[1:4]]
    assert any(f'/{slug}"' in hit for hit in first_three), query


def test_a_phrase_about_what_the_person_cared_for_can_no_longer_do_stays_as_typed(search_app):
    # "ik kan niet meer" is the caregiver at the end of their strength; "hij kan niet meer
    # praten" is about the person cared for, and is searched with its own words.
    index = search_app.extensions["search_index"]
    assert "overbelasting" in index.words("ik kan niet meer")
    assert "overbelasting" not in index.words("mijn man kan niet meer praten na een beroerte")
    assert "overbelasting" not in index.words("mijn vader loopt steeds even weg uit huis")
    assert "respijtzorg" in index.words("ik wil even weg van de zorg")


def test_the_rules_written_for_an_item_find_it(search_app):
    """Under a heading that names an article, video or page (`# slug`), the rules are that
    item's everyday words: each, searched alone, should find it among the first three. Shop
    products may come first for some (a "looprekje" finds the rollators on sale); the share is
    held as a floor (353 rules under such a heading, 342 find their item, Dec 2026)."""
    index = search_app.extensions["search_index"]
    with search_app.app_context():
        slugs = {doc.slug for doc in service.documents() if doc.kind != "product"}
    item, checked, missed = None, 0, []
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            item = line[1:].strip() if line[1:].strip() in slugs else None
        elif "=" in line and item:
            words = line.split("=")[0].strip()
            checked += 1
            first = [hit.slug for hit in index.search(index.words(words)).hits[:3]]
            if item not in first:
                missed.append(f"{item}: {line} -> {first}")
    assert checked >= 300, checked
    assert (checked - len(missed)) / checked >= 0.95, missed
