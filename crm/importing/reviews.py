"""Importing a platform's review export (Shopify Product Reviews, Judge.me; docs/service.md): each row becomes a
review of the buyer with that e-mail, of the product its handle names where the platform's order lines know it.

A row whose reviewer is anonymous (no e-mail) or no import has introduced, or that is not a buyer's review
(spam), is counted in the report, not kept; a row with a bad value is rejected with its line number. Importing
the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from crm.importing.limits import fit
from crm.importing.normalise import ValueProblem, normalise_email
from crm.importing.platforms import Activity, Platform, Review, RowMapper, handle_of
from crm.text import Msg
from storage.repositories import imports as repo
from storage.repositories import service as service_repo
from storage.repositories.service import ProductLine

if TYPE_CHECKING:
    from crm.importing.service import ImportReport

# Why a row was left out (ImportReport.left_out), in the order the summary names them.
LEFT_OUT = ("anonymous", "unknown_buyer", "spam")
# A review dated the day of its order (a date without a time is midnight) still follows that order.
SAME_DAY = timedelta(days=1)


def _title(name: str) -> str:
    """A Shopify line's product title: its name without the variant Shopify appends ("Linen Shirt - M")."""
    return name.rsplit(" - ", 1)[0] if " - " in name else name


def product_matches(handle: str, line: ProductLine) -> bool:
    """Whether an order line names the product of a handle: its title made a handle, or its SKU."""
    h = handle.strip().lower()
    if line.name and h in (handle_of(line.name), handle_of(_title(line.name))):
        return True
    return line.sku is not None and line.sku.strip().lower() == h


class ProductFinder:
    """The product (and order) a review of a handle is about: the buyer's own latest order of it up to the
    review's day; else the product the platform's order lines name by that handle; else none."""

    def __init__(
        self, products: list[ProductLine], bought: list[tuple[int, int, datetime, ProductLine]]
    ) -> None:
        self.products = products
        self.bought: dict[int, list[tuple[int, datetime, ProductLine]]] = {}
        for customer, order_id, created, line in bought:
            self.bought.setdefault(customer, []).append((order_id, created, line))
        self.by_handle: dict[str, str | None] = {}

    def find(self, handle: str | None, customer: int, when: datetime) -> tuple[str | None, int | None]:
        if not handle:
            return None, None
        mine = [
            (order_id, line.label)
            for order_id, created, line in self.bought.get(customer, [])
            if created <= when + SAME_DAY and product_matches(handle, line)
        ]
        if mine:
            order_id, label = mine[-1]  # oldest first: the latest order of it
            return label, order_id
        if handle not in self.by_handle:
            labels = sorted({p.label for p in self.products if product_matches(handle, p)})
            if len(labels) == 1:
                self.by_handle[handle] = labels[0]
            elif labels:  # its variants ("Linen Shirt - S", "Linen Shirt - M"): the product's title
                self.by_handle[handle] = _title(labels[0])
            else:
                self.by_handle[handle] = None
        return self.by_handle[handle], None


async def import_reviews(
    session: AsyncSession,
    workspace_id: int,
    mapping: Platform,
    mapper: RowMapper,
    rows: Iterator[tuple[int, Sequence[object]]],
    report: ImportReport,
    sha: str,
) -> None:
    """The rows of a review export into interactions (kind review), in the session's transaction."""
    from crm.importing.service import Rejection, _finish_log

    import_log = await repo.start_import_log(
        session, workspace_id, report.file, sha, mapping.name, report.store
    )
    report.import_id = import_log.id
    bad: list[tuple[int, str | None, str]] = []
    reviews: list[tuple[int, Review]] = []
    for line_no, cells in rows:
        report.rows += 1
        try:
            review: Review = mapper(line_no, cells)
        except ValueProblem as exc:
            bad.append((line_no, None, fit(str(exc), "rejection reason") or "unreadable"))
            continue
        if review.left_out:
            report.left_out[review.left_out] = report.left_out.get(review.left_out, 0) + 1
        elif not review.email:
            report.left_out["anonymous"] = report.left_out.get("anonymous", 0) + 1
        else:
            reviews.append((line_no, review))
    platform = mapping.name
    # The buyer key of the platform is the e-mail (Shopify's order export); a buyer known only through its
    # customers export (keyed by customer id) is found by their e-mail.
    by_key = await repo.customers_by_buyer(
        session, workspace_id, {(platform, r.email) for _, r in reviews if r.email}
    )
    missing = {normalise_email(r.email) for _, r in reviews if (platform, r.email) not in by_key}
    by_email = await service_repo.customers_by_email(
        session, workspace_id, platform, {e for e in missing if e}
    )
    owned: list[tuple[tuple[int, int], Review]] = []
    for _, r in reviews:
        owner = by_key.get((platform, r.email or ""))
        if owner is None:
            customer = by_email.get(normalise_email(r.email) or "")
            owner = (0, customer) if customer is not None else None
        if owner is None:
            report.left_out["unknown_buyer"] = report.left_out.get("unknown_buyer", 0) + 1
            continue
        owned.append((owner, r))
    finder = ProductFinder(
        await service_repo.platform_products(session, workspace_id, platform),
        await service_repo.customers_product_orders(
            session, workspace_id, platform, {cust for (_, cust), _ in owned}
        ),
    )
    records: list[tuple[tuple[int, int], Activity]] = []
    order_ids: list[int | None] = []
    products: list[str | None] = []
    for owner, r in owned:
        product, order_id = finder.find(r.product_handle, owner[1], r.occurred_at)
        if r.product_handle and product is None:
            report.products_unlinked += 1
        records.append(
            (
                owner,
                Activity(
                    platform=platform,
                    buyer_key="",
                    kind="review",
                    occurred_at=r.occurred_at,
                    rating=r.rating,
                    body=r.body,
                ),
            )
        )
        order_ids.append(order_id)
        products.append(fit(product, "product name") if product else None)
    added = await repo.add_activity(session, workspace_id, "reviews", records, order_ids, products)
    report.orders_new, report.orders_unchanged = added, len(records) - added  # reviews added / already there
    report.rejected = [Rejection(*x) for x in bad]
    await repo.add_rejections(session, import_log.id, bad)
    _finish_log(import_log, report)
    import_log.orders_new = added


def review_summary(report: ImportReport) -> list[Msg]:
    """What an import of a review export did not keep (by why), and its reviews kept without a product."""
    out = [
        Msg(f"imports.reviews_{why}", {"n": report.left_out[why]})
        for why in LEFT_OUT
        if report.left_out.get(why)
    ]
    if report.products_unlinked:
        out.append(Msg("imports.reviews_unlinked", {"n": report.products_unlinked}))
    return out
