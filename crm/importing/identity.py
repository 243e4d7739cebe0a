"""Identity merge: buyer records that share a normalised email or phone become one customer (transitively).

Runs incrementally: starting from the identities an import touched, it follows shared emails and phones
through the database until the connected group is complete, then gives each group one customer. The oldest
customer survives a merge; every merge is recorded with what matched, so it can be explained and undone.
Identities a seller pinned by hand (a manual split or merge) keep their customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MergeEvent
from storage.repositories import imports as repo


@dataclass
class MergeReport:
    customers_new: int = 0
    merges: list[tuple[int, int, str, str | None]] = field(
        default_factory=list
    )  # survivor, merged, reason, key
    assigned: dict[int, int] = field(default_factory=dict)  # identity id -> customer id (for touched groups)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


async def resolve_customers(
    session: AsyncSession,
    workspace_id: int,
    seed_ids: Sequence[int],
    *,
    describe: Callable[[int], tuple[str | None, str | None]],
    import_id: int | None = None,
) -> MergeReport:
    """Give every identity connected to `seed_ids` its customer, creating and merging customers as needed."""
    report = MergeReport()
    if not seed_ids:
        return report
    rows: dict[int, repo.IdentityRow] = {r[0]: r for r in await repo.identities_by_id(session, seed_ids)}
    seen_emails: set[str] = set()
    seen_phones: set[str] = set()
    while True:
        emails = {r[2] for r in rows.values() if r[2]} - seen_emails
        phones = {r[3] for r in rows.values() if r[3]} - seen_phones
        if not emails and not phones:
            break
        seen_emails |= emails
        seen_phones |= phones
        for r in await repo.identities_sharing(session, workspace_id, sorted(emails), sorted(phones)):
            rows.setdefault(r[0], r)

    # Pinned identities (a seller's merge or split) are anchors: they never link others together, but a
    # group that has no customer yet joins the customer of a pinned identity it shares a key with.
    uf = _UnionFind()
    first_by_key: dict[tuple[str, str], int] = {}
    pinned_customers: dict[tuple[str, str | None], set[int]] = {}
    for ident, cust, email, phone, pinned in rows.values():
        keys = [(kind, value) for kind, value in (("email", email), ("phone", phone)) if value]
        if pinned and cust is not None:
            for key in keys:
                pinned_customers.setdefault(key, set()).add(cust)
            continue
        uf.find(ident)
        for key in keys:
            other = first_by_key.setdefault(key, ident)
            uf.union(ident, other)
    groups: dict[int, list[repo.IdentityRow]] = {}
    for r in rows.values():
        if not (r[4] and r[1] is not None):
            groups.setdefault(uf.find(r[0]), []).append(r)

    to_create: list[tuple[int, list[int]]] = []  # (representative identity, identities needing the customer)
    for members in groups.values():
        if len(members) == 1:  # most groups: one buyer record
            existing = [] if members[0][1] is None else [members[0][1]]
        else:
            members.sort(key=lambda r: r[0])
            existing = sorted({r[1] for r in members if r[1] is not None})
        target: int | None = existing[0] if existing else None
        for other in existing[1:]:
            survivor = existing[0]  # (= target)
            moved = [r[0] for r in members if r[1] == other]
            reason, matched_on = _why(members, survivor, other)
            report.merges.append((survivor, other, reason, matched_on))
            await repo.merge_customers(
                session,
                workspace_id,
                survivor,
                other,
                reason=reason,
                matched_on=matched_on,
                identity_ids=moved,
                import_id=import_id,
            )
        if target is None and pinned_customers:
            anchors = sorted(
                {
                    c
                    for r in members
                    for k in (("email", r[2]), ("phone", r[3]))
                    for c in pinned_customers.get(k, ())
                }
            )
            target = anchors[0] if anchors else None
        if target is None:
            to_create.append((members[0][0], [r[0] for r in members]))
            continue
        for r in members:
            if r[1] != target:
                report.assigned[r[0]] = target

    if to_create:
        new_ids = await repo.create_customers(
            session,
            [
                dict(
                    zip(
                        ("workspace_id", "display_name", "country"),
                        (workspace_id, *describe(rep)),
                        strict=True,
                    )
                )
                for rep, _ in to_create
            ],
        )
        report.customers_new = len(new_ids)
        for (_, members_ids), cid in zip(to_create, new_ids, strict=True):
            for ident in members_ids:
                report.assigned[ident] = cid
    await repo.assign_identities(session, report.assigned)
    return report


def _why(members: list[repo.IdentityRow], survivor: int, merged: int) -> tuple[str, str | None]:
    """The email or phone that directly links the two customers (else the group was joined transitively)."""
    a = [r for r in members if r[1] == survivor]
    b = [r for r in members if r[1] == merged]
    emails = {r[2] for r in a if r[2]} & {r[2] for r in b if r[2]}
    if emails:
        return "email", sorted(emails)[0]
    phones = {r[3] for r in a if r[3]} & {r[3] for r in b if r[3]}
    if phones:
        return "phone", sorted(phones)[0]
    return "transitive", None


class MergeError(ValueError):
    """A manual merge, split or undo that cannot be done; the message says why."""


async def merge_by_hand(session: AsyncSession, workspace_id: int, survivor_id: int, merged_id: int) -> int:
    """Merge customer `merged_id` into `survivor_id` (the seller knows they are one person); returns the
    merge event id. The identities are pinned, so automatic merging never undoes the seller's decision."""
    if survivor_id == merged_id:
        raise MergeError("choose two different customers")
    survivor = await repo.live_customer(session, workspace_id, survivor_id)
    merged = await repo.live_customer(session, workspace_id, merged_id)
    for cid, c in ((survivor_id, survivor), (merged_id, merged)):
        if c is None:
            raise MergeError(f"no customer #{cid}")
        if c.merged_into_id is not None:
            raise MergeError(f"customer #{cid} was merged into #{c.merged_into_id} already")
    moved = await repo.identity_ids_of(session, merged_id)
    await repo.pin_identities(session, await repo.identity_ids_of(session, survivor_id) + moved, survivor_id)
    await repo.merge_customers(
        session,
        workspace_id,
        survivor_id,
        merged_id,
        reason="manual",
        matched_on=None,
        identity_ids=moved,
        import_id=None,
    )
    await session.flush()
    return (await repo.recent_merges(session, workspace_id, 1))[0].id


