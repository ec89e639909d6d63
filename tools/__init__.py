"""Tools for the maintainers, not installed with the package."""
