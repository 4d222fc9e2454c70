import secrets
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.db import get_session
from app.models import ApiToken, PasswordReset, User
from app.schemas import (
    PasswordResetConfirmIn,
    PasswordResetIn,
    SignupIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from app.security import pwd_context, verify_password
from app.services.audit import record_event
from app.services.notifications import send_password_reset_email

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/signup", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def signup(body: SignupIn, session: AsyncSession = Depends(get_session)) -> User:
    email = body.email.lower()

    taken = await session.scalar(select(User.id).where(User.email == email))
    if taken is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")

    existing = await session.execute(select(User).where(User.username == body.username))
    if existing.scalar_one_or_none() is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken")

    user = User(
        email=email,
        username=body.username,
        password_hash=pwd_context.hash(body.password),
        full_name=body.full_name,
    )
    session.add(user)
    await session.flush()
    record_event(session, user.id, "user.signup", "user", user.id)
    await session.commit()
    return user


@router.post("/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenIn, session: AsyncSession = Depends(get_session)) -> TokenOut:
    user = await session.scalar(select(User).where(User.email == body.email.lower()))
    if user is None or not verify_password(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid credentials")

    token = secrets.token_urlsafe(32)
    api_token = ApiToken(user_id=user.id, name=body.name, token=token)
    session.add(api_token)
    await session.flush()
    record_event(session, user.id, "token.created", "api_token", api_token.id, name=body.name)
    await session.commit()
    return TokenOut(id=api_token.id, name=api_token.name, token=token)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    body: PasswordResetIn, session: AsyncSession = Depends(get_session)
) -> dict[str, str]:
    user = await session.scalar(select(User).where(User.email == body.email.lower()))
    if user is not None and user.is_active:
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires_at = datetime.now(timezone.utc) + timedelta(minutes=settings.password_reset_ttl_minutes)
        session.add(PasswordReset(user_id=user.id, reset_code=code, expires_at=expires_at))
        await session.commit()
        send_password_reset_email(user.email, code)
    # same answer either way so the endpoint can't be used to probe for accounts
    return {"status": "accepted"}


@router.post("/password-reset/confirm")
async def confirm_password_reset(
    body: PasswordResetConfirmIn, session: AsyncSession = Depends(get_session)
) -> dict[str, str]:
    user = await session.scalar(select(User).where(User.email == body.email.lower()))
    if user is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Invalid or expired code")

    now = datetime.now(timezone.utc)
    reset = await session.scalar(
        select(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.reset_code == body.code)
        .where(PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
    )
    if reset is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Invalid or expired code")

    reset.used_at = now
    user.password_hash = pwd_context.hash(body.new_password)
    record_event(session, user.id, "user.password_reset", "user", user.id)
    await session.commit()
    return {"status": "ok"}
