import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.models import JobApplication, Message, User

logger = logging.getLogger(__name__)


async def notify_applicant(session: AsyncSession, application: JobApplication, body: str) -> bool:
    result = await session.execute(select(User).where(User.id == application.applicant_id))
    applicant = result.scalar_one()
    if not applicant.is_active:
        return False

    session.add(
        Message(
            sender_id=settings.system_user_id,
            recipient_id=applicant.id,
            application_id=application.id,
            body=body,
        )
    )
    logger.info("queued notification for application %s", application.id)
    return True


def send_password_reset_email(email: str, code: str) -> None:
    # TODO: wire up the transactional mail provider
    logger.info("password reset requested for %s", email)
