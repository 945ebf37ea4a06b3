"""React's streamed rendering: hidden segments put where the page's scripts would put them."""
from __future__ import annotations

import pytest

from scraper.extractors import streaming
from scraper.extractors.page import parse_html


def _text(page: str, tag: str = "main") -> str:
    return "".join(parse_html(f"<html><body>{page}</body></html>").find(f".//{tag}").itertext())


def _hidden_ids(page: str) -> list[str]:
    root = parse_html(f"<html><body>{page}</body></html>")
    return [el.get("id") for el in root.iter() if el.get("hidden") is not None and el.get("id")]


def test_segments_go_to_the_placeholders_of_their_number_without_scripts():
    page = ('<main><h1>T</h1><!--$?--><template id="B:0"></template><div>Loading…</div>Loading<!--/$-->'
            '<p>after</p><template id="B:1"></template><div>Loading, no markers</div></main>'
            '<div hidden id="S:1"><p>second part</p></div>'
            '<div hidden id="S:0">lead <p>first part</p><div><template id="P:2"></template> kept</div>tail</div>'
            '<div hidden id="S:2"><p>nested</p></div><div hidden id="S:9"><p>no placeholder</p></div>')
    # The boundary's fallback goes with its markers; without them, the fallback cannot be told.
    assert _text(page) == "Tlead first partnested kepttailaftersecond partLoading, no markers"
    assert _hidden_ids(page) == ["S:9"]


def test_the_scripts_say_which_segment_goes_where():
    # React 18 numbers boundaries and segments apart: S:1 belongs in B:0, S:2 in B:1.
    page = ('<main><!--$?--><template id="B:0"></template><p>Loading A</p><!--/$--></main>'
            '<aside><!--$?--><template id="B:1"></template><p>Loading B</p><!--/$--></aside>'
            '<div hidden id="S:1"><p>the article</p></div><div hidden id="S:2"><p>the aside</p></div>'
            '<script>$RC("B:0","S:1")</script><script>$RC("B:1","S:2")</script>')
    assert _text(page) == "the article"
    assert _text(page, "aside") == "the aside"


@pytest.mark.parametrize("page, tag, text", [
    pytest.param('<main><p>before <template id="P:3"></template> after</p></main><div hidden id="S:3"><b>middle</b></div>',
                 "main", "before middle after", id="a bare segment keeps the text around its placeholder"),
    pytest.param('<main><!--$?--><template id="B:0"></template><!--$--><p>inner skeleton</p><!--/$-->'
                 '<p>outer skeleton</p><!--/$--><p>after</p></main><div hidden id="S:0"><p>content</p></div>',
                 "main", "contentafter", id="a boundary nested in a fallback goes with it"),
    pytest.param('<main><!--$?--><template id="B:0"></template>Loading…<!--/$--> end</main>'
                 '<div hidden id="S:0">text</div>', "main", "text end", id="the fallback's text right after the placeholder"),
    # P:n holds segment S:n in every React version; B:n holds S:n only where the counters agree.
    pytest.param('<main><!--$?--><template id="B:1"></template><p>Loading</p><!--/$--></main>'
                 '<aside><template id="P:1"></template></aside><div hidden id="S:1"><p>segment</p></div>',
                 "aside", "segment", id="without scripts P:n before B:n"),
    pytest.param('<main><table><tbody><tr><td>head</td></tr><template id="P:1"></template></tbody></table></main>'
                 '<table hidden><tbody id="S:1"><tr><td>row</td></tr></tbody></table>',
                 "main", "headrow", id="rows streamed into a table"),
])
def test_placed_text(page, tag, text):
    assert _text(page, tag) == text


@pytest.mark.parametrize("page", [
    # Two placeholders with one id: which one is meant cannot be told.
    '<main><template id="B:0"></template><p>Loading A</p><template id="B:0"></template></main>'
    '<div hidden id="S:0"><p>content</p></div>',
    # Broken markup: the placeholder inside its own segment.
    '<main></main><div hidden id="S:0"><p>content</p><template id="B:0"></template></div>',
])
def test_an_ambiguous_or_broken_segment_stays_hidden(page):
    assert _hidden_ids(page) == ["S:0"]


def test_past_the_cap_segments_stay_hidden(monkeypatch):
    monkeypatch.setattr(streaming, "MAX_SEGMENTS", 2)
    page = "<main>" + "".join(f'<template id="P:{i}"></template>' for i in range(3)) + "</main>" + "".join(
        f'<div hidden id="S:{i}"><p>{i}</p></div>' for i in range(3))
    assert _text(page) == "01"
    assert _hidden_ids(page) == ["S:2"]


@pytest.mark.parametrize("instructions", [
    '<script>$RS("S:7","P:3")</script><script>$RR("B:4","S:8",[])</script>',
    # React's external runtime writes the instructions as template data instead of scripts.
    '<template data-rsi="" data-sid="S:7" data-pid="P:3"></template>'
    '<template data-rci="" data-bid="B:4" data-sid="S:8"></template>',
])
def test_segment_and_boundary_instructions_name_their_placeholders(instructions):
    page = ('<main><p>one <template id="P:3"></template></p><!--$?--><template id="B:4"></template><p>Loading</p>'
            '<!--/$--></main><div hidden id="S:7">seven</div><div hidden id="S:8"><p>eight</p></div>' + instructions)
    assert _text(page) == "one seveneight"


def test_a_fallback_longer_than_a_skeleton_or_two_is_left_alone():
    skeleton = "<p>row</p>" * 20  # past the twelve nodes a fallback may hold: markup too broken to tell
    page = (f'<main><!--$?--><template id="B:0"></template>{skeleton}<!--/$--></main>'
            '<div hidden id="S:0"><p>content</p></div>')
    assert _text(page) == "content" + "row" * 20


def test_the_text_between_segments_stays_where_it_was():
    placeholders = "".join(f'<template id="P:{i}"></template>' for i in range(400))
    page = (f"<main><p>start {placeholders}</p></main>"
            + "".join(f'<div hidden id="S:{i}">w{i} </div>tail{i} ' for i in range(400)))
    text = _text(page)
    assert text.startswith("start w0 w1 ") and text.endswith("w399 ") and "tail" not in text
    assert "tail399" in _text(page, "body")


def test_a_placeholder_gone_with_another_fallback_keeps_its_segment_in_the_page():
    page = ('<main><!--$?--><template id="B:0"></template><div><template id="P:5"></template></div><!--/$-->'
            '</main><div hidden id="S:0">zero</div><div hidden id="S:5">five</div>')
    assert _text(page) == "zero"
    assert _hidden_ids(page) == ["S:5"]  # not moved out of the page with the fallback
