from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditLog


def record_event(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    **payload: Any,
) -> None:
    """Queue an audit row; it is written together with the caller's commit."""
    session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            payload=payload,
        )
    )
