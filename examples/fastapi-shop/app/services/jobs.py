from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import JobApplication, Tag


async def get_applications_for_job(session: AsyncSession, job_id: int) -> Sequence[JobApplication]:
    result = await session.execute(
        select(JobApplication)
        .where(JobApplication.job_id == job_id)
        .order_by(JobApplication.id)
    )
    return result.scalars().all()


async def resolve_tags(session: AsyncSession, names: list[str]) -> list[Tag]:
    """Return Tag rows for the given names, creating the missing ones."""
    wanted = sorted({n.strip().lower() for n in names if n.strip()})
    if not wanted:
        return []

    existing = (await session.scalars(select(Tag).where(Tag.name.in_(wanted)))).all()
    by_name = {tag.name: tag for tag in existing}
    for name in wanted:
        if name not in by_name:
            tag = Tag(name=name)
            session.add(tag)
            by_name[name] = tag
    return [by_name[name] for name in wanted]
