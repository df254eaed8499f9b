from __future__ import annotations

import pytest

from retold.numbers import find_quantities


def one(text: str):  # type: ignore[no-untyped-def]
    qs = find_quantities(text)
    assert qs, text
    return qs[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [("£600m", "600 million"), ("10%", "one in ten"), ("a quarter", "25%"), ("0900 GMT", "9am"),
     ("ten", "10"), ("more than 200", "over 200"), ("$1bn", "one billion dollars"),
     ("1.5 miles", "one and a half miles"), ("the 1990s", "the nineties"), ("the 1980s", "the '80s"),
     ("the 2000s", "the 00s")],
)
def test_formats_of_the_same_amount_match(a: str, b: str) -> None:
    qa, qb = one(a), one(b)
    assert qa.matches_value(qb)
    assert qa.qualifier == qb.qualifier


def test_another_decade_or_another_half_is_another_amount() -> None:
    assert not one("the 1990s").matches_value(one("the eighties"))
    assert not one("two and a half years").matches_value(one("three years"))
    # "one" alone is often no count ("one of the firms"); with a scale it is.
    assert find_quantities("one of the firms") == []
    assert one("one million people").value == 1e6


def test_qualifier_and_vagueness_are_kept() -> None:
    assert one("more than half").qualifier == "more"
    assert one("about half").qualifier == "approx"
    assert one("multiple").value is None
    assert one("every").qualifier == "universal"


def test_html_references_and_compounds_are_not_numbers() -> None:
    assert find_quantities("Pap&#233; scored in the second-half") == []


def test_sub_prefix_is_an_upper_bound() -> None:
    q, r = one("a sub-$100 laptop"), one("under $100")
    assert q.text == "sub-$100" and q.qualifier == r.qualifier == "less"
    assert q.same_as(r)
    assert find_quantities("the sub-editors") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("over the last 12 months", "within the past year"), ("lasted 24 hours", "lasted a day"),
     ("for a fortnight", "for two weeks"), ("ten years", "a decade")],
)
def test_spans_of_time_written_another_way_match(a: str, b: str) -> None:
    qa = next(q for q in find_quantities(a) if q.days or q.value)
    qb = next(q for q in find_quantities(b) if q.days or q.value)
    assert qa.same_span(qb) or qa.matches_value(qb)


def test_a_rate_is_not_a_figure() -> None:
    qs = find_quantities("200 million phones a year")
    assert [q.value for q in qs] == [200e6, None]
    assert not one("5%").same_span(one("5 years"))


@pytest.mark.parametrize(
    ("a", "b"),
    [("three-quarters", "75%"), ("two thirds", "67%"), ("a third", "33%"), ("one-fifth", "20%"),
     ("a third", "one in three")],
)
def test_fractions_written_out_match_percentages(a: str, b: str) -> None:
    assert one(a).matches_value(one(b))
    assert not one("a quarter").matches_value(one("26%"))
    assert one("the third quarter").value == 3  # an ordinal, not a share


def test_units_and_conversions() -> None:
    assert one("1115 pence").matches_value(one("£11.15"))
    assert one("5km").matches_value(one("5,000 metres"))
    assert one("a thousand").matches_value(one("1,000"))
    qs = find_quantities("worth $500m (£270m), the firm said")
    assert [q.conversion for q in qs] == [False, True]
    qs = find_quantities("an investment of 300bn yen ($2.9bn, £1.5bn) over 3 years")
    assert [q.conversion for q in qs] == [False, True, True, False]
    assert not one("40C").alt  # Celsius, not cents


def test_a_share_restating_the_change_before_it_is_a_restatement() -> None:
    # "247p, or 18%": the same fall given twice; a copy that keeps one has lost nothing.
    qs = find_quantities("The shares closed down 247p, or 18%, at 1115 pence.")
    assert [(q.text, q.conversion) for q in qs] == [("247", False), ("18%", True), ("1115", False)]
    qs = find_quantities("Sales rose 5 million, or about 2%, last year.")
    assert [q.conversion for q in qs] == [False, True]
    # Alternatives are two figures, not one restated.
    assert not any(q.conversion for q in find_quantities("Prices may rise 10 or 20% this year."))
