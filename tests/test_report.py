"""Tests for the presentation layer, on comparisons built by hand."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser

import pytest
from rich.console import Console

from retold.clean import clean
from retold.report import print_comparison, render_html
from retold.report._layout import Highlighter, layout_rows
from retold.types import (
    Alignment,
    Change,
    ChangeType,
    CleanDocument,
    Comparison,
    Direction,
    LinkKind,
    Relation,
    SentenceLink,
    TextSpan,
)

SOURCE = (
    "Share on: Facebook | X | Email\n"
    "The council approved 120 new homes on Tuesday. "
    "Mayor Jane Holt said the plan was “a fair compromise”. "
    "Work starts in May.\n\n"
    "Residents had objected for two years.\n"
)
COPY = (
    "The council approved 150 new homes on Tuesday. "
    "Mayor John Holt called the plan “a disaster”. "
    "Work starts in May.\n\n"
    "Critics say the scheme is rushed.\n"
    "Subscribe to our newsletter for free updates | Sign up\n"
)


def span(doc: CleanDocument, text: str, nth: int = 0) -> TextSpan:
    """The input span of the ``nth`` occurrence of ``text`` in ``doc``."""
    at = -1
    for _ in range(nth + 1):
        at = doc.text.find(text, at + 1)
        assert at >= 0, text
    return TextSpan(at, at + len(text), text)


def make(
    source: str,
    copy: str,
    links: Sequence[tuple[tuple[int, ...], tuple[int, ...], LinkKind]],
    changes: list[Change],
) -> Comparison:
    src, cpy = clean(source), clean(copy)
    sl = [SentenceLink(s, c, k, 0.9) for s, c, k in links]
    used_s = {i for link in sl for i in link.source}
    used_c = {j for link in sl for j in link.copy}
    return Comparison(
        source=src,
        copy=cpy,
        relation=Relation.LIGHT_EDIT,
        scores={"containment": 0.82, "semantic": 0.91},
        direction=Direction("source", 0.76, ("copy adds a sign-up prompt", "source is longer")),
        alignment=Alignment(
            tuple(sl),
            tuple(i for i in range(len(src.sentences)) if i not in used_s),
            tuple(j for j in range(len(cpy.sentences)) if j not in used_c),
        ),
        changes=tuple(changes),
    )


@pytest.fixture(scope="module")
def news() -> Comparison:
    src, cpy = clean(SOURCE), clean(COPY)
    assert [b.text for b in cpy.boilerplate] == ["Subscribe to our newsletter for free updates | Sign up"]
    changes = [
        Change(ChangeType.NUMBER, span(src, "120"), span(cpy, "150"), "120 became 150"),
        Change(ChangeType.ENTITY, span(src, "Jane Holt"), span(cpy, "John Holt"), "name changed"),
        Change(ChangeType.QUOTE, span(src, "“a fair compromise”"), span(cpy, "“a disaster”"), "altered"),
        Change(ChangeType.ATTRIBUTION, span(src, "said"), span(cpy, "called"), "verb changed"),
        Change(ChangeType.OMISSION, span(src, "Residents had objected for two years."), None, "dropped"),
        Change(ChangeType.ADDITION, None, span(cpy, "Critics say the scheme is rushed."), "new claim"),
        # overlaps the number change on both sides
        Change(ChangeType.TONE, span(src, "approved 120 new"), span(cpy, "approved 150 new"), "overlap"),
    ]
    links = [
        ((0,), (0,), LinkKind.EDITED),
        ((1,), (1,), LinkKind.PARAPHRASED),
        ((2,), (2,), LinkKind.VERBATIM),
    ]
    return make(SOURCE, COPY, links, changes)


class _Marks(HTMLParser):
    """Collect the text inside every <mark> and every tag name seen."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.marks: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "mark":
            self.depth += 1
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marks[-1] += data


def parse(page: str) -> _Marks:
    p = _Marks()
    p.feed(page)
    p.close()
    return p


def mark_text(page: str) -> str:
    """All marked text, joined, for "is this text highlighted" checks."""
    return "".join(parse(page).marks)


def test_single_self_contained_document(news: Comparison) -> None:
    page = render_html(news, title="Homes <report>", source_name="a.txt", copy_name="b.txt")
    assert page.lower().count("<!doctype html>") == 1
    assert page.count("<html") == 1 and page.count("</html>") == 1
    assert page.count("<body>") == 1
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    assert "<title>Homes &lt;report&gt;</title>" in page
    tags = parse(page).tags
    assert "link" not in tags and "iframe" not in tags and "img" not in tags
    assert tags.count("script") == 1 and tags.count("style") == 1


def test_content_security_policy(news: Comparison) -> None:
    page = render_html(news)
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert m is not None
    policy = m.group(1)
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<script>")
    assert "style=" not in page  # inline style attributes would be blocked by the policy
    for tag in ("style", "script"):  # the hashes allow exactly the inline blocks on the page
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
]


