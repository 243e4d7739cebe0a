"""Retention automation: rules (trigger → condition → actions), their dry runs and their evaluation."""
