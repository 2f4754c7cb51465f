"""The environment variables and defaults that option help text names, apart from the
Settings dataclass: every command's `--help` reads these, and `dataclasses` alone costs
as much start-up as the interpreter itself."""

DB_ENV_VAR = "DEVKIT_DB"
INDEX_ENV_VAR = "UV_INDEX_URL"
UV_ENV_VAR = "DEVKIT_UV"
WEAVER_ENV_VAR = "DEVKIT_WEAVER"
CACHE_ENV_VAR = "DEVKIT_CACHE"
DEFAULT_MAX_DEPTH = 8
"""How deep under each root projects are looked for (`--max-depth`)."""
DB_FILE_NAME = "devkit.sqlite3"
BUNDLE_FILE = "devkit-bundle.toml"
"""The policy bundle looked for at each root (the watcher reports its changes too)."""
CONSTRAINTS_FILE = "devkit-constraints.txt"
"""A requirements project's compiled policy constraints (written by `policy apply`)."""
MAX_DEPTH_LIMIT = 64
