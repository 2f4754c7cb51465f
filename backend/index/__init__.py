"""Package indexes: what releases exist, newest first, cached in the store."""
