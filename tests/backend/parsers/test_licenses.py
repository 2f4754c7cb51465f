"""A licence from core metadata: the headers of real METADATA files (copied from wheels
as installed), one for each field a licence can come from, and the cases that must not
turn into a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.parsers.environment import license_of, metadata_headers
from backend.parsers.licenses import UNKNOWN, license_from

METADATA = Path(__file__).parents[2] / "data" / "metadata"


@pytest.mark.parametrize(
    ("stem", "expression", "source"),
    [
        ("packaging-26.3", "Apache-2.0 OR BSD-2-Clause", "License-Expression"),
        ("uv-0.13.9", "MIT OR Apache-2.0", "License-Expression"),
        ("requests-2.34.2", "Apache-2.0", "License"),  # the field wins over the classifier
        ("protobuf-7.36.2", "BSD-3-Clause", "License"),  # "3-Clause BSD License"
        ("cvss-3.6", "LGPL-3.0-or-later", "License"),  # "LGPLv3+"
        ("aiosqlite-0.22.1", "MIT", "Classifier"),
        ("jinja2-3.1.6", UNKNOWN, None),  # "BSD License" does not say which BSD
    ],
)
def test_real_metadata(stem: str, expression: str, source: str | None) -> None:
    text = (METADATA / f"{stem}.METADATA").read_text(encoding="utf-8")
    found = license_of(metadata_headers(text))
    assert (found.expression, found.source) == (expression, source)


def test_an_unknown_licence_keeps_what_was_declared() -> None:
    found = license_from("", "", ["License :: OSI Approved :: BSD License"])
    assert not found.known and found.declared == "BSD License"


def test_an_invalid_expression_falls_back_to_the_next_field() -> None:
    found = license_from("MIT-ish", "", ["License :: OSI Approved :: MIT License"])
    assert (found.expression, found.source) == ("MIT", "Classifier")


def test_spdx_ids_are_canonical_and_several_classifiers_are_a_choice() -> None:
    assert license_from("apache-2.0 or mit", "").expression == "Apache-2.0 OR MIT"
    both = license_from(
        "",
        "",
        [
            "License :: OSI Approved :: MIT License",
            "License :: OSI Approved :: Apache Software License",
            "License :: OSI Approved :: MIT License",
        ],
    )
    assert both.expression == "MIT OR Apache-2.0"


def test_a_licence_text_in_the_license_field_is_read_by_its_first_line() -> None:
    mit = license_from("", "MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is ...")
    assert (mit.expression, mit.source) == ("MIT", "License")
    text = license_from("", "Copyright (c) 2024 Someone\nAll rights reserved.")
    assert text.expression == UNKNOWN
