"""The installed package's version (``0.0.0+local`` when running from a source tree)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tranqsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+local"
