"""The version of fipeval, in one place (pyproject.toml states the same for packaging)."""

__version__ = "0.1.0"
