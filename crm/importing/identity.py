"""Identity merge: buyer records that share a normalised email or phone become one customer (transitively).

Runs incrementally: starting from the identities an import touched, it follows shared emails and phones
through the database until the connected group is complete, then gives each group one customer. The oldest
customer survives a merge; every merge is recorded with what matched, so it can be explained and undone.
Identities a seller pinned by hand (a manual split or merge) keep their customer.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import imports as repo


@dataclass
class MergeReport:
    customers_new: int = 0
    merges: list[tuple[int, int, str, str | None]] = field(default_factory=list)  # survivor, merged, reason, key
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
    session: AsyncSession, workspace_id: int, seed_ids: Sequence[int], *,
    names: dict[int, str | None], countries: dict[int, str | None], import_id: int | None = None,
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

    uf = _UnionFind()
    first_by_key: dict[tuple[str, str], int] = {}
    for ident, _cust, email, phone, _pinned in rows.values():
        uf.find(ident)
        for key in (("email", email), ("phone", phone)):
            if key[1]:
                other = first_by_key.setdefault(key, ident)  # type: ignore[arg-type]
                uf.union(ident, other)
    groups: dict[int, list[repo.IdentityRow]] = {}
    for r in rows.values():
        groups.setdefault(uf.find(r[0]), []).append(r)

    to_create: list[tuple[int, list[int]]] = []  # (representative identity, identities needing the customer)
    for members in groups.values():
        members.sort(key=lambda r: r[0])
        pinned = [r for r in members if r[4] and r[1] is not None]
        if pinned:
            target: int | None = pinned[0][1]
        else:
            existing = sorted({r[1] for r in members if r[1] is not None})
            target = existing[0] if existing else None
            for other in existing[1:]:
                moved = [r[0] for r in members if r[1] == other]
                reason, key = _why(members, target, other)  # type: ignore[arg-type]
                report.merges.append((target, other, reason, key))  # type: ignore[arg-type]
                await repo.merge_customers(session, workspace_id, target, other,  # type: ignore[arg-type]
                                           reason=reason, matched_on=key, identity_ids=moved,
                                           import_id=import_id)
        if target is None:
            to_create.append((members[0][0], [r[0] for r in members]))
            continue
        for r in members:
            if r[1] != target and not (r[4] and r[1] is not None):
                report.assigned[r[0]] = target

    if to_create:
        new_ids = await repo.create_customers(session, [
            {"workspace_id": workspace_id, "display_name": names.get(rep), "country": countries.get(rep)}
            for rep, _ in to_create
        ])
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
