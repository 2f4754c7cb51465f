"""Project health and entropy: drift indicators with their evidence, the score, and
the history of scores kept in the store."""
