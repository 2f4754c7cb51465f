"""The chart kinds and default chart options, apart from the charts themselves, so a
command's `--help` can name them without loading the statistics."""

CHARTS = ("imr", "xbar-r", "xbar-s", "p")
DEFAULT_SPEC_MS = 2000.0
"""The operation target of the plans this product comes from: 2 s."""
DEFAULT_BASELINE = 50
DEFAULT_SUBGROUP = 5
DEFAULT_BUCKET_S = 60.0
