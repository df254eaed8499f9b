"""Numeric expressions: find them in text and compare their values.

"£600m", "600 million pounds", "1,300", "ten", "10%" and "one in ten" are read
as values so that a change of format is not a change of meaning, while "five"
-> "multiple" (made vague) and "more than half" -> "about half" (qualifier
changed) are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12,
    "half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "a decade": 10, "decade": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "twice": 2, "double": 2,
    "once": 1, "single": 1, "both": 2, "pair": 2, "couple": 2,
    "a hundred": 100, "a thousand": 1e3, "a million": 1e6, "a billion": 1e9,
}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "bn": 1e9,
           "billion": 1e9, "trillion": 1e12, "tn": 1e12, "hundred": 100}
# Number words too often used without counting anything ("one of", "first time").
_WEAK_WORDS = frozenset(
    {"once", "single", "both", "pair", "couple", "second", "first", "one", "double", "twice"}
)
_QUALIFIERS = {
    "more than": "more", "over": "more", "above": "more", "at least": "more", "upwards of": "more",
    "almost": "less", "nearly": "less", "under": "less", "less than": "less", "fewer than": "less",
    "up to": "less", "just under": "less", "about": "approx", "around": "approx", "roughly": "approx",
    "approximately": "approx", "some": "approx", "an estimated": "approx", "estimated": "approx",
    "circa": "approx", "just over": "more", "within": "less",
}
SPAN = "span"  # the qualifier of a phrase naming a span of time with no figure ("a fortnight")
VAGUE = frozenset(
    ["multiple", "several", "many", "numerous", "various", "some", "few", "dozens", "hundreds", "thousands",
     "millions", "scores", "countless", "handful", "most", "majority", "minority", "lots", "plenty", "much"]
)
UNIVERSAL = frozenset(["every", "all", "each", "entire", "whole", "none", "no"])
_ALL = frozenset(["every", "all", "each", "entire", "whole"])
_NONE = frozenset(["none", "no"])

_num_words = "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True))
_scale_words = "thousand|million|billion|trillion|bn|mn|tn|m|k"
_qual_words = "|".join(sorted((re.escape(w) for w in _QUALIFIERS), key=len, reverse=True))
_EXPR = re.compile(
    rf"(?:(?P<qual>{_qual_words})\s+|\b(?P<sub>sub)-(?=[£$€¥\d]))?"  # "sub-$100": under $100
    rf"(?:(?P<cur>[£$€¥]|US\$)\s?)?"
    rf"(?:(?P<digits>\d+(?:,\d{{3}})*(?:\.\d+)?)|(?P<word>\b(?:{_num_words})\b))"
    rf"(?:(?:\s|-)?(?P<scale>(?:{_scale_words})\b))?"
    rf"(?:\s?(?P<pct>%|per\s?cent\b|percent\b))?"
    rf"(?:\s(?:in|out of)\s(?P<denom>\d{{1,3}}(?:,\d{{3}})*(?![\d.]\d)|{_num_words})\b)?",  # not "in 2005"
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?:(?P<h>\d{1,2})(?::(?P<mm>\d{2}))?\s?(?P<ap>am|pm)|(?P<hh>[01]\d|2[0-3])(?P<m2>[0-5]\d)\s?(?:GMT|BST|UTC|CET|EST|hrs|h)\b)",
    re.IGNORECASE,
)
# Units of time in days, and phrases naming one span of a unit ("a fortnight", "the past year").
_SPAN_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "fortnight": 14.0, "month": 365.25 / 12,
              "year": 365.25, "decade": 3652.5}
_span_units = "|".join(_SPAN_DAYS)
_UNIT_AFTER = re.compile(rf"[\s-]*({_span_units})s?\b", re.IGNORECASE)
_SPAN_PHRASE = re.compile(rf"\b(?:a|an|one|the past|a full)\s+({_span_units})\b", re.IGNORECASE)
# "three-quarters", "two thirds", "one-fifth": shares written as fractions.
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
                 "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10}
_FRACTION = re.compile(
    rf"(?:(?P<fqual>{_qual_words})\s+)?\b(?P<num>a|an|one|two|three|four|five|six|seven|eight|nine)[\s-]"
    rf"(?P<den>{'|'.join(sorted(_DENOMINATORS, key=len, reverse=True))})\b",
    re.IGNORECASE,
)
# "two and a half", "1 and a half": a whole and a half.
_AND_A_HALF = re.compile(
    r"\b(?P<whole>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+and\s+a\s+half\b",
    re.IGNORECASE,
)
# A decade: "the 1990s", "the '90s", "the nineties" (by their first year; two-digit and spelt-out
# decades are read as those of the 1900s, "the 00s" and "the 10s" as those of the 2000s).
_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
                 "seventies": 70, "eighties": 80, "nineties": 90}
_DECADE = re.compile(
    rf"\b(?:(?P<full>1[89]\d0|20[0-9]0)s|(?P<short>[0-9]0)s|(?P<spelt>{'|'.join(_DECADE_WORDS)}))\b|"
    rf"(?<=[\s(])['’](?P<apos>[0-9]0)s\b",
    re.IGNORECASE,
)
_MINOR_AFTER = re.compile(r"\s?(?:pence|p|cents?)\b", re.IGNORECASE)
_KILO_AFTER = re.compile(r"\s?(?:km|kilometres?|kilometers?|kg|kilograms?|kilogrammes?)\b", re.IGNORECASE)
# An amount in a currency (a symbol before it or a currency named after it), then an opening bracket
# and maybe other restatements: what follows restates it in another currency ("$100 (£53)",
# "300bn yen ($2.9bn, £1.5bn)").
_AMOUNT = r"\d[\d.,]*\s?(?:bn|m|k|million|billion|trillion)?"
_CURRENCY_WORD = (
    r"(?:yen|yuan|renminbi|euros?|dollars?|pounds?|sterling|rupees?|roubles?|rubles?|francs?|pesos?|"
    r"won|rand|lira|kronor|kronur|krona|krone|zlotys?|reais|real|ringgit|baht|dinars?|dirhams?|riyals?)"
)
_CONVERTED = re.compile(
    rf"(?:[£$€¥]\s?{_AMOUNT}|{_AMOUNT}\s?{_CURRENCY_WORD})\s?\((?:[£$€¥]\s?{_AMOUNT}\s?[,;]\s?)*$",
    re.IGNORECASE,
)
# A share restating the change before it: the "18%" of "closed down 247p, or 18%, at 1115p".
_SHARE_RESTATED = re.compile(
    r"\d[\d.,]*\s?[a-z]{0,8},\s+or\s+(?:about\s+|almost\s+|nearly\s+|around\s+|roughly\s+|some\s+)?$",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(r"\b(" + "|".join(sorted(VAGUE | UNIVERSAL, key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in text: its span, value and qualifier."""

    start: int
    end: int
    text: str
    value: float | None  # None for vague quantities ("several")
    qualifier: str  # "exact", "more", "less", "approx", "vague", "universal"
    percent: bool = False
    fraction: bool = False
    alt: float | None = None  # a second reading: "38m" is 38 million or 38 metres
    days: float | None = None  # a span of time, in days: "12 months", "a fortnight"
    conversion: bool = False  # a figure restated: the "(£53)" of "$100 (£53)", the "18%" of "247p, or 18%"

    def same_span(self, other: Quantity) -> bool:
        """True when both are the same span of time ("12 months" / "the past year", "24 hours" / "a day")."""
        if self.days is None or other.days is None:
            return False
        return abs(self.days - other.days) <= 0.03 * max(self.days, other.days)

    def same_as(self, other: Quantity) -> bool:
        """True when both denote the same amount with the same qualifier."""
        if self.value is None or other.value is None:
            if self.value is not None or other.value is not None:
                return False
            a, b = self.text.lower(), other.text.lower()
            # "each" and "every" (or "all") say the same; "all" and "none" do not.
            return a == b or (a in _ALL and b in _ALL) or (a in _NONE and b in _NONE)
        if self.qualifier != other.qualifier and "exact" not in (self.qualifier, other.qualifier):
            return False
        if self.qualifier != other.qualifier:
            return False
        return self.matches_value(other)

    def matches_value(self, other: Quantity) -> bool:
        if self.value is None or other.value is None:
            return False
        a, b = self.value, other.value
        # "a quarter" and "25%" are the same share; "two-thirds" is "67%" to the nearest point.
        if self.fraction and other.percent:
            a *= 100.0
            return abs(a - b) <= 0.5
        if other.fraction and self.percent:
            b *= 100.0
            return abs(a - b) <= 0.5
        for x in (a, self.alt):
            for y in (b, other.alt):
                if x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y)):
                    return True
        return False


