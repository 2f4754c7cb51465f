"""SQLite storage: one writer task, reader connections, WAL, and the schema migrations.
It knows no feature: features keep their own tables through it."""
