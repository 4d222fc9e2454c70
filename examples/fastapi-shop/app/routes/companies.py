from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db import get_session
from app.models import Company, Job
from app.schemas import CompanyDetailOut, CompanyJobOut, CompanyOut, MemberOut

router = APIRouter(prefix="/companies", tags=["companies"])


@router.get("/search", response_model=list[CompanyOut])
async def search_companies(
    q: str = Query(..., min_length=2, max_length=100),
    session: AsyncSession = Depends(get_session),
) -> list[Company]:
    result = await session.execute(
        select(Company).where(Company.name.ilike(f"%{q}%")).limit(25)
    )
    return list(result.scalars())


@router.get("/{company_id}", response_model=CompanyDetailOut)
async def get_company(company_id: int, session: AsyncSession = Depends(get_session)) -> CompanyDetailOut:
    company = await session.get(Company, company_id)
    if company is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Company not found")

    members = []
    for member in company.members:
        members.append(MemberOut(id=member.id, full_name=member.full_name))

    return CompanyDetailOut(
        id=company.id,
        name=company.name,
        slug=company.slug,
        website=company.website,
        description=company.description,
        members=members,
    )


@router.get("/{company_id}/jobs", response_model=list[CompanyJobOut])
async def list_company_jobs(
    company_id: int,
    include_closed: bool = False,
    session: AsyncSession = Depends(get_session),
) -> list[CompanyJobOut]:
    stmt = (
        select(Job)
        .options(selectinload(Job.tags))
        .where(Job.company_id == company_id)
        .order_by(Job.id.desc())
    )
    if not include_closed:
        stmt = stmt.where(Job.status == "open")
    jobs = (await session.scalars(stmt)).all()

    out = []
    for job in jobs:
        out.append(
            CompanyJobOut(
                id=job.id,
                title=job.title,
                status=job.status,
                tags=[tag.name for tag in job.tags],
            )
        )
    return out
