"""Building and publishing a release: the build, dumps, self-descriptions, promotion, summary."""