def _word_value(w: str) -> float:
    return float(_UNITS[w.lower()])


def find_quantities(text: str) -> list[Quantity]:
    """Every numeric or quantifying expression in ``text``.

    Examples:
        >>> [(q.text, q.value) for q in find_quantities("about £600m and one in ten")]
        [('about £600m', 600000000.0), ('one in ten', 10.0)]
    """
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _TIME.finditer(text):
        hours = int(m.group("h") or m.group("hh"))
        minutes = int(m.group("mm") or m.group("m2") or 0)
        if (m.group("ap") or "").lower() == "pm" and hours < 12:
            hours += 12
        out.append(Quantity(m.start(), m.end(), m.group(), float(hours * 100 + minutes), "exact"))
        taken.append((m.start(), m.end()))
    for m in _AND_A_HALF.finditer(text):
        whole = m.group("whole")
        value = (float(whole) if whole.isdigit() else _word_value(whole)) + 0.5
        unit = _UNIT_AFTER.match(text, m.end())
        days = value * _SPAN_DAYS[unit.group(1).lower()] if unit else None
        out.append(Quantity(m.start(), m.end(), m.group(), value, "exact", days=days))
        taken.append((m.start(), m.end()))
    for m in _FRACTION.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        num = m.group("num").lower()
        value = (1.0 if num in ("a", "an") else _word_value(num)) / _DENOMINATORS[m.group("den").lower()]
        qual = _QUALIFIERS.get((m.group("fqual") or "").lower(), "exact")
        out.append(Quantity(m.start(), m.end(), m.group(), value, qual, fraction=True))
        taken.append((m.start(), m.end()))
    for m in _DECADE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.group("full"):
            year = int(m.group("full"))
        elif m.group("spelt"):
            year = 1900 + _DECADE_WORDS[m.group("spelt").lower()]
        else:
            two = m.group("short") or m.group("apos")
            year = int(two) + (2000 if two in ("00", "10") else 1900)
        out.append(Quantity(m.start(), m.end(), m.group(), float(year), "exact"))
        taken.append((m.start(), m.end()))
    for m in _EXPR.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.start() >= 2 and text[m.start() - 2 : m.start()] == "&#":
            continue  # an HTML character reference, not a number
        if m.start() >= 1 and text[m.start() - 1] == "-" and m.group("word"):
            continue  # "second-half", "one-off"
        if m.group("digits") is None and m.group("word") is None:
            continue
        word = m.group("word")
        scale = (m.group("scale") or "").lower()
        big = scale in ("thousand", "million", "billion", "trillion", "hundred")
        if word and word.lower() in _WEAK_WORDS and not m.group("qual") and not m.group("denom") and not big:
            continue  # too often not a number at all ("first time", "second half"; not "one billion")
        value = float(m.group("digits").replace(",", "")) if m.group("digits") else _word_value(word)
        alt: float | None = None
        if scale:
            if scale in ("m", "k") and not m.group("cur"):
                alt = value  # "38m" without a currency may be metres as well as millions
            value *= _SCALES.get(scale, 1.0)
        pct = bool(m.group("pct"))
        if m.group("denom"):
            d = m.group("denom")
            denom = float(d.replace(",", "")) if d[0].isdigit() else _word_value(d)
            if denom and value <= denom <= 1000 and not scale and not pct:
                value = 100.0 * value / denom
                pct = True
        qual = "less" if m.group("sub") else _QUALIFIERS.get((m.group("qual") or "").lower(), "exact")
        frac = bool(word) and 0 < value < 1 and not pct
        unit = _UNIT_AFTER.match(text, m.end())
        days = value * _SPAN_DAYS[unit.group(1).lower()] if unit and not pct and not scale else None
        if not scale and not pct and not m.group("cur") and alt is None:
            if _MINOR_AFTER.match(text, m.end()):
                alt = value / 100  # "1115 pence" is £11.15
            elif _KILO_AFTER.match(text, m.end()):
                alt = value * 1000  # "5km" is 5,000 metres
        # (The amount and brackets before a figure fit in the 120 characters before it: the pattern,
        # anchored at the figure, is not tried from every earlier position of a long text.)
        before = max(0, m.start() - 120)
        conv = bool(m.group("cur")) and _CONVERTED.search(text, before, m.start()) is not None
        conv = conv or (pct and _SHARE_RESTATED.search(text, max(0, m.start() - 40), m.start()) is not None)
        out.append(Quantity(m.start(), m.end(), m.group(), value, qual, pct, frac, alt, days, conv))
        taken.append((m.start(), m.end()))
    for m in _SPAN_PHRASE.finditer(text):
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b in taken):
            days = _SPAN_DAYS[m.group(1).lower()]
            out.append(Quantity(m.start(), m.end(), m.group(), None, SPAN, days=days))
            taken.append((m.start(), m.end()))
    for m in _VAGUE_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        w = m.group(1).lower()
        out.append(Quantity(m.start(), m.end(), m.group(), None, "universal" if w in UNIVERSAL else "vague"))
    out.sort(key=lambda q: q.start)
    return out
