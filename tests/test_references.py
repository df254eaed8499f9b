from __future__ import annotations

import pytest

from retold.references import group_names, name_list_sizes, resolve_group_reference


@pytest.mark.parametrize(
    ("text", "before", "want"),
    [
        ("All three have retired.", "Ann Lee, Bo Chen and Cy Diaz won.", "Lee, Chen and Diaz have retired."),
        ("Both men denied it.", "Police questioned John Smith and Ken Brown.", "Smith and Brown denied it."),
        ("The pair met in 2001.", "Rita Ora and Al Green sang.", "Ora and Green met in 2001."),
        ("Both were fined.", "Chelsea and Arsenal were charged.", "Chelsea and Arsenal were fined."),
        ("The two bosses agreed.", "Ann Lee and Bo Chen talked.", "Lee and Chen agreed."),
        ("The pair has split.", "Rita Ora and Al Green sang.", "Ora and Green has split."),
        # a surname with a particle keeps its last word
        ("The two played.", "Dirk van Dyke and Jo Marsh came.", "Dyke and Marsh played."),
    ],
)
def test_a_group_reference_stands_for_the_names_before_it(text: str, before: str, want: str) -> None:
    assert resolve_group_reference(text, before) == want


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("All three have retired.", "John Smith and Ken Brown won."),  # two names, not three
        ("All three have retired.", "The three players won."),  # no names
        ("They have retired.", "John Smith and Ken Brown won."),  # not a count
        ("He said all three have retired.", "Ann Lee, Bo Chen and Cy Diaz won."),  # not at the start
    ],
)
def test_no_names_for_a_count_that_does_not_match_or_no_reference(text: str, before: str) -> None:
    assert group_names(text, before) is None


def test_the_last_list_of_the_right_size_is_taken() -> None:
    before = "Ann Lee and Bo Chen met Cy Diaz, Ed Fox and Al Gore, then Di Ross and Jo Kim."
    assert group_names("All three agreed.", before) == (9, ["Diaz", "Fox", "Gore"])
    assert group_names("Both agreed.", before) == (4, ["Ross", "Kim"])


def test_list_sizes() -> None:
    assert name_list_sizes("Ann Lee, Bo Chen and Cy Diaz met Ed Fox and Al Gore.") == {2, 3}
    assert name_list_sizes("nothing named here") == set()


def test_a_lower_case_word_after_a_name_is_no_particle_of_it() -> None:
    assert group_names("Both agreed.", "Smith and Jones all agreed to go.") == (4, ["Smith", "Jones"])
    assert group_names("Both agreed.", "Smith and Jones de facto ruled.") == (4, ["Smith", "Jones"])
