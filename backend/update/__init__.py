"""Bulk package updates: plan in a scratch copy, apply with uv, roll back, undo."""
