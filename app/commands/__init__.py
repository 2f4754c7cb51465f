"""One module per headless subcommand: `add_arguments(parser)` and `run(options)`."""
