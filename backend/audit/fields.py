"""The audit log's actions, results and fields, as plain names: `audit --help` lists
the actions without loading the entries' dataclasses."""

RESULTS = ("success", "failure", "partial")
ACTIONS = (
    "scan",
    "ingest-start",
    "ingest-stop",
    "export",
    "config-change",
    "verify",
    "update",
    "rollback",
    "undo",
    "check",
    "vulns",
    "sbom",
    "policy-check",
    "policy-apply",
    "manifest",
    "remediate",
)
COLUMNS = (
    "seq",
    "timestamp_ns",
    "user",
    "host",
    "os",
    "action",
    "project",
    "packages",
    "details",
    "result",
    "duration_ms",
    "trace_id",
    "prev_hash",
    "hash",
)


EXPORT_FIELDS = (
    "seq",
    "timestamp",
    "timestamp_ns",
    "user",
    "host",
    "os",
    "action",
    "project",
    "packages",
    "details",
    "result",
    "duration_ms",
    "trace_id",
    "hash",
    "prev_hash",
)
"""The fields of an exported entry (`as_json`), in order: the CSV's columns."""
