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
     ("ten", "10"), ("more than 200", "over 200")],
)
def test_formats_of_the_same_amount_match(a: str, b: str) -> None:
    qa, qb = one(a), one(b)
    assert qa.matches_value(qb)
    assert qa.qualifier == qb.qualifier


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
