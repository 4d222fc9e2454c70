from datetime import datetime, timezone

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.deps import get_current_user
from app.models import Job, JobApplication, Message, User
from app.schemas import MessageIn, MessageOut, MyApplicationOut

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/applications", response_model=list[MyApplicationOut])
async def my_applications(
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> list[MyApplicationOut]:
    result = await session.execute(
        select(JobApplication)
        .where(JobApplication.applicant_id == user.id)
        .order_by(JobApplication.id.desc())
    )
    applications = result.scalars().all()

    out = []
    for application in applications:
        job_result = await session.execute(select(Job).where(Job.id == application.job_id))
        job = job_result.scalar_one()
        out.append(
            MyApplicationOut(
                id=application.id,
                status=application.status,
                job_id=job.id,
                job_title=job.title,
                applied_at=application.created_at,
            )
        )
    return out


@router.get("/messages", response_model=list[MessageOut])
async def inbox(
    limit: int = Query(50, ge=1, le=200),
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> list[Message]:
    result = await session.execute(
        select(Message)
        .where(Message.recipient_id == user.id)
        .order_by(Message.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


@router.post("/messages", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
async def send_message(
    body: MessageIn,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> Message:
    recipient = await session.get(User, body.recipient_id)
    if recipient is None or not recipient.is_active:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Recipient not found")

    message = Message(
        sender_id=user.id,
        recipient_id=recipient.id,
        application_id=body.application_id,
        body=body.body,
    )
    session.add(message)
    await session.commit()
    return message


@router.post("/messages/{message_id}/read", response_model=MessageOut)
async def mark_read(
    message_id: int,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> Message:
    message = await session.get(Message, message_id)
    if message is None or message.recipient_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Message not found")
    if message.read_at is None:
        message.read_at = datetime.now(timezone.utc)
        await session.commit()
    return message
