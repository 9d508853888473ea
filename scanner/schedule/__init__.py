"""Scheduling: cron/interval triggers (the only place that imports APScheduler), the service, status."""
