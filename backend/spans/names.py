"""Span and attribute names of devkit's own telemetry, as `assets/semconv/` defines them.

A test checks that every name here is in the registry with the right type, so the
code and the registry cannot drift apart.
"""

# Spans (each is the group `span.<name>` in assets/semconv/model/devkit/spans.yaml).
SCAN = "devkit.scan"
DISCOVER = "devkit.discover"
PROJECT_READ = "devkit.project.read"
PARSE = "devkit.parse"
INVENTORY_BUILD = "devkit.inventory.build"
WATCH_CHANGE = "devkit.watch.change"
SNAPSHOT_STORE = "devkit.snapshot.store"
INGEST_OTLP = "devkit.ingest.otlp"
INGEST_FILE = "devkit.ingest.file"
QUERY_SPANS = "devkit.query.spans"
UPDATE = "devkit.update"
CHECK = "devkit.check"
AUDIT_VERIFY = "devkit.audit.verify"
AUDIT_EXPORT = "devkit.audit.export"

# Attributes (assets/semconv/model/devkit/registry.yaml).
SCAN_REASON = "devkit.scan.reason"
ROOT_COUNT = "devkit.root.count"
PROJECT_COUNT = "devkit.project.count"
PACKAGE_COUNT = "devkit.package.count"
ERROR_COUNT = "devkit.error.count"
PROJECT_NAME = "devkit.project.name"
PROJECT_KIND = "devkit.project.kind"
FILE_PATH = "devkit.file.path"
FILE_FORMAT = "devkit.file.format"
WATCH_PATH_COUNT = "devkit.watch.path_count"
INGEST_ENCODING = "devkit.ingest.encoding"
INGEST_SPAN_COUNT = "devkit.ingest.span_count"
INGEST_REJECTED_COUNT = "devkit.ingest.rejected_count"
INGEST_LINE_COUNT = "devkit.ingest.line_count"
QUERY_ROW_COUNT = "devkit.query.row_count"
SNAPSHOT_COUNT = "devkit.snapshot.count"
AUDIT_ENTRY_COUNT = "devkit.audit.entry_count"
AUDIT_FORMAT = "devkit.audit.format"
HTTP_STATUS = "http.response.status_code"
ERROR_TYPE = "error.type"
