"""Order statuses as stored, and the valid-status rule: the one place both are written (no SQLAlchemy here, so the
domain catalogue can read them without loading the database layer)."""

from __future__ import annotations

# An order's status after import (crm.importing.platforms maps each platform's own words onto these). Only the
# valid ones count in the KPIs (docs/metrics.md); the domain catalogue (crm.catalog) names them for people.
ORDER_STATUSES: tuple[str, ...] = ("pending", "paid", "shipped", "completed", "cancelled", "returned")
VALID_ORDER_STATUSES: tuple[str, ...] = ("paid", "shipped", "completed")
