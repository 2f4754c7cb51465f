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
]
