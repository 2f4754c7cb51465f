"""The configuration file: its pydantic models, where it is found, and the settings it
gives with where each value came from."""
