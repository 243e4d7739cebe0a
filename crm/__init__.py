"""The CRM domain: importing, analytics, questions, outreach; no Telegram in here."""
