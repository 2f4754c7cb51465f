"""Dependency graphs: from uv.lock, pylock.toml or an installed environment; walks over
a lock from one project's node; environment markers."""