async def split_identity(session: AsyncSession, workspace_id: int, identity_id: int) -> int:
    """Move one buyer identity (and its orders) out of its customer into a new customer; returns its id."""
    from storage.models import BuyerIdentity

    ident = await session.get(BuyerIdentity, identity_id)
    if ident is None or ident.workspace_id != workspace_id or ident.customer_id is None:
        raise MergeError(f"no buyer identity #{identity_id}")
    old = ident.customer_id
    if len(await repo.identity_ids_of(session, old)) < 2:
        raise MergeError(f"customer #{old} has only this identity: nothing to split")
    [new_id] = await repo.create_customers(
        session, [{"workspace_id": workspace_id, "display_name": ident.name, "country": ident.country}]
    )
    await repo.pin_identities(session, [identity_id], new_id)
    await repo.move_orders_of_identities(session, [identity_id], new_id)
    session.add(
        MergeEvent(
            workspace_id=workspace_id,
            survivor_id=old,
            merged_id=new_id,
            reason="split",
            matched_on=None,
            identity_ids=[identity_id],
        )
    )
    await repo.refresh_customers(session, [old, new_id])
    return new_id


async def undo_merge(session: AsyncSession, workspace_id: int, event_id: int) -> int:
    """Undo a merge: the merged customer comes back with its identities and their orders (pinned, so the
    next import does not merge them again). Interactions stay with the survivor. Returns the restored id."""
    from datetime import datetime

    ev = await repo.merge_event(session, workspace_id, event_id)
    if ev is None:
        raise MergeError(f"no merge #{event_id}")
    if ev.reason == "split":
        raise MergeError(f"#{event_id} is a split; merge the customers by hand instead")
    if ev.undone_at is not None:
        raise MergeError(f"merge #{event_id} was undone already")
    restored = await repo.live_customer(session, workspace_id, ev.merged_id)
    if restored is None:
        raise MergeError(f"customer #{ev.merged_id} no longer exists")
    restored.merged_into_id = None
    await repo.pin_identities(session, ev.identity_ids, ev.merged_id)
    await repo.move_orders_of_identities(session, ev.identity_ids, ev.merged_id)
    ev.undone_at = datetime.now(UTC)
    await repo.refresh_customers(session, [ev.survivor_id, ev.merged_id])
    return ev.merged_id
