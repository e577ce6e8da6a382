"""The intake questionnaire as defined in `content/vragenlijsten/intake.toml`, validated."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.content.files import Problem
from app.content.site import SiteInfo
from app.content.store import Source


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    # In a multiple-choice question: an answer that cannot go with the others ("Geen van beide").
    exclusive: bool = False


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: int
    max: int
    tags: list[str]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    type: Literal["single", "multiple", "number", "text"]
    label: str = Field(min_length=1)
    help: str = ""
    health: bool = False
    options: list[Option] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    unit: str = ""
    ranges: list[Range] = Field(default_factory=list)
    max_length: int = 80
    # A text question whose answer must be a Dutch municipality (checked against the CBS list).
    municipality: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type in ("single", "multiple") and not self.options:
            raise ValueError(f"vraag '{self.key}' ({self.type}) heeft geen antwoorden (options)")
        if self.type == "number" and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError(f"vraag '{self.key}' (number) heeft een geldige min en max nodig")
        return self

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def tags_for(self, answer) -> list[str]:
        """The profile tags an answer gives."""
        if self.type == "single":
            option = self.option(answer)
            return option.tags if option else []
        if self.type == "multiple":
            return [t for value in answer if (option := self.option(value)) for t in option.tags]
        if self.type == "number":
            return [t for r in self.ranges if r.min <= answer <= r.max for t in r.tags]
        return []

    def describe(self, answer) -> str:
        """The answer in words, as the caregiver chose it (an option that no longer exists is
        shown by its stored value rather than dropped)."""
        if self.type == "single":
            option = self.option(answer)
            return option.label if option else str(answer)
        if self.type == "multiple":
            labels = {o.value: o.label for o in self.options}
            return ", ".join(labels.get(v, str(v)) for v in answer)
        if self.type == "number":
            return f"{answer} {self.unit}".strip()
        return str(answer)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    title: str
    health_consent: bool = False
    questions: list[Question]


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    title: str
    intro: str = ""
    steps: list[Step]
    # Per topic, the article and product tags that belong to it: a topic in the profile also
    # matches items carrying these tags (products have no topics of their own).
    topic_tags: dict[str, list[str]] = Field(default_factory=dict)

    def question(self, key: str) -> Question | None:
        return next((q for s in self.steps for q in s.questions if q.key == key), None)

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.steps for q in s.questions]


REL = "vragenlijsten/intake.toml"


def path(content_dir: Path) -> Path:
    return content_dir / REL


def load(content_dir: Path) -> Questionnaire:
    """Read and validate the questionnaire; raises ValueError with a Dutch message."""
    try:
        data = tomllib.loads(path(content_dir).read_text(encoding="utf-8"))
        return Questionnaire.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as error:
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class Loaded:
    """The questionnaire as the content source holds it: None when the file is unusable."""

    questionnaire: Questionnaire | None
    problems: list[Problem]


def read(content_dir: Path, site: SiteInfo) -> Loaded:
    """The questionnaire and what an editor must fix in it (the content source's build)."""
    try:
        questionnaire = load(content_dir)
    except ValueError as error:
        first = str(error).splitlines()
        return Loaded(None, [Problem(REL, 1, "de vragenlijst is ongeldig: " + " ".join(first[:3]))])
    return Loaded(questionnaire, check(questionnaire, content_dir, site))


SOURCE = Source("questionnaire", (REL,), read)


def check(questionnaire: Questionnaire, content_dir: Path, site: SiteInfo) -> list[Problem]:
    """Problems in a questionnaire that was read, for `flask content check`."""
    rel = REL
    problems = []
    known = set(site.audience) | site.topic_slugs
    keys: set[str] = set()
    source = path(content_dir).read_text(encoding="utf-8").splitlines()

    def line_of(text: str) -> int:
        return next((n for n, line in enumerate(source, start=1) if text in line), 1)

    for question in questionnaire.questions:
        if question.key in keys:
            problems.append(
                Problem(
                    rel,
                    line_of(f'key = "{question.key}"'),
                    f"de vraag '{question.key}' staat er twee keer in",
                )
            )
        keys.add(question.key)
        tags = [t for o in question.options for t in o.tags] + [
            t for r in question.ranges for t in r.tags
        ]
        for tag in tags:
            if tag not in known:
                problems.append(
                    Problem(
                        rel,
                        line_of(f'"{tag}"'),
                        f"onbekende tag '{tag}' (geen doelgroep of onderwerp)",
                    )
                )
            elif not question.health and site.audience.get(tag) and site.audience[tag].health:
                problems.append(
                    Problem(
                        rel,
                        line_of(f'"{tag}"'),
                        f"de gezondheidstag '{tag}' hoort bij een vraag met health = true",
                    )
                )
    for topic, related in questionnaire.topic_tags.items():
        if topic not in site.topic_slugs:
            problems.append(
                Problem(
                    rel,
                    line_of(f"{topic} ="),
                    f"topic_tags: '{topic}' is geen onderwerp uit site.toml",
                )
            )
        for tag in related:
            if site.audience.get(tag) and site.audience[tag].health:
                problems.append(
                    Problem(
                        rel,
                        line_of(f"{topic} ="),
                        f"topic_tags: de gezondheidstag '{tag}' mag niet bij een onderwerp horen",
                    )
                )
            elif not re.fullmatch(r"[a-z0-9-]+", tag):
                problems.append(
                    Problem(rel, line_of(f"{topic} ="), f"topic_tags: ongeldige tag '{tag}'")
                )
    for step in questionnaire.steps:
        if any(q.health for q in step.questions) and not step.health_consent:
            problems.append(
                Problem(
                    rel,
                    line_of(f'key = "{step.key}"'),
                    f"stap '{step.key}' stelt gezondheidsvragen zonder health_consent = true",
                )
            )
    return problems
