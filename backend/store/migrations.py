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
    # 3: the audit log, append-only: triggers refuse UPDATE and DELETE, and each row's
    # hash chains it to the one before (backend.audit), so tampering shows.
    """
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        timestamp_ns INTEGER NOT NULL,
        user TEXT NOT NULL,
        host TEXT NOT NULL,
        os TEXT NOT NULL,
        action TEXT NOT NULL,
        project TEXT,
        packages TEXT NOT NULL,
        details TEXT NOT NULL,
        result TEXT NOT NULL,
        duration_ms REAL,
        trace_id TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_log_by_time ON audit_log (timestamp_ns);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
    """,
    # 4: entropy scores over time, one row per project whenever its score moved.
    """
    CREATE TABLE entropy_scores (
        id INTEGER PRIMARY KEY,
        taken_at_ns INTEGER NOT NULL,
        project TEXT NOT NULL,
        health REAL NOT NULL,
        drift_indicators INTEGER NOT NULL,
        validation_errors INTEGER NOT NULL,
        score REAL NOT NULL,
        level TEXT NOT NULL,
        report TEXT NOT NULL
    );
    CREATE INDEX entropy_scores_by_project ON entropy_scores (project, taken_at_ns)
    """,
    # 5: control limits fixed from a baseline, kept until the user recomputes them.
    """
    CREATE TABLE spc_baselines (
        span TEXT NOT NULL,
        chart TEXT NOT NULL,
        scale TEXT NOT NULL,
        subgroup INTEGER NOT NULL,
        limits TEXT NOT NULL,
        computed_ns INTEGER NOT NULL,
        PRIMARY KEY (span, chart, scale, subgroup)
    )
    """,
    # 6: what package indexes said, so `outdated --offline` can answer from the cache.
    """
    CREATE TABLE index_cache (
        index_url TEXT NOT NULL,
        name TEXT NOT NULL,
        releases TEXT NOT NULL,
        fetched_ns INTEGER NOT NULL,
        PRIMARY KEY (index_url, name)
    )
    """,
    # 7: the update journal: each project's files before an update touched them, so a
    # crash mid-update is undone on the next start and a finished batch can be undone.
    """
    CREATE TABLE update_journal (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL,
        project TEXT NOT NULL,
        folder TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT,
        environment TEXT,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_ns INTEGER NOT NULL,
        finished_ns INTEGER
    );
    CREATE INDEX update_journal_by_state ON update_journal (state, batch_id)
    """,
    # 8: the findings of each registry and live check, row by row (the newest runs kept).
    """
    CREATE TABLE check_runs (
        check_ns INTEGER PRIMARY KEY,
        engine TEXT NOT NULL,
        finding_count INTEGER NOT NULL,
        samples INTEGER NOT NULL
    );
    CREATE TABLE check_findings (
        id INTEGER PRIMARY KEY,
        check_ns INTEGER NOT NULL,
        registry TEXT,
        finding TEXT NOT NULL,
        level TEXT NOT NULL,
        message TEXT NOT NULL,
        file TEXT,
        line INTEGER,
        group_id TEXT,
        attribute TEXT,
        signal_type TEXT,
        signal_name TEXT,
        span_id TEXT,
        trace_id TEXT
    );
    CREATE INDEX check_findings_by_run ON check_findings (check_ns)
    """,
    # 9: a run whose findings equal the previous run of the same scope (the workspace,
    # or one registry) points at that run's rows instead of storing them again.
    """
    ALTER TABLE check_runs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
    ALTER TABLE check_runs ADD COLUMN digest TEXT;
    ALTER TABLE check_runs ADD COLUMN findings_ns INTEGER;
    UPDATE check_runs SET findings_ns = check_ns
    """,
    # 10: OSV advisory records, whole, and the PyPI names each one affects, so matching
    # reads only the records of the packages at hand.
    """
    CREATE TABLE advisories (
        id TEXT PRIMARY KEY,
        modified TEXT NOT NULL,
        withdrawn INTEGER NOT NULL,
        record TEXT NOT NULL,
        source TEXT NOT NULL,
        imported_ns INTEGER NOT NULL
    );
    CREATE TABLE advisory_packages (
        name TEXT NOT NULL,
        id TEXT NOT NULL REFERENCES advisories (id),
        PRIMARY KEY (name, id)
    ) WITHOUT ROWID
    """,
    # 11: what matching needs, kept beside each record when it is imported: a record's
    # aliases, severity and summary, and per package its intervals and the listed
    # versions outside them. NULL marks a row imported before, indexed on first read.
    """
    ALTER TABLE advisories ADD COLUMN aliases TEXT;
    ALTER TABLE advisories ADD COLUMN severity TEXT;
    ALTER TABLE advisories ADD COLUMN score REAL;
    ALTER TABLE advisories ADD COLUMN summary TEXT;
    ALTER TABLE advisory_packages ADD COLUMN ranges TEXT;
    CREATE INDEX advisories_unindexed ON advisories (id) WHERE aliases IS NULL
    """,
    # 12: licences read from the core metadata an index serves beside a wheel (PEP 658),
    # per release: a release's metadata never changes, so a row is kept for good.
    """
    CREATE TABLE license_cache (
        index_url TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        license TEXT NOT NULL,
        source TEXT,
        declared TEXT NOT NULL,
        why TEXT,
        fetched_ns INTEGER NOT NULL,
        PRIMARY KEY (index_url, name, version)
    ) WITHOUT ROWID
    """,
    # 13: what the OSV service answered for packages no imported database covers: the
    # ids affecting each (name, version), with when it was asked, and the records
    # fetched for them (kept apart from the imported database, which they do not make).
    """
    CREATE TABLE osv_answers (
        osv_url TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        ids TEXT NOT NULL,
        fetched_ns INTEGER NOT NULL,
        PRIMARY KEY (osv_url, name, version)
    ) WITHOUT ROWID;
    CREATE TABLE osv_records (
        osv_url TEXT NOT NULL,
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (osv_url, id)
    ) WITHOUT ROWID
    """,
]
