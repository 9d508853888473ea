"""District post scanner: keeps school social-media accounts within district policy."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("district-post-scanner")  # the one version source is pyproject.toml
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
