from datetime import datetime, timezone

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.db import get_session
from app.models import ApiToken, User

bearer = HTTPBearer(auto_error=False)


async def get_current_user(
    creds: HTTPAuthorizationCredentials | None = Depends(bearer),
    session: AsyncSession = Depends(get_session),
) -> User:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Missing bearer token")

    result = await session.execute(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token == creds.credentials, ApiToken.revoked_at.is_(None))
    )
    api_token = result.scalar_one_or_none()
    if api_token is None or not api_token.user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token")

    api_token.last_used_at = datetime.now(timezone.utc)
    return api_token.user


async def require_admin(user: User = Depends(get_current_user)) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admins only")
    return user
