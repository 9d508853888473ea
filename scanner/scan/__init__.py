"""Scanning: the pipeline (fetch → store → detect → findings → outbox), its wiring, allow-rules, masking."""
