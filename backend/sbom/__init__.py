"""CycloneDX SBOMs of projects."""
