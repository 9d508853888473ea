"""Shared test helpers: fakes, builders and servers used across the test packages."""
