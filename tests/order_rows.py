"""A test's own orders, written straight into the tables (no importer): the one place their columns are spelled."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from storage.models import Order


def sgd_order(
    workspace_id: int, store_id: int, customer_id: int, ref: str, status: str, at: datetime, value: float = 10
) -> Order:
    """A Shopee order in the base currency (SGD), worth `value`."""
    return Order(
        workspace_id=workspace_id,
        store_id=store_id,
        platform="shopee",
        platform_order_id=ref,
        customer_id=customer_id,
        status=status,
        currency="SGD",
        order_value=Decimal(str(value)),
        value_base=Decimal(str(value)),
        created_at=at,
    )
