"""Cleaning: input text -> CleanDocument (main text, boilerplate lines, sentences).

HTML goes through trafilatura to find the main text; the visible text is kept
with a map back to the raw HTML offsets. Plain text and Markdown are analysed
as given. In both, lines that have the general shape of page furniture
(sign-up prompts, share bars, breadcrumbs, cookie notices, widget errors,
"related posts" headers) are set apart as boilerplate: they are reported, not
aligned and not counted as content.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from itertools import repeat

from retold.segment import split_sentences
from retold.types import CHAR_REFERENCE, Boilerplate, CleanDocument

# Words typical of page furniture rather than of news prose. A line is judged
# on the density of such words together with its shape, never on its content
# as a whole, so new phrasings of the same furniture are caught too.
_CUE_WORDS = frozenset(
    [
        "subscribe", "subscribed", "subscription", "newsletter", "newsletters", "inbox", "signup",
        "sign-up", "login", "log-in", "unsubscribe", "digest", "updates", "notifications", "share",
        "facebook", "twitter", "instagram", "whatsapp", "linkedin", "reddit", "pinterest",
        "telegram", "youtube", "tiktok", "comments", "reply", "advertisement", "advertisements",
        "sponsored", "promoted", "cookies", "cookie", "privacy", "consent", "accept", "opt-out",
        "preferences", "settings", "disclaimer", "copyright", "trending", "recommended", "posts",
        "tags", "tagged", "categories", "javascript", "widget", "auto-aggregated",
    ]
)
# Words of the pictures and media around a story and of the page's own controls, which news prose
# also uses ("store pictures", "print out photos"): cues only in a short line.
_SHORT_LINE_CUES = frozenset(
    [
        "photo", "photos", "picture", "pictures", "image", "images", "caption", "video", "videos",
        "gallery", "getty", "shutterstock", "podcast", "loading", "embedded", "embed", "alerts",
        "skip", "advert", "adverts", "ads", "topics", "filed", "donate", "scroll", "logout",
        "register", "bookmark", "permalink", "rss", "comment", "sharing", "print", "email", "error",
    ]
)
# Labels of the page's own fields ("Source: ...", "Views: ...", "Filed under: ...").
_LABEL_WORDS = _SHORT_LINE_CUES | {
    "source", "sources", "credit", "credits", "via", "updated", "published", "posted", "related",
    "views", "watch", "listen", "read", "more", "see", "filed under", "category", "section", "author",
}
_READER = re.compile(r"\b(?:you|your|yours)\b")
_WRITER = re.compile(r"\b(?:our|us)\b")
_SHORT_LINE = 8  # words
_CUE_PHRASES = re.compile(
    r"\b(sign (?:up|in)|log in|read (?:more|next|also)|see also|you may also like|"
    r"all rights reserved|continue reading|click here|follow us|share (?:this|on)|"
    r"not set|check settings|min read|leave a (?:reply|comment)|comments are closed|"
    r"related (?:posts|articles|stories)|more from|most (?:read|popular)|"
    r"enable javascript|your (?:browser|inbox|email)|free updates|top stories|"
    r"latest (?:news|updates)|app key|error loading|download (?:the|our) app|"
    r"posted (?:by|on|in)|(?:use|uses|using) (?:of )?cookies|by continuing to|"
    r"(?:next|previous) (?:article|post|story)|also read)\b",
)  # matched against the lower-cased line: 3-4x faster than re.IGNORECASE on news paragraphs
# Every phrase above holds one of these: a line holding none cannot match, and most lines of news
# hold none. Testing substrings costs a few µs a line, the regex ≈ 20 (it tries every branch at
# every word boundary): find_boilerplate spent ≈ 60 % of its time in that regex.
_CUE_KEYS = (
    "sign ", "log in", "read ", "see also", "may also like", "rights reserved", "continue reading",
    "click here", "follow us", "share ", "not set", "check settings", "leave a ", "comments are closed",
    "related ", "more from", "most ", "javascript", "your ", "free updates", "top stories", "latest ",
    "app key", "error loading", "download ", "posted ", "cookies", "by continuing to", "next ",
    "previous ", "also read",
)
# The page naming itself ("Share this article", "Did you enjoy this story?"): news prose rarely does,
# and then in a long line. Tried on short lines only, so long paragraphs need no regex.
_SELF = re.compile(r"\bthis (?:article|story|page|post|site|website)\b")
_SEPARATORS = re.compile(r"\s[|»«›•·]\s|^\s*[«»›]|[«»›]\s*$")
_LABEL = re.compile(r"^\s*([A-Z][\w'’ ]{0,24}):\s")
# The page's own marks: a copyright sign, a handle or address, a byline, a dateline of the page.
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}", re.IGNORECASE)
_ADDRESS = re.compile(r"(?<!\w)@\w{2,}|\b[\w-]+(?:\.[\w-]+)*\.(?:com|co\.uk|org|net|io|news)\b|https?://")
_BYLINE = re.compile(
    r"^(?:[Bb]y|[Ww]ritten by|[Rr]eporting by|[Ww]ords by)\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}"
    r"\s*(?:[,|–—-]\s*[^.!?]*)?$"
)
_PAGE_TIME = re.compile(
    r"^\W*(?:last\s+)?(?:updated|published|posted|modified|first published)\b.{0,40}?"
    r"(?:\d{1,2}[:.]\d{2}|\bago\b|\b(?:19|20)\d{2}\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’-]+")
_NOT_WORD_ASCII = bytes.maketrans(  # ASCII bytes outside _WORD's class -> space
    bytes(b for b in range(128) if not (chr(b).isalnum() or chr(b) in "_'-")),
    bytes(32 for b in range(128) if not (chr(b).isalnum() or chr(b) in "_'-")),
)
_CUE_BYTES = frozenset(w.encode("ascii") for w in _CUE_WORDS)
_SEPARATOR_CHARS = "|»«›•·"  # a line without one of these cannot match _SEPARATORS
REPORTED_SPEECH = re.compile(r"\b(said|says|told|according to)\b")  # reported speech: news, not furniture
_REPORTING = ("said", "says", "told", "according to")  # ... nor without one of these REPORTED_SPEECH

_THRESHOLD = 2.0
_WEAK = 1.25  # a weak line becomes boilerplate when next to a strong one


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str


def _words_and_cues(line: str, low: str) -> tuple[int, int]:
    """How many words a line has (``_WORD`` matches) and how many of them are cue words.

    ``low`` is ``line.lower()``.
    """
    if line.isascii():
        # The same words as _WORD finds, ≈ 3x faster: every character outside the word class turned
        # into a space, then a split (isascii() reads a flag of the string, it does not scan it).
        ascii_words = low.encode("ascii").translate(_NOT_WORD_ASCII).split()
        stripped = map(bytes.strip, ascii_words, repeat(b"'"))
        return len(ascii_words), sum(map(_CUE_BYTES.__contains__, stripped))
    # The words of the lower-cased line are the lower-cased words of the line when lower-casing
    # keeps every character one character (it does, except for a few letters such as "İ").
    words = _WORD.findall(low) if len(low) == len(line) else [w.lower() for w in _WORD.findall(line)]
    # map() keeps the loop in C: the scan of a news paragraph spent much of its time in it.
    return len(words), sum(map(_CUE_WORDS.__contains__, map(str.strip, words, repeat("'’"))))


def _line_score(
    line: str, at_edge: bool, keys: tuple[str, ...] = _CUE_KEYS, first: bool = False
) -> tuple[float, str]:
    """Score how much a line looks like page furniture; return the main reason.

    ``keys``: the :data:`_CUE_KEYS` that may occur in the line (all of them by default).
    ``first``: the text's first line, often its headline, which is short and unpunctuated too.
    """
    low = line.lower()
    n_words, cues = _words_and_cues(line, low)
    if not n_words:
        return 0.0, ""
    if n_words <= _SHORT_LINE:
        cues += sum(w.strip("'’") in _SHORT_LINE_CUES for w in _WORD.findall(low))
    phrases = len(_CUE_PHRASES.findall(low)) if any(map(low.__contains__, keys)) else 0
    if n_words <= 20 and "this " in low and _SELF.search(low):
        phrases += 1
    reasons = []
    score = 0.8 * cues + 1.2 * phrases
    if cues or phrases:
        reasons.append("page-furniture wording")
    if any(ch in line for ch in _SEPARATOR_CHARS) and _SEPARATORS.search(line):
        score += 1.5
        reasons.append("menu or share-bar separators")
    if (label := _LABEL.match(line)) and n_words <= 20:
        score += 0.6
        if label.group(1).lower().strip() in _LABEL_WORDS:
            score += 0.8  # "Photo: ...", "Source: ...": the label names a field of the page
    if n_words <= 15 and not first and '"' not in line and "“" not in line and _READER.search(low):
        # The page speaking to its reader ("Get alerts on your phone"); news prose reports, and
        # puts a speaker's "you" in quotes.
        score += 0.6 + (0.6 if _WRITER.search(low) else 0.0)
    if n_words <= 4 and cues and not first:
        score += 0.6  # "Advertisement", "Sponsored content": a bare control or marker
    stripped = line.rstrip()
    if n_words <= 12:
        # (a byline or a page date is no sentence: "By the end of 2004, sales..." is prose)
        dateline = stripped[-1:] not in ".!?" and (_BYLINE.match(line) or _PAGE_TIME.match(line))
        if _COPYRIGHT.search(line) or dateline:
            score += 1.6
            reasons.append("copyright, byline or page date")
        elif _ADDRESS.search(line):
            score += 1.2
            reasons.append("handle or web address")
    if stripped and (stripped[-1] not in ".!?\"”’)" or stripped.endswith(("...", "…"))):
        score += 0.4  # no sentence end (an ellipsis is none: "Loading...")
    if at_edge and n_words <= 15:
        score += 0.4
    # Long lines of prose are content even when they mention a cue word; the
    # density of cues matters, not their presence.
    if n_words > 14:
        score -= 0.12 * (n_words - 14) * (1.0 if (cues + phrases) < 4 else 0.3)
    if n_words > 45:
        score -= 2.0
    # Reported speech and quotations are the fabric of news, not furniture.
    if n_words > 8 and any(map(low.__contains__, _REPORTING)) and REPORTED_SPEECH.search(line):
        score -= 1.5
    return score, reasons[0] if reasons else "short line next to page furniture"


def _lines(text: str, ranges: list[tuple[int, int]]) -> list[_Line]:
    out = []
    for r_start, r_end in ranges:
        pos = r_start
        for raw in text[r_start:r_end].splitlines(keepends=True):
            body = raw.rstrip("\r\n")
            stripped = body.strip()
            if stripped:
                lead = len(body) - len(body.lstrip())
                out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
            pos += len(raw)
    return out


def find_boilerplate(text: str, ranges: list[tuple[int, int]] | None = None) -> list[Boilerplate]:
    """Lines of ``text`` that look like page furniture, in text order.

    Args:
        text: the text to scan; offsets index it.
        ranges: restrict the scan to these ranges (default: all of ``text``).
    """
    lines = _lines(text, ranges if ranges is not None else [(0, len(text))])
    n = len(lines)
    # A key missing from the whole text is missing from each of its lines (the keys are ASCII, and
    # lower-casing maps each character alone): testing them once a text, not once a line, halves
    # the cost of that test.
    low = text.lower()
    keys = tuple(k for k in _CUE_KEYS if k in low)
    scored = [_line_score(ln.text, i < 2 or i >= n - 2, keys, i == 0) for i, ln in enumerate(lines)]
    strong = [s >= _THRESHOLD for s, _ in scored]
    cued = [reason == "page-furniture wording" for _, reason in scored]
    # Furniture comes in runs: a weak line beside a strong one joins it.
    changed = True
    while changed:
        changed = False
        for i, (s, _) in enumerate(scored):
            if strong[i] or s < _WEAK or not cued[i]:
                continue
            if (i > 0 and strong[i - 1]) or (i + 1 < n and strong[i + 1]):
                strong[i] = changed = True
    return [
        Boilerplate(ln.start, ln.end, ln.text, scored[i][1])
        for i, ln in enumerate(lines)
        if strong[i]
    ]


def clean(text: str) -> CleanDocument:
    """Split an input text into content sentences and boilerplate lines.

    HTML input (detected from its markup) is reduced to its main text with
    trafilatura; offsets still index the HTML as given. Character references left
    in plain text by a scraper ("Pap&#233;", "&amp;") are read as the characters
    they stand for, their spans still indexing the reference.

    Examples:
        >>> doc = clean("Share on: Facebook | X | Email\\nThe minister resigned. She left.")
        >>> [b.text for b in doc.boilerplate], [s.text for s in doc.sentences]
        (['Share on: Facebook | X | Email'], ['The minister resigned.', 'She left.'])
    """
    offsets: tuple[int, ...] | None
    if looks_like_html(text):
        view, offsets = _html_view(text)
    else:
        view, offsets = _unreferenced(text)
    boiler = find_boilerplate(view)
    ranges: list[tuple[int, int]] = []
    pos = 0
    for b in boiler:
        ranges.append((pos, b.start))
        pos = b.end
    ranges.append((pos, len(view)))
    sentences = split_sentences(view, ranges)
    return CleanDocument(text, view, tuple(sentences), tuple(boiler), offsets)


def _unreferenced(text: str) -> tuple[str, tuple[int, ...] | None]:
    """Plain text with its HTML character references replaced by their characters, and the map
    from each character of the result to its offset in ``text`` (None when there is none)."""
    if "&" not in text or not CHAR_REFERENCE.search(text):
        return text, None
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in CHAR_REFERENCE.finditer(text):
        ch = html.unescape(m.group())
        if ch == m.group():  # not a reference HTML knows: left as it is
            continue
        parts.append(text[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        parts.append(ch)
        offsets.extend([m.start()] * len(ch))
        pos = m.end()
    if not parts:
        return text, None
    parts.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    return "".join(parts), tuple(offsets)


def body_text(text: str) -> tuple[str, int]:
    """The content of ``text`` without markup and boilerplate lines, and how many lines were cut.

    The fast path of :func:`clean` for corpus work: no sentence splitting and
    no offsets, the same decisions about what is content.
    """
    view = _html_view(text)[0] if looks_like_html(text) else text
    boiler = find_boilerplate(view)
    if not boiler:
        return view.strip(), 0
    parts = []
    pos = 0
    for b in boiler:
        parts.append(view[pos : b.start])
        pos = b.end
    parts.append(view[pos:])
    return "\n".join(p.strip() for p in parts if p.strip()), len(boiler)


_TITLE_MAX_WORDS = 20


def split_title(body: str) -> tuple[str | None, str]:
    """Split a headline off the top of a body: a short first line without a
    sentence end, followed by a blank line and more text.

    Corpus files often carry the headline as their first line; copies change
    headlines freely, so the fingerprint of an article is taken without it.
    """
    head, sep, rest = body.lstrip().partition("\n")
    line = head.strip()
    if (
        not sep
        or not rest.startswith(("\n", "\r\n"))
        or not rest.strip()
        or not line
        or line[-1] in ".!?:;,"
        or len(line.split()) > _TITLE_MAX_WORDS
    ):
        return None, body
    return line, rest.strip()


_HTML_SIGNS = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|div|p|span|br|h[1-6]|a\s+href|script|meta|table)\b",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML page or fragment rather than prose."""
    head = text[:5000]
    if "<" not in head:  # every sign opens with one: most prose is told from HTML by this alone
        return False
    return len(_HTML_SIGNS.findall(head)) >= 2 or head.lstrip()[:9].lower().startswith(("<!doctype", "<html"))


