"""Scheduling domain: plain-language reminders, churn/KPI alert rules and digests (no Telegram in here)."""
