"""devkit-tui's version, the one place it is written (the build reads it from here, see
`[tool.hatch.version]`): spans and SBOMs name it without loading `importlib.metadata`."""

__version__ = "0.1.0"
