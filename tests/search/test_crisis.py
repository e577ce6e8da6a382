"""Someone who may be in danger gets the crisis numbers first (issue 16, point 6): at least 30
crisis phrasings, direct and indirect, must be recognised, and 30 ordinary sentences of a tired
caregiver must not be."""

import pytest

from app.search.crisis import needs_help_now

CRISIS = [
    "ik wil er niet meer zijn",
    "Ik wil niet meer leven",
    "soms wil ik gewoon niet meer zijn",
    "ik denk aan zelfmoord",
    "zelfmoordgedachten door mantelzorg",
    "suïcidale gedachten",
    "ik ben suicidaal",
    "was ik maar dood",
    "ik ben liever dood dan dit nog jaren te doen",
    "ik wil dood",
    "mijn moeder zegt steeds dat ze dood wil",
    "ik wil een einde aan mijn leven maken",
    "ik maak er een eind aan",
    "hoe kan ik er een einde aan maken",
    "ik wil mezelf van kant maken",
    "ik doe mezelf iets aan",
    "ik wil gewoon niet meer wakker worden",
    "ik heb alle pillen van mijn vader en wil ze innemen, alle pillen slikken",
    "ik sta op het punt voor de trein te springen",
    "mijn leven heeft geen zin meer",
    "ik snijd mezelf als het te veel wordt",
    "ik doe mezelf pijn doen om het vol te houden",
    "zelfbeschadiging bij mantelzorgers",
    "mijn man slaat me",
    "mijn vader slaat mij als hij boos is",
    "hij bedreigt mij",
    "mijn broer dreigt me te slaan",
    "ik ben bang voor mijn zoon",
    "ouderenmishandeling melden",
    "ik denk dat mijn oma wordt mishandeld in het verpleeghuis",
    "huiselijk geweld",
    "mijn moeder wordt financieel misbruikt door de buren",
    "ik ben bang dat ik mijn moeder iets aandoe",
    "ik voel me thuis niet meer veilig",
    "mijn vader ademt niet",
    "mijn moeder is bewusteloos",
    "mijn vader wordt verwaarloosd door zijn thuiszorg",
    "Ik ben verkracht",
]

ORDINARY = [
    "ik ben doodmoe en kan het niet meer aan",
    "ik kan niet meer",
    "ik ben op",
    "ik ben uitgeput en slaap slecht",
    "overbelast door de zorg voor mijn moeder",
    "mijn moeder is overleden, wat nu",
    "rouw na het overlijden van mijn vader",
    "euthanasie bij dementie",
    "wat als mijn vader doodgaat",
    "testament en levenstestament",
    "palliatieve zorg in de laatste levensfase",
    "mijn vader valt vaak",
    "valgevaar thuis verkleinen",
    "fraude met het pgb",
    "ik heb geen zin meer om te koken",
    "ik word gek van de formulieren",
    "ik schiet tekort",
    "ik voel me schuldig als ik vrij neem",
    "agressie bij dementie",
    "mijn moeder wil niet meer eten",
    "ik wil niet meer alles alleen doen",
    "ik wil er even tussenuit",
    "het heeft allemaal geen zin met die gemeente",
    "ik ben doodsbang dat mijn moeder valt",
    "respijtzorg aanvragen",
    "mantelzorgwoning in de tuin",
    "mijn vader schreeuwt tegen de verpleging",
    "pijn bij artrose",
    "veilig wonen met dementie",
    "zorgverlof van mijn werk",
    "hulp bij het huishouden via de wmo",
    "dagbesteding voor mijn man",
    "ik wil niet meer zijn verzorger zijn",
]


def test_the_sets_are_large_enough():
    assert len(CRISIS) >= 30 and len(ORDINARY) >= 30


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_phrasings_get_the_numbers(text):
    assert needs_help_now(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_sentences_of_a_tired_caregiver_do_not(text):
    assert not needs_help_now(text)


def test_empty_and_odd_input():
    assert not needs_help_now("")
    assert not needs_help_now("   ")
    assert not needs_help_now("\x00\x01")
    assert needs_help_now("IK WIL ER NIET MEER ZIJN!!!")
    assert needs_help_now("ik  wil   er niet meer\tzijn")


LIVE = {"HX-Request": "true", "HX-Trigger": "zoekveld", "HX-Target": "zoekresultaten"}


@pytest.mark.parametrize("headers", [{}, LIVE], ids=["page", "as-you-type"])
def test_a_search_for_crisis_words_shows_the_numbers_above_the_results(searcher, headers):
    html = searcher.get("/zoeken?q=ik wil er niet meer zijn", headers=headers).get_data(
        as_text=True
    )
    box = html.index('id="crisis-kop"')
    assert box < html.index('id="resultaten-kop"')
    for text in ("113 Zelfmoordpreventie", "tel:08000113", "tel:112", "Veilig Thuis", "0800-2000"):
        assert text in html, text
    assert 'href="tel:+31854016867"' in html[box:]  # the Hulplijn too


def test_an_ordinary_search_shows_no_crisis_numbers(searcher):
    html = searcher.get("/zoeken?q=ik ben doodmoe en kan het niet meer aan").get_data(as_text=True)
    assert 'id="crisis-kop"' not in html and "0800-0113" not in html