def assert_inert(page: str) -> None:
    """No article markup survived as markup: one script (ours), no images, no handlers."""
    assert "<script>alert" not in page
    assert "<img" not in page
    assert 'href="javascript' not in page and "<a href=" not in page
    p = parse(page)
    assert p.tags.count("script") == 1 and "img" not in p.tags
    assert all(not name.startswith("on") for name, _ in p.attrs)
    assert all(not (value or "").strip().lower().startswith("javascript:") for _, value in p.attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_article_markup_is_escaped(payload: str) -> None:
    source = f"Police said {payload} was found. The photo was shared widely."
    copy = source.replace("Police said", "Officers said")
    src_doc, cpy_doc = clean(source), clean(copy)
    assert src_doc.offsets is None  # a lone tag is article text, not an HTML page
    changes = [
        Change(ChangeType.ATTRIBUTION, span(src_doc, "Police"), span(cpy_doc, "Officers"), "<b>who</b>"),
        Change(ChangeType.QUOTE, span(src_doc, payload), span(cpy_doc, payload), payload),
    ]
    n = len(src_doc.sentences)
    links = [((i,), (i,), LinkKind.EDITED if i == 0 else LinkKind.VERBATIM) for i in range(n)]
    cmp = make(source, copy, links, changes)
    page = render_html(cmp, title=payload, source_name=f'"><img src=x onerror=alert(3)>{payload}')
    assert_inert(page)
    assert html.escape(payload, quote=True) in page
    assert payload in parse(page).marks  # shown as text, and highlighted


def test_html_page_with_all_payloads_is_inert() -> None:
    source = "<html><body><article><p>" + " ".join(
        f"Paragraph {i} of the story says {p} happened in the town today." for i, p in enumerate(PAYLOADS)
    ) + "</p></article></body></html>"
    copy = source.replace("the town", "the city")
    src_doc, cpy_doc = clean(source), clean(copy)
    assert src_doc.offsets is not None
    changes = [
        Change(ChangeType.ENTITY, span(src_doc, "town", k), span(cpy_doc, "city", k), p)
        for k, p in enumerate(PAYLOADS)
    ] + [Change(ChangeType.QUOTE, span(src_doc, p), span(cpy_doc, p), "raw markup") for p in PAYLOADS]
    n = min(len(src_doc.sentences), len(cpy_doc.sentences))
    cmp = make(source, copy, [((i,), (i,), LinkKind.EDITED) for i in range(n)], changes)
    page = render_html(cmp)
    assert_inert(page)
    assert "city" in parse(page).marks and "town" in parse(page).marks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the change list


def test_every_change_is_marked_on_both_sides(news: Comparison) -> None:
    page = render_html(news)
    marks = parse(page).marks
    for change in news.changes:
        for side in (change.source, change.copy):
            if side is None:
                continue
            # the text is inside marks: contiguous, possibly split into segments
            assert side.text in marks or side.text in "".join(marks), side.text
    # non-overlapping changes appear as whole marks
    for text in ("Jane Holt", "John Holt", "“a fair compromise”", "“a disaster”", "said", "called"):
        assert text in marks
    # the overlapping number/tone pair is split and the shared part carries both
    assert re.search(r'<mark class="chg t-number t-tone overlap" data-changes="0 6"[^>]*>120</mark>', page)
    assert re.search(r'<mark class="chg t-tone" data-changes="6"[^>]*>approved </mark>', page)


def test_change_list_has_one_row_per_change(news: Comparison) -> None:
    page = render_html(news)
    rows = re.findall(r'<tr id="change-(\d+)" data-change="\1"', page)
    assert rows == [str(i) for i in range(len(news.changes))]
    for i, change in enumerate(news.changes):
        row = page[page.index(f'id="change-{i}"') :].split("</tr>", 1)[0]
        assert f"t-{change.type.value}" in row
        assert change.note in row
        for side, suffix in ((change.source, "s"), (change.copy, "c")):
            if side is not None:
                assert f'href="#c{i}-{suffix}"' in row
                assert f'id="c{i}-{suffix}"' in page
    assert page.count("<legend") == 0 and 'class="legend"' in page


def test_rows_follow_copy_order_with_omissions_and_additions(news: Comparison) -> None:
    rows = layout_rows(news)
    kinds = [r.kind for r in rows]
    assert kinds.count("link") == 3
    assert kinds.count("omitted") == 1 and kinds.count("added") == 1
    assert kinds.count("boilerplate") == 2  # one line on each side
    assert kinds[0] == "boilerplate" and rows[0].source  # the source share bar comes first
    omitted = kinds.index("omitted")
    assert rows[omitted - 1].link is not None and rows[omitted - 1].source[0].index == 2
    page = render_html(news)
    assert '<div class="row r-omitted' in page and '<div class="row r-added' in page
    assert "Residents had objected" in page.split('class="row r-omitted', 1)[1].split("</div></div>")[0]


def test_boilerplate_is_labelled(news: Comparison) -> None:
    page = render_html(news)
    for b in (*news.source.boilerplate, *news.copy.boilerplate):
        m = re.search(
            r'<span class="boiler"><span class="tag" title="[^"]*">boilerplate</span>'
            r'<span class="text">([^<]*)</span></span>',
            page[page.index(b.text.split("|")[0].strip()) - 200 :],
        )
        assert m is not None and m.group(1) == b.text.replace("&", "&amp;")


def test_reordered_links_keep_copy_order() -> None:
    src = "Alpha one. Beta two. Gamma three. Delta four."
    cpy = "Gamma three. Alpha one. Delta four."
    v = LinkKind.VERBATIM
    links = [((0,), (1,), v), ((2,), (0,), v), ((3,), (2,), v)]
    rows = layout_rows(make(src, cpy, links, []))
    order = [(r.kind, [c.index for c in r.source], [c.index for c in r.copy]) for r in rows]
    assert order == [
        ("link", [2], [0]),
        ("link", [0], [1]),
        ("omitted", [1], []),
        ("link", [3], [2]),
    ]


def test_html_document_marks_map_through_offsets() -> None:
    raw = (
        "<html><body><article><h1>Vote</h1>"
        "<p>The council approved <b>120</b> new homes on Tuesday after a long debate.</p>"
        "<p>Residents had objected for more than two years, the mayor said.</p>"
        "</article></body></html>"
    )
    doc = clean(raw)
    assert doc.offsets is not None
    at = raw.index("120")
    hl = Highlighter(doc, [(0, TextSpan(at, at + 3, "120"))])
    s = next(s for s in doc.sentences if "120" in s.text)
    segs = hl.segments(s.start, s.end)
    assert [seg.text for seg in segs if seg.changes] == ["120"]
    assert "".join(seg.text for seg in segs) == s.text


def test_zero_width_change_gets_a_point_mark() -> None:
    src = "The plan was approved. Work starts soon."
    cpy = "The plan was approved. Work starts in May."
    doc = clean(cpy)
    at = cpy.index("Work")
    cmp = make(src, cpy, [((0,), (0,), LinkKind.VERBATIM), ((1,), (1,), LinkKind.EDITED)],
               [Change(ChangeType.ADDITION, None, TextSpan(at, at, ""), "insertion point")])
    page = render_html(cmp)
    assert re.search(r'<mark class="chg t-addition point" data-changes="0"[^>]*>‸</mark>Work', page)
    assert doc.sentences[1].text.startswith("Work")


def test_no_changes_and_empty_documents() -> None:
    cmp = make("", "", [], [])
    page = render_html(cmp)
    assert "No changes of meaning found." in page
    console = Console(record=True, width=120)
    print_comparison(cmp, console)
    assert "No changes of meaning found." in console.export_text()


def test_terminal_view(news: Comparison) -> None:
    console = Console(record=True, width=120)
    print_comparison(news, console, source_name="a.txt", copy_name="b.txt")
    out = console.export_text()
    assert "light edit" in out
    for t in {c.type.value for c in news.changes}:
        assert t in out
    assert "0.82" in out and "76%" in out
    assert "a.txt" in out and "b.txt" in out
    assert "copy adds a sign-up prompt" in out


def test_terminal_prints_article_markup_literally() -> None:
    src = "The minister [bold red]x[/] resigned. She left."
    cpy = "The minister [bold red]y[/] resigned. She left."
    s_doc, c_doc = clean(src), clean(cpy)
    changes = [
        Change(ChangeType.ENTITY, span(s_doc, "[bold red]x[/]"), span(c_doc, "[bold red]y[/]"), "[i]note[/i]")
    ]
    cmp = make(src, cpy, [((0,), (0,), LinkKind.EDITED), ((1,), (1,), LinkKind.VERBATIM)], changes)
    console = Console(record=True, width=120)
    print_comparison(cmp, console, source_name="[green]src[/]")
    out = console.export_text()
    assert "[bold red]x[/]" in out and "[bold red]y[/]" in out
    assert "[i]note[/i]" in out and "[green]src[/]" in out


def test_restated_sentence_is_not_shown_as_omitted() -> None:
    import dataclasses

    from rich.console import Console

    src = "Alpha one. Beta two. Gamma three."
    cpy = "Alpha one. Gamma three."
    v = LinkKind.VERBATIM
    c = make(src, cpy, [((0,), (0,), v), ((2,), (1,), v)], [])
    c = dataclasses.replace(c, alignment=dataclasses.replace(c.alignment, source_restated=(1,)))
    kinds = [r.kind for r in layout_rows(c)]
    assert kinds == ["link", "restated", "link"]
    page = render_html(c)
    assert '<div class="row r-restated' in page and '<div class="row r-omitted' not in page
    assert "1 omitted (1 restated elsewhere)" in page
    console = Console(record=True, width=200)
    print_comparison(c, console)
    assert "1 omitted (1 restated elsewhere)" in console.export_text()
