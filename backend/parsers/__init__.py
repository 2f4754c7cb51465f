"""Parsers of the files projects keep (pyproject.toml, uv.lock, pylock.toml, poetry.lock,
requirements files, installed metadata) into the plain records of `records`. They import
nothing else of the backend."""