def page_date(text: str) -> date | None:
    """The publication date of an HTML page, or None (plain text, no date found, or a date after
    today). Found by htmldate without its extensive search: the page's markup first
    (``article:published_time`` and other meta tags, JSON-LD ``datePublished``, ``<time>``), then
    a complete date written in numbers ("2024-01-05", "05.01.2024"); never a guess from a year or
    a date in words."""
    if not looks_like_html(text):
        return None
    import htmldate  # lazy: a dependency of trafilatura, loaded only for HTML

    try:
        found = htmldate.find_date(text, extensive_search=False, original_date=True)
    except Exception:  # htmldate parses untrusted markup; a page it cannot read declares no date
        return None
    try:
        return date.fromisoformat(found) if found else None
    except ValueError:
        return None


class _TextMapper(HTMLParser):
    """Collect visible text with the raw offset of every character."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
        | {"header", "footer", "blockquote", "aside", "nav", "ul", "ol", "figure", "figcaption"}
    )

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0]
        for m in re.finditer("\n", raw):
            self.line_starts.append(m.end())
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.skip = 0

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _newline(self) -> None:
        if self.chars and self.chars[-1] != "\n":
            self.chars.append("\n")
            self.offsets.append(self._pos())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        base = self._pos()
        for i, ch in enumerate(data):
            if ch in "\r\n\t":
                ch = " "
            self.chars.append(ch)
            self.offsets.append(base + i)

    def _ref(self, raw_ref: str) -> None:
        if self.skip:
            return
        base = self._pos()
        for ch in html.unescape(raw_ref):
            self.chars.append(ch)
            self.offsets.append(base)

    def handle_entityref(self, name: str) -> None:
        self._ref(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._ref(f"&#{name};")


def _norm_with_map(text: str) -> tuple[str, list[int]]:
    """Collapse runs of white space to one space; keep a map to ``text``."""
    out, idx = [], []
    prev_space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            idx.append(i)
            prev_space = True
        else:
            out.append(ch)
            idx.append(i)
            prev_space = False
    return "".join(out), idx


def _html_view(raw: str) -> tuple[str, tuple[int, ...]]:
    """The main text of an HTML page as lines, with a map to raw offsets."""
    import trafilatura  # heavy: load only for HTML input

    mapper = _TextMapper(raw)
    mapper.feed(raw)
    mapper.close()
    flat = "".join(mapper.chars)
    norm, norm_idx = _norm_with_map(flat)
    extracted = (
        trafilatura.extract(raw, include_comments=False, include_tables=False, favor_recall=True) or ""
    )
    view_chars: list[str] = []
    view_map: list[int] = []
    cursor = 0
    lines = [ln.strip() for ln in extracted.splitlines() if ln.strip()]
    if not lines:  # trafilatura found no article: fall back to all visible text
        lines = [ln.strip() for ln in flat.splitlines() if ln.strip()]
    for line in lines:
        target = re.sub(r"\s+", " ", line.lstrip("-*# ").strip())
        if not target:
            continue
        found = norm.find(target, cursor)
        if found < 0:
            found = norm.find(target)
        if found < 0:
            continue  # text trafilatura produced that is not on the page
        cursor = found + len(target)
        if view_chars:
            view_chars.append("\n")
            view_map.append(mapper.offsets[norm_idx[found]])
        for k in range(found, found + len(target)):
            view_chars.append(norm[k])
            view_map.append(mapper.offsets[norm_idx[k]])
    return "".join(view_chars), tuple(view_map)
