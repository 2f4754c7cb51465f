"""The version is written once, in `backend/version.py`; the build takes it from there,
so the installed distribution and what spans and SBOMs say agree."""

from importlib.metadata import version

from backend.version import __version__


def test_the_installed_distribution_carries_the_version_the_code_names() -> None:
    assert version("devkit-tui") == __version__
