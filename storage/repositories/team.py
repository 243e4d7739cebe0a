"""Team repository: team members and their roles, invites, refused access attempts and bound group chats."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccessAttempt, GroupChat, Invite, TeamMember, Workspace

ROLES: tuple[str, ...] = ("owner", "admin", "agent", "viewer")
# Higher rank may do everything a lower rank may.
ROLE_RANK: dict[str, int] = {"viewer": 0, "agent": 1, "admin": 2, "owner": 3}


def role_at_least(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class TeamRepository:
    """Reads and writes the team tables in the caller's session; it flushes, the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- workspace -------------------------------------------------------------------------------
    async def imported_stores(self, workspace_id: int) -> list[str]:
        """The stores imports created in the workspace, as "name (platform)" (the name alone where it is the
        platform's), sorted."""
        from storage.models import Store

        rows = await self.session.execute(
            select(Store.name, Store.platform).where(Store.workspace_id == workspace_id)
        )
        return sorted(name if name == platform else f"{name} ({platform})" for name, platform in rows)

    async def workspace(self, workspace_id: int) -> Workspace:
        ws = await self.session.get(Workspace, workspace_id)
        if ws is None:
            raise LookupError(f"workspace {workspace_id} does not exist")
        return ws

    async def update_workspace(self, workspace_id: int, **changes: Any) -> Workspace:
        """Set base_currency / timezone / language columns; anything else goes into workspace.settings."""
        ws = await self.workspace(workspace_id)
        extra = dict(ws.settings or {})
        for key, value in changes.items():
            if key in ("base_currency", "timezone", "language", "name"):
                setattr(ws, key, value)
            else:
                extra[key] = value
        ws.settings = extra  # reassign so the JSON column is seen as changed
        await self.session.flush()
        return ws

    # --- members ---------------------------------------------------------------------------------
    async def member(self, workspace_id: int, telegram_user_id: int) -> TeamMember | None:
        return (
            await self.session.execute(
                select(TeamMember).where(
                    TeamMember.workspace_id == workspace_id, TeamMember.telegram_user_id == telegram_user_id
                )
            )
        ).scalar_one_or_none()

    async def count_members(self, workspace_id: int) -> int:
        return int(
            (
                await self.session.execute(
                    select(func.count())
                    .select_from(TeamMember)
                    .where(TeamMember.workspace_id == workspace_id)
                )
            ).scalar_one()
        )

    async def members(self, workspace_id: int) -> Sequence[TeamMember]:
        return (
            (
                await self.session.execute(
                    select(TeamMember).where(TeamMember.workspace_id == workspace_id).order_by(TeamMember.id)
                )
            )
            .scalars()
            .all()
        )

    async def add_member(
        self,
        workspace_id: int,
        telegram_user_id: int,
        *,
        role: str,
        name: str | None = None,
        language: str = "en",
    ) -> TeamMember:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        existing = await self.member(workspace_id, telegram_user_id)
        if existing is not None:
            existing.role, existing.active = role, True
            await self.session.flush()
            return existing
        member = TeamMember(
            workspace_id=workspace_id,
            telegram_user_id=telegram_user_id,
            name=name,
            role=role,
            language=language,
            active=True,
        )
        self.session.add(member)
        await self.session.flush()
        return member

    async def claim_first_owner(
        self, workspace_id: int, telegram_user_id: int, *, name: str | None, language: str
    ) -> TeamMember | None:
        """Make this user the owner if the team is still empty; None when someone got there first."""
        if await self.count_members(workspace_id) > 0:
            return None
        return await self.add_member(
            workspace_id, telegram_user_id, role="owner", name=name, language=language
        )

    async def set_role(self, workspace_id: int, telegram_user_id: int, role: str) -> TeamMember | None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        member = await self.member(workspace_id, telegram_user_id)
        if member is not None:
            member.role = role
            await self.session.flush()
        return member

    async def deactivate(self, workspace_id: int, telegram_user_id: int) -> TeamMember | None:
        member = await self.member(workspace_id, telegram_user_id)
        if member is not None:
            member.active = False
            await self.session.flush()
        return member

    async def set_language(self, member: TeamMember, language: str) -> None:
        member.language = language
        await self.session.flush()

    # --- invites ---------------------------------------------------------------------------------
    async def create_invite(
        self,
        workspace_id: int,
        *,
        role: str,
        created_by: int | None,
        valid_for: timedelta = timedelta(days=7),
    ) -> Invite:
        if role not in ROLES or role == "owner":
            raise ValueError(f"invites are for admin, agent or viewer, not {role!r}")
        invite = Invite(
            workspace_id=workspace_id,
            code=secrets.token_urlsafe(12),
            role=role,
            created_by=created_by,
            expires_at=_utcnow() + valid_for,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def redeem_invite(
        self, code: str, telegram_user_id: int, *, name: str | None, language: str
    ) -> TeamMember | None:
        """Join the team with the invite's role; None when the code is unknown, used or expired."""
        invite = (await self.session.execute(select(Invite).where(Invite.code == code))).scalar_one_or_none()
        if invite is None or invite.used_at is not None:
            return None
        expires = _aware(invite.expires_at)
        if expires is not None and expires < _utcnow():
            return None
        member = await self.add_member(
            invite.workspace_id, telegram_user_id, role=invite.role, name=name, language=language
        )
        invite.used_by, invite.used_at = member.id, _utcnow()
        await self.session.flush()
        return member

    # --- refused users ---------------------------------------------------------------------------
    async def log_access_attempt(
        self, telegram_user_id: int, *, username: str | None, text: str | None
    ) -> None:
        self.session.add(
            AccessAttempt(
                telegram_user_id=telegram_user_id,
                username=username,
                text=(text or "")[:500] or None,
                occurred_at=_utcnow(),
            )
        )
        await self.session.flush()

    async def recent_access_attempts(self, limit: int = 10) -> Sequence[AccessAttempt]:
        return (
            (
                await self.session.execute(
                    select(AccessAttempt)
                    .order_by(AccessAttempt.occurred_at.desc(), AccessAttempt.id.desc())
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )

    # --- group chats -----------------------------------------------------------------------------
    async def group(self, chat_id: int) -> GroupChat | None:
        return (
            await self.session.execute(select(GroupChat).where(GroupChat.chat_id == chat_id))
        ).scalar_one_or_none()

    async def bind_group(
        self, workspace_id: int, chat_id: int, *, title: str | None, bound_by: int | None, language: str
    ) -> GroupChat:
        group = await self.group(chat_id)
        if group is None:
            group = GroupChat(
                workspace_id=workspace_id,
                chat_id=chat_id,
                title=title,
                language=language,
                bound_by=bound_by,
                alerts_enabled=True,
                bound_at=_utcnow(),
            )
            self.session.add(group)
        else:
            group.workspace_id, group.title, group.bound_by = workspace_id, title, bound_by
            group.language, group.alerts_enabled = language, True
        await self.session.flush()
        return group

    async def unbind_group(self, chat_id: int) -> bool:
        group = await self.group(chat_id)
        if group is None:
            return False
        await self.session.delete(group)
        await self.session.flush()
        return True

    async def groups(self, workspace_id: int) -> Sequence[GroupChat]:
        return (
            (
                await self.session.execute(
                    select(GroupChat).where(GroupChat.workspace_id == workspace_id).order_by(GroupChat.id)
                )
            )
            .scalars()
            .all()
        )
