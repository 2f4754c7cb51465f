"""Reading the watched folders: discovery, per-project scans (in a child process or a
thread), the parse cache, the watcher, and which projects a file change touches."""
