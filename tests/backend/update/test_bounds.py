"""A bumped specifier keeps the user's style: pins stay pins, floors move up, a
compatible release keeps its precision, upper bounds rise only as far as needed."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from backend.update.bounds import bumped


@pytest.mark.parametrize(
    ("declared", "target", "expected"),
    [
        ("==2.31.0", "2.34.2", "==2.34.2"),  # not the floor `>=2.34.2`
        (">=2.31", "2.34.2", ">=2.34.2"),
        (">=1.3.4,<2.0.0", "2.4.0", ">=2.4.0,<3.0.0"),  # a major bound stays a major bound
        (">=1.3.4,<1.5", "1.7.2", ">=1.7.2,<1.8"),
        ("<3,>=1", "2.5", "<3,>=2.5"),  # a bound the target meets is kept as written
        ("~=1.2", "2.4.1", "~=2.4"),
        ("~=1.2.3", "2.4.1", "~=2.4.1"),
        ("==1.2.*", "1.5.0", "==1.5.*"),
        (">=1,!=2.0.0", "2.0.0", ">=2.0.0"),
        ("", "1.0", ">=1.0"),
    ],
)
def test_the_style_is_kept_and_the_target_allowed(
    declared: str, target: str, expected: str
) -> None:
    result = bumped(declared, target)
    assert result == expected
    assert SpecifierSet(result).contains(target)
