"""Known vulnerabilities: OSV advisory records imported into the store, matched offline
against every project's packages, each package ending vulnerable, clean, not audited
(with why) or local."""
