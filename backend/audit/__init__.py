"""The audit log: hash-chained entries, their reading and export, and the operation log
that wraps each operation in its span and its audit entry."""
