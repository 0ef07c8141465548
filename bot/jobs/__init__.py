"""Scheduled work that runs outside the app's process (cron, systemd timer, Kubernetes CronJob)."""
