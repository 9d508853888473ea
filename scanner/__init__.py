"""District post scanner: keeps school social-media accounts within district policy."""

__version__ = "0.1.0"
