"""Words of someone who may be in danger. A search for them (and, later, a question to the
assistant) is answered first with who to call now: 113 Zelfmoordpreventie, 112, Veilig Thuis
and the Hulplijn.

The check looks for phrasings, not single alarming words: "doodmoe", "ik kan niet meer", a
question about euthanasia, grief or the fall risk of a parent are what a tired caregiver types
every day and must not be met with a crisis line. It leans towards showing the numbers when a
sentence says that someone wants to die, hurts themselves, is hurt, threatened or abused, or
is in acute danger: showing them once too often costs little.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class HelpLine:
    name: str
    number: str
    tel: str
    when: str
    url: str | None = None


# Fixed on purpose: these are national numbers, not content an editor changes.
HELP_LINES = (
    HelpLine(
        "113 Zelfmoordpreventie",
        "0800-0113",
        "08000113",
        "dag en nacht, gratis en anoniem, om te praten of te chatten",
        "https://www.113.nl",
    ),
    HelpLine("Alarmnummer", "112", "112", "bij direct gevaar: politie, ambulance, brandweer"),
    HelpLine(
        "Veilig Thuis",
        "0800-2000",
        "08002000",
        "dag en nacht, gratis; bij huiselijk geweld, mishandeling of misbruik, ook van ouderen",
        "https://www.veiligthuis.nl",
    ),
)

SOMEONE = r"(?:hem|haar|mij|me|mijn \w+|m'n \w+)"
PATTERNS = [
    # Wanting to die, suicide.
    r"zelfmoord",
    r"su[iï]cid",
    r"zelfdoding",
    r"doodswens",
    # "niet meer zijn" only where "zijn" ends the thought (not "niet meer zijn verzorger").
    r"\b(?:wil|wilde|wou|willen|zou)(?: ik)? (?:er )?(?:liefst |liever |gewoon |eigenlijk )?"
    r"niet meer (?:leven|bestaan|zijn(?=$| en | maar | want | omdat | door | of ))",
    r"\bniet meer (?:verder )?(?:willen|wil) leven\b",
    r"\bliever dood\b",
    r"\bdood (?:wil|wilde|wou|willen)\b",
    r"\bwas ik (?:maar )?dood\b",
    r"\b(?:ik|hij|zij|ze|vader|moeder|man|vrouw) wil(?:de)? (?:graag )?dood\b",
    r"\b(?:een )?einde? (?:aan|maken aan) (?:mijn|m'n|zijn|haar|het) (?:eigen )?leven\b",
    r"\ber een einde? aan (?:maken|te maken)\b",
    r"\b(?:maak|maken|maakte) er een einde? aan\b",
    r"\b(?:mijn|m'n) leven (?:beeindigen|beëindigen|stoppen)\b",
    r"\bmezelf (?:van kant|om het leven|doden|ophangen|iets aan)",
    r"\bmezelf (?:iets )?aan(?:doen|doe)\b",
    r"\bniet meer wakker (?:te )?worden\b",
    r"\balle (?:slaap)?(?:pillen|medicijnen|tabletten) (?:in ?nemen|slikken|opnemen)\b",
    r"\bvoor (?:de|een) trein\b",
    r"\bvan (?:een |de )?(?:flat|brug|dak) (?:af )?(?:springen|spring)\b",
    r"\b(?:het|mijn|m'n) leven (?:heeft|is) geen zin\b",
    r"\bgeen zin meer in (?:het|mijn|m'n) leven\b",
    r"\b(?:het )?leven is zinloos\b",
    # Hurting oneself.
    r"\bmezelf (?:snijden|snij|pijn doen|beschadigen|krassen|verwonden)\b",
    r"\bsnijd (?:ik )?(?:in )?mezelf\b",
    r"zelfbeschadiging",
    r"automutilatie",
    # Violence, threats, abuse, neglect.
    r"mishandel",
    r"\bhuiselijk geweld\b",
    r"\bgeweld\b",
    rf"\b(?:slaat|sloeg|schopt|schopte|duwt|duwde|wurgt|knijpt) {SOMEONE}\b",
    r"\b(?:hij|zij|ze|mijn \w+|m'n \w+) (?:slaat|schopt|bedreigt|sloeg|schopte)\b",
    r"\bgeslagen\b",
    r"\bbedreig",
    rf"\bdreigt (?:{SOMEONE} )?(?:te|met)\b",
    r"verkracht",
    r"\b(?:seksueel|financieel) misbruik",
    rf"\bmisbruik(?:t|te)? {SOMEONE}\b",
    r"\bouderenmishandeling\b",
    r"\bbang (?:voor|van) (?:hem|haar|mijn (?:man|vrouw|partner|vader|moeder|zoon|dochter"
    r"|broer|zus))\b",
    rf"\b{SOMEONE} iets aan(?:doe|doen)\b",
    r"\bvermoord",
    r"\bwurg",
    r"\b(?:niet|nooit) (?:meer )?veilig (?:thuis|in huis)\b",
    r"\bthuis (?:niet|nooit) (?:meer )?veilig\b",
    r"\bonveilig (?:thuis|in huis)\b",
    r"\bverwaarloos",
    # Acute danger.
    r"\bin (?:acuut )?gevaar\b",
    r"levensgevaar",
    r"\bademt niet\b",
    r"\bbewusteloos\b",
    r"\breageert niet meer\b",
]
CRISIS = re.compile("|".join(f"(?:{p})" for p in PATTERNS))


def _plain(text: str) -> str:
    """Lower case, accents off (so "suïcide" and "suicide" are one), spaces collapsed."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w' ]+", " ", folded).split())


def needs_help_now(text: str) -> bool:
    """Whether `text` may come from someone in danger (see the module's description)."""
    return bool(text) and CRISIS.search(_plain(text)) is not None
