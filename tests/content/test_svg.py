"""An editor's SVG drawing is refused, with the line, when it could run a script or reach
outside the file; a plain drawing passes and gives its proportions."""

import pytest

from app.content.svg import MAX_BYTES, check_svg

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def drawing(inner: str, attributes: str = "") -> bytes:
    return f'{HEAD} viewBox="0 0 160 120"{attributes}>\n{inner}\n</svg>'.encode()


def messages(data: bytes) -> list[str]:
    return [message for _, message in check_svg(data).problems]


def test_a_plain_drawing_passes_and_gives_its_proportions():
    data = drawing(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#0b5a55"/></linearGradient>'
        '</defs><style>rect { fill: url(#g); }</style><rect width="10" height="10" '
        'fill="url( #g )"/><use href="#g"/><use xlink:href="#g"/><title>Rollator</title>'
    )
    check = check_svg(data)
    assert check.problems == []
    assert (check.width, check.height) == (160, 120)


@pytest.mark.parametrize(
    ("inner", "attributes", "expected"),
    [
        ("<script>alert(1)</script>", "", "<script> mag niet in een tekening"),
        (
            '<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
            "</foreignObject>",
            "",
            "<foreignObject> mag niet in een tekening",
        ),
        ("", ' onload="alert(1)"', "het attribuut 'onload' mag niet"),
        ('<rect width="9" height="9" onclick="x()"/>', "", "het attribuut 'onclick' mag niet"),
        (
            '<image href="http://example.org/a.png"/>',
            "",
            "de verwijzing 'http://example.org/a.png'",
        ),
        ('<image xlink:href="https://example.org/a.png"/>', "", "de verwijzing 'https://example"),
        ('<use href="//example.org/s.svg#a"/>', "", "de verwijzing '//example.org/s.svg#a'"),
        ('<image href="data:image/png;base64,AAAA"/>', "", "de verwijzing 'data:image/png"),
        ('<a href="javascript:alert(1)"><rect/></a>', "", "de verwijzing 'javascript:alert(1)'"),
        ('<use href="andere.svg#a"/>', "", "de verwijzing 'andere.svg#a'"),
        (
            '<rect fill="url(https://example.org/p.svg#p)"/>',
            "",
            "'fill' verwijst met url(…) naar iets buiten de tekening",
        ),
        (
            "<rect style=\"fill: url('//example.org/p')\"/>",
            "",
            "een stijl verwijst met url(…) naar iets buiten de tekening",
        ),
        ("<style>@import 'https://example.org/a.css';</style>", "", "@import mag niet"),
        (
            '<set attributeName="href" to="javascript:alert(1)"/>',
            "",
            "een animatie mag 'href' niet veranderen",
        ),
    ],
    ids=[
        "script",
        "foreignObject",
        "onload",
        "onclick",
        "http-href",
        "https-xlink-href",
        "protocol-relative",
        "data",
        "javascript",
        "other-file",
        "url-attribute",
        "url-style",
        "import",
        "animated-href",
    ],
)
def test_each_unsafe_part_is_refused_at_its_line(inner, attributes, expected):
    problems = check_svg(drawing(inner, attributes)).problems
    assert len(problems) == 1, problems
    line, message = problems[0]
    assert message.startswith(expected), message
    assert line == (1 if attributes else 2)


def test_a_doctype_with_entities_is_refused():
    data = b'<!DOCTYPE svg [<!ENTITY a "b">]>\n' + drawing("<text>&a;</text>")
    assert messages(data) == ["een DOCTYPE of entiteiten mogen niet in een tekening"]


def test_broken_xml_is_reported_with_its_line():
    problems = check_svg(drawing("<g>\n<rect/>")).problems
    assert problems[-1][1].startswith("geen geldige XML")
    assert problems[-1][0] == 4


@pytest.mark.parametrize(
    "data",
    [
        b'<svg viewBox="0 0 10 10"/>',  # no SVG namespace
        b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
)
def test_only_an_svg_passes(data):
    assert messages(data) == [
        'het bestand begint niet met <svg xmlns="http://www.w3.org/2000/svg">'
    ]


@pytest.mark.parametrize("view_box", ["", ' viewBox="0 0 0 120"', ' viewBox="0 0 wide 120"'])
def test_a_drawing_needs_a_view_box(view_box):
    data = f'<svg xmlns="http://www.w3.org/2000/svg"{view_box}/>'.encode()
    assert messages(data) == [
        '<svg> heeft geen geldige viewBox (bijvoorbeeld viewBox="0 0 160 120")'
    ]


def test_a_huge_file_is_refused_unread():
    data = drawing("<!--" + "x" * MAX_BYTES + "-->")
    assert messages(data) == ["de tekening is groter dan 100 kB: maak hem eenvoudiger"]
