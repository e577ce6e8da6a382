"""Checking an SVG drawing an editor commits, before the site serves it.

A drawing is shown with `<img>`, where a browser runs no script and loads nothing else, but the
same file can also be opened on its own, where it could. So a drawing may hold shapes, text and
styles, and nothing that runs or reaches outside the file: no `<script>`, no `<foreignObject>`,
no `on…` attributes, no link or `url(…)` other than `#…` to a part of the same file, no
`@import`, no DOCTYPE or entities. The file is read with a real XML parser (defusedxml, which
also refuses entity tricks), never with text searches.
"""

from __future__ import annotations

import io
import re
import xml.sax
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import Locator

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.sax import make_parser

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_BYTES = 100_000
FORBIDDEN_ELEMENTS = {"script", "foreignobject"}
# url(...) whose target is not '#...' in the same file (quotes and spaces allowed).
OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?![\s'\"#])", re.I)
IMPORT = re.compile(r"@import", re.I)


@dataclass
class SvgCheck:
    """What the check found: `problems` as (line, message), and the drawing's proportions
    from its viewBox (0 when it has none)."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    width: float = 0
    height: float = 0


class _Inspector(ContentHandler):
    def __init__(self, check: SvgCheck) -> None:
        super().__init__()
        self.check = check
        self.depth = 0
        self.in_style = False
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - the SAX name
        self.locator = locator

    def _line(self) -> int:
        return (self.locator.getLineNumber() or 1) if self.locator else 1

    def _add(self, message: str) -> None:
        self.check.problems.append((self._line(), message))

    def startElementNS(self, name, qname, attrs) -> None:  # noqa: N802 - the SAX name
        namespace, local = name
        if self.depth == 0:
            self._root(namespace, local, attrs)
        self.depth += 1
        if local.lower() in FORBIDDEN_ELEMENTS:
            self._add(f"<{local}> mag niet in een tekening")
        self.in_style = local == "style"
        for (_, attribute), value in attrs.items():
            self._attribute(attribute, value)

    def endElementNS(self, name, qname) -> None:  # noqa: N802 - the SAX name
        self.depth -= 1
        self.in_style = False

    def characters(self, content: str) -> None:
        if self.in_style:
            self._style(content)

    def _root(self, namespace: str | None, local: str, attrs) -> None:
        if (namespace, local) != (SVG_NAMESPACE, "svg"):
            self._add(f'het bestand begint niet met <svg xmlns="{SVG_NAMESPACE}">')
            return
        numbers = re.split(r"[\s,]+", (attrs.get((None, "viewBox")) or "").strip())
        try:
            _, _, width, height = (float(n) for n in numbers)
        except ValueError:
            width = height = 0
        if width <= 0 or height <= 0:
            self._add('<svg> heeft geen geldige viewBox (bijvoorbeeld viewBox="0 0 160 120")')
        else:
            self.check.width, self.check.height = width, height

    def _attribute(self, attribute: str, value: str) -> None:
        if attribute.lower().startswith("on"):
            self._add(f"het attribuut '{attribute}' mag niet (het zou een script starten)")
        elif attribute == "href" and not value.strip().startswith("#"):
            self._add(
                f"de verwijzing '{value[:60]}' gaat buiten de tekening: alleen '#…' naar een "
                "deel van hetzelfde bestand mag"
            )
        elif attribute == "attributeName" and (
            value.lower().startswith("on") or value.endswith("href")
        ):
            self._add(f"een animatie mag '{value}' niet veranderen")
        elif attribute == "style":
            self._style(value)
        elif OUTSIDE_URL.search(value):
            self._add(f"'{attribute}' verwijst met url(…) naar iets buiten de tekening")

    def _style(self, text: str) -> None:
        if IMPORT.search(text):
            self._add("@import mag niet in een tekening")
        if OUTSIDE_URL.search(text):
            self._add("een stijl verwijst met url(…) naar iets buiten de tekening")


def check_svg(data: bytes) -> SvgCheck:
    """Read `data` as an SVG drawing and list what is wrong with it (empty when it is safe to
    serve). Never raises for bad input: a parse error is a problem like any other."""
    check = SvgCheck()
    if len(data) > MAX_BYTES:
        check.problems.append(
            (1, f"de tekening is groter dan {MAX_BYTES // 1000} kB: maak hem eenvoudiger")
        )
        return check
    parser = make_parser()
    parser.forbid_dtd = True  # an SVG needs no DOCTYPE; one could declare entities
    parser.setFeature(feature_namespaces, True)
    inspector = _Inspector(check)
    parser.setContentHandler(inspector)
    try:
        parser.parse(io.BytesIO(data))
    except (DTDForbidden, EntitiesForbidden):
        check.problems.append((1, "een DOCTYPE of entiteiten mogen niet in een tekening"))
    except DefusedXmlException as error:
        check.problems.append((1, f"de tekening is niet veilig te lezen: {error}"))
    except xml.sax.SAXParseException as error:
        check.problems.append(
            (error.getLineNumber() or 1, f"geen geldige XML: {error.getMessage()}")
        )
    return check
