"""The roles table of docs/telegram.md (section 4), read as data: which roles have each ability."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "telegram.md"


def documented_abilities() -> dict[str, set[str]]:
    """ability -> the roles the docs tick for it, in the table's order (a ✓ under the role's column)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## 4. Team, roles and invites", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    head = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert head[:2] == ["ability", "what"], head
    roles = head[2:]
    table: dict[str, set[str]] = {}
    for row in rows[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == len(head), row
        ability = cells[0].strip("`")
        assert ability not in table, f"{ability} is in the table twice"
        marks = cells[2:]
        assert set(marks) <= {"✓", ""}, row
        table[ability] = {role for role, mark in zip(roles, marks, strict=True) if mark == "✓"}
    return table
