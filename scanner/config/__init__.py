"""Configuration: the schema (no I/O), the loader, the district CSVs and the local keys."""
