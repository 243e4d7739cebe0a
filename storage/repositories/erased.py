"""Erased buyers, remembered without personal data: keyed digests of their identities (storage.models.ErasedBuyer).

The key is a random secret of the workspace (workspaces.settings["erasure_key"], made at the first erasure):
without it a digest cannot be matched against guessed emails or phones from outside the database. The
identities are hashed in their normalised form (the import's own), each with its kind, so an email never
matches a buyer id that happens to be spelt the same."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ErasedBuyer, Workspace

KEY_SETTING = "erasure_key"


def digest(key: str, kind: str, value: str) -> str:
    return hmac.new(bytes.fromhex(key), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def identity_digests(
    key: str, platform: str, buyer_key: str | None, email_norm: str | None, phone_norm: str | None
) -> set[str]:
    out = set()
    if buyer_key:
        out.add(digest(key, "buyer", f"{platform}:{buyer_key}"))
    if email_norm:
        out.add(digest(key, "email", email_norm))
    if phone_norm:
        out.add(digest(key, "phone", phone_norm))
    return out


@dataclass
class Suppression:
    """A workspace's erased buyers as an import checks them (one digest computation per distinct buyer)."""

    key: str
    digests: frozenset[str]
    _seen: dict[tuple[str, str, str | None, str | None], bool] = field(default_factory=dict)

    def matches(
        self, platform: str, buyer_key: str | None, email_norm: str | None, phone_norm: str | None
    ) -> bool:
        k = (platform, buyer_key or "", email_norm, phone_norm)
        hit = self._seen.get(k)
        if hit is None:
            hit = self._seen[k] = not identity_digests(
                self.key, platform, buyer_key, email_norm, phone_norm
            ).isdisjoint(self.digests)
        return hit


async def _key(session: AsyncSession, workspace_id: int, *, create: bool) -> str | None:
    ws = await session.get(Workspace, workspace_id)
    if ws is None:
        return None
    key = (ws.settings or {}).get(KEY_SETTING)
    if key is None and create:
        key = secrets.token_hex(32)
        ws.settings = {**(ws.settings or {}), KEY_SETTING: key}  # reassigned: the JSON column is seen changed
        await session.flush()
    return str(key) if key is not None else None


async def remember(
    session: AsyncSession,
    workspace_id: int,
    identities: Iterable[tuple[str, str | None, str | None, str | None]],
) -> int:
    """Remember erased identities (platform, buyer key, normalised email, normalised phone) as digests; how
    many new digests were stored."""
    key = await _key(session, workspace_id, create=True)
    assert key is not None
    wanted: set[str] = set()
    for platform, buyer_key, email_norm, phone_norm in identities:
        wanted |= identity_digests(key, platform, buyer_key, email_norm, phone_norm)
    if not wanted:
        return 0
    known = set(
        (
            await session.scalars(
                select(ErasedBuyer.digest).where(
                    ErasedBuyer.workspace_id == workspace_id, ErasedBuyer.digest.in_(sorted(wanted))
                )
            )
        ).all()
    )
    for d in sorted(wanted - known):
        session.add(ErasedBuyer(workspace_id=workspace_id, digest=d))
    await session.flush()
    return len(wanted - known)


async def suppression(session: AsyncSession, workspace_id: int) -> Suppression | None:
    """The workspace's erased buyers, or None when no one was erased (the import then checks nothing)."""
    digests = frozenset(
        (
            await session.scalars(select(ErasedBuyer.digest).where(ErasedBuyer.workspace_id == workspace_id))
        ).all()
    )
    if not digests:
        return None
    key = await _key(session, workspace_id, create=False)
    return Suppression(key, digests) if key is not None else None
