from __future__ import annotations

from datetime import date

import pytest

from retold.clean import clean, find_boilerplate, page_date


def test_furniture_lines_are_set_apart_by_shape() -> None:
    text = (
        "Get our morning briefing in your inbox - sign up now\n"
        "The council approved the new bridge on Tuesday. Work starts in May.\n"
        "Share this: Facebook | X | Email\n"
        "Map widget failed to load. Please enable JavaScript\n"
    )
    doc = clean(text)
    assert [b.text for b in doc.boilerplate] == [
        "Get our morning briefing in your inbox - sign up now",
        "Share this: Facebook | X | Email",
        "Map widget failed to load. Please enable JavaScript",
    ]
    assert [s.text for s in doc.sentences] == [
        "The council approved the new bridge on Tuesday.", "Work starts in May."
    ]
    for b in doc.boilerplate:
        assert text[b.start : b.end] == b.text


def test_news_prose_with_cue_words_is_content() -> None:
    text = (
        "Shares in the firm rose after it said subscriptions to its newsletter service had doubled, "
        "according to figures released by the company on Monday.\n"
    )
    assert find_boilerplate(text) == []


_STORY = (
    "The council approved the new bridge on Tuesday after a long debate about its cost.\n\n"
    "Work starts in May and should take two years, the council said in a statement.\n"
)


# One line of page furniture, of kinds a single cue word does not make: a lone marker, a labelled
# field of the page, a byline, the page's own date, a copyright line, a handle, the page naming
# itself, and the page speaking to its reader.
@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Loading...",
        "Photo: Reuters",
        "Source: Evening Gazette",
        "By Tom Hale, Transport Editor",
        "Updated 14 March 2024, 09:12",
        "© Evening Gazette 2024",
        "Follow @gazettenews for more",
        "Did you like this article?",
        "Get the top stories on your phone every morning",
    ],
)
def test_a_single_furniture_line_is_set_apart(line: str) -> None:
    for text in (f"Bridge approved\n\n{line}\n{_STORY}", f"Bridge approved\n\n{_STORY}\n{line}\n"):
        assert [b.text for b in clean(text).boilerplate] == [line]


@pytest.mark.parametrize(
    "text",
    [
        # a headline with a media word, or speaking to its reader
        "Video games boost toy sales\n\n" + _STORY,
        "Your pension and the new rules\n\n" + _STORY,
        # prose about pictures and printing, and a quote that speaks to its listener
        "Owners store pictures online, share their pictures with family and print out their photos, "
        "the survey of 2,000 camera owners found.\n",
        '"You have to see the new bridge to believe it," said the mayor.\n',
    ],
)
def test_headlines_and_prose_with_media_words_are_content(text: str) -> None:
    assert find_boilerplate(text) == []


def test_html_offsets_index_the_raw_markup() -> None:
    html = (
        "<html><body><nav>Home | News</nav><article><h1>Bridge approved</h1>"
        "<p>The council approved the new bridge on Tuesday &amp; work starts in May.</p>"
        "<p>The mayor said the cost was £4m.</p></article></body></html>"
    )
    doc = clean(html)
    assert doc.is_html
    texts = [s.text for s in doc.sentences]
    assert "The mayor said the cost was £4m." in texts
    s = doc.sentences[texts.index("The mayor said the cost was £4m.")]
    span = doc.input_span(s.start, s.end)
    assert html[span.start : span.end] == "The mayor said the cost was £4m."


def test_character_references_in_plain_text_are_read_and_spans_index_them() -> None:
    text = "Pascal Pap&#233; joined R&amp;D at AT&T; &nosuchname; stays.\nShe left."
    doc = clean(text)
    assert doc.view.startswith("Pascal Papé joined R&D at AT&T; &nosuchname; stays.")
    at = doc.view.index("Papé")
    span = doc.input_span(at, at + len("Papé"))
    assert text[span.start : span.end] == "Pap&#233;" and span.text == "Papé"
    first = doc.sentences[0]
    assert text[doc.input_span(first.start, first.end).start :].startswith("Pascal Pap&#233;")
    assert clean("No references here; AT&T stays.").offsets is None


def _page(head: str, body: str = "<p>The harbour board approved the budget on Monday.</p>") -> str:
    return f"<!doctype html><html><head>{head}</head><body><article>{body}</article></body></html>"


def test_page_date_is_read_from_the_markup() -> None:
    meta = '<meta property="article:published_time" content="2024-03-05T09:30:00+00:00">'
    assert page_date(_page(meta)) == date(2024, 3, 5)
    json_ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-11-02"}</script>'
    )
    assert page_date(_page(json_ld)) == date(2023, 11, 2)


def test_page_date_is_none_without_a_date_or_for_plain_text_or_the_future() -> None:
    assert page_date(_page("<title>Budget</title>")) is None
    # A year or a date in words in the prose is no publication date.
    assert page_date(_page("", "<p>In 2019 the board met on 5 March 2020 and again later.</p>")) is None
    assert page_date("Published 2024-03-05. The harbour board approved the budget.") is None
    future = '<meta property="article:published_time" content="2999-01-01">'
    assert page_date(_page(future)) is None
