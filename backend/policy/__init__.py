"""Team policy bundles: read, and checked against the inventory."""
