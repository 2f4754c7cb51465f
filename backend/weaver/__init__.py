"""Semantic-convention registries checked the way OpenTelemetry Weaver checks them:
loading with file and line, resolution, and live checks of recorded spans."""
