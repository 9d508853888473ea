"""Alerts: composing outbox items into e-mails, rendering, transports (SMTP/.eml), sending, status."""
