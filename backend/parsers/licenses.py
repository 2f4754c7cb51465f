"""A distribution's licence as an SPDX expression, from its core metadata: the
`License-Expression` field (PEP 639), else the free-text `License` field when it names
a licence, else the licence classifiers. Unknown is its own value, never a guess.

Classifiers that do not say which licence they mean ("BSD License", "GNU General Public
License (GPL)") give nothing: a policy that allows BSD-3-Clause must not pass BSD-4-Clause.
"Apache Software License" is read as Apache-2.0, the only Apache licence in use since 2004.
Several licence classifiers are read as a choice (`OR`), as projects that list MIT and
Apache-2.0 mean it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

UNKNOWN = "unknown"
SOURCES = ("License-Expression", "License", "Classifier")

_CLASSIFIERS = {
    "Apache Software License": "Apache-2.0",
    "Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "Common Development and Distribution License 1.0 (CDDL-1.0)": "CDDL-1.0",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.0 (EUPL 1.0)": "EUPL-1.0",
    "European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "ISC License (ISCL)": "ISC",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Mulan Permissive Software License v2 (MulanPSL-2.0)": "MulanPSL-2.0",
    "PostgreSQL License": "PostgreSQL",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "W3C License": "W3C",
    "Zero-Clause BSD (0BSD)": "0BSD",
    "zlib/libpng License": "Zlib",
}
"""The last part of a trove licence classifier to the SPDX id it names."""

_NAMES = {
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache software": "Apache-2.0",
    "apache software 2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "bsd 2 clause": "BSD-2-Clause",
    "2 clause bsd": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "bsd 3 clause": "BSD-3-Clause",
    "3 clause bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "mit": "MIT",
    "expat": "MIT",
    "isc": "ISC",
    "mpl 2.0": "MPL-2.0",
    "mozilla public 2.0": "MPL-2.0",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "psf": "PSF-2.0",
    "unlicense": "Unlicense",
}
"""Free-text names often written in the `License` field, lower-cased, with commas,
dashes and the words "the", "license" and "version" folded away."""


@dataclass(frozen=True, slots=True)
class License:
    """A licence and where it was read; `declared` keeps the text it came from."""

    expression: str = UNKNOWN
    source: str | None = None
    declared: str = ""

    @property
    def known(self) -> bool:
        return self.expression != UNKNOWN


def license_from(expression: str, text: str, classifiers: Iterable[str] = ()) -> License:
    """The first field that names a licence, in PEP 639's order of preference."""
    if expression:
        found = spdx(expression)
        if found is not None:
            return License(found, "License-Expression", expression)
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if first:
        found = spdx(first) or _NAMES.get(_folded(first))
        if found is not None:
            return License(found, "License", first)
    named = [c.rpartition(" :: ")[2] for c in classifiers if c.startswith("License ::")]
    ids = list(dict.fromkeys(_CLASSIFIERS[n] for n in named if n in _CLASSIFIERS))
    if ids:
        return License(" OR ".join(ids), "Classifier", "; ".join(named))
    return License(UNKNOWN, None, expression or first or "; ".join(named))


@lru_cache(maxsize=4096)
def spdx(text: str) -> str | None:
    """`text` as a canonical SPDX expression, or None when it is not one."""
    try:
        return canonicalize_license_expression(text)
    except InvalidLicenseExpression:
        return None


def _folded(text: str) -> str:
    text = re.sub(r"[,\-_/()]+", " ", text.lower())
    text = re.sub(r"\bv(?=\d)", "", text)
    return " ".join(w for w in text.split() if w not in ("the", "license", "licence", "version"))
