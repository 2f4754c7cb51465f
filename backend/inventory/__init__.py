"""The package inventory: built from the scans, its `list --json` document, and the
snapshots of it kept in the store."""
