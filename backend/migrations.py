"""Schema migrations, applied in order; `PRAGMA user_version` counts those applied.

Never edit a migration that has shipped: add the next one.
"""

MIGRATIONS: list[str] = [
    # 1: inventory snapshots, one per project per change, so drift can be charted over time.
    """
    CREATE TABLE inventory_snapshots (
        id INTEGER PRIMARY KEY,
        taken_at_ns INTEGER NOT NULL,
        project_path TEXT NOT NULL,
        project_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        digest TEXT NOT NULL,
        package_count INTEGER NOT NULL,
        error_count INTEGER NOT NULL,
        errors TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX inventory_snapshots_by_project ON inventory_snapshots (project_path, taken_at_ns);
    CREATE TABLE snapshot_packages (
        snapshot_id INTEGER NOT NULL REFERENCES inventory_snapshots (id),
        name TEXT NOT NULL,
        declared TEXT NOT NULL,
        groups TEXT NOT NULL,
        locked TEXT NOT NULL,
        installed TEXT,
        direct INTEGER NOT NULL,
        flags TEXT NOT NULL
    );
    CREATE INDEX snapshot_packages_by_snapshot ON snapshot_packages (snapshot_id);
    CREATE INDEX snapshot_packages_by_name ON snapshot_packages (name)
    """,
    # 2: spans, with their resources and instrumentation scopes stored once each.
    """
    CREATE TABLE resources (
        id INTEGER PRIMARY KEY,
        attributes TEXT NOT NULL,
        schema_url TEXT NOT NULL
    );
    CREATE TABLE scopes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        attributes TEXT NOT NULL,
        schema_url TEXT NOT NULL
    );
    CREATE TABLE spans (
        id INTEGER PRIMARY KEY,
        trace_id BLOB NOT NULL,
        span_id BLOB NOT NULL,
        parent_span_id BLOB,
        name TEXT NOT NULL,
        kind INTEGER NOT NULL,
        start_ns INTEGER NOT NULL,
        end_ns INTEGER NOT NULL,
        status_code INTEGER NOT NULL,
        status_message TEXT NOT NULL,
        attributes TEXT NOT NULL,
        events TEXT NOT NULL,
        links TEXT NOT NULL,
        trace_state TEXT NOT NULL,
        flags INTEGER NOT NULL,
        dropped TEXT NOT NULL,
        resource_id INTEGER NOT NULL REFERENCES resources (id),
        scope_id INTEGER NOT NULL REFERENCES scopes (id),
        service_name TEXT,
        received_ns INTEGER NOT NULL
    );
    CREATE INDEX spans_by_name_and_start ON spans (name, start_ns);
    CREATE INDEX spans_by_trace ON spans (trace_id);
    CREATE TABLE span_file_offsets (
        path TEXT PRIMARY KEY,
        inode INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        line INTEGER NOT NULL,
        head TEXT NOT NULL
    )
    """,
]
