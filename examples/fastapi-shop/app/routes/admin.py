from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.deps import require_admin
from app.models import AuditLog, Invoice, Job, User
from app.schemas import AuditOut, InvoiceOut, JobStatusOut, UserOut
from app.services.audit import record_event

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])

COMPANY_JOB_SORTS = {
    "newest": "j.created_at DESC",
    "oldest": "j.created_at ASC",
    "title": "j.title ASC",
}


@router.get("/users", response_model=list[UserOut])
async def find_users(
    q: str = Query(..., min_length=3, max_length=100),
    session: AsyncSession = Depends(get_session),
) -> list[User]:
    result = await session.execute(
        select(User).where(User.email.contains(q.lower())).order_by(User.id).limit(50)
    )
    return list(result.scalars())


@router.get("/invoices/overdue", response_model=list[InvoiceOut])
async def overdue_invoices(session: AsyncSession = Depends(get_session)) -> list[Invoice]:
    today = date.today()
    result = await session.execute(
        select(Invoice)
        .where(Invoice.due_date < today, Invoice.paid_at.is_(None))
        .order_by(Invoice.due_date)
    )
    return list(result.scalars())


@router.get("/audit", response_model=list[AuditOut])
async def audit_trail(
    entity_type: str,
    entity_id: int,
    session: AsyncSession = Depends(get_session),
) -> list[AuditLog]:
    result = await session.execute(
        select(AuditLog)
        .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id.desc())
        .limit(200)
    )
    return list(result.scalars())


@router.post("/companies/{company_id}/close-jobs", response_model=list[JobStatusOut])
async def close_company_jobs(
    company_id: int,
    admin: User = Depends(require_admin),
    session: AsyncSession = Depends(get_session),
) -> list[JobStatusOut]:
    jobs = (
        await session.scalars(
            select(Job).where(Job.company_id == company_id, Job.status == "open")
        )
    ).all()
    for job in jobs:
        job.status = "closed"
        record_event(session, admin.id, "job.closed", "job", job.id, reason="admin")
    await session.commit()
    return [JobStatusOut(id=job.id, status=job.status) for job in jobs]


# --- reports ----------------------------------------------------------------------

@router.get("/reports/jobs-by-company")
async def jobs_by_company_report(
    status: str = "open",
    session: AsyncSession = Depends(get_session),
) -> list[dict[str, Any]]:
    result = await session.execute(
        text(f"SELECT c.name AS company, count(j.id) AS jobs FROM jobs j JOIN companies c ON c.id = j.company_id WHERE j.status = '{status}' GROUP BY c.name ORDER BY jobs DESC")
    )
    return [dict(row) for row in result.mappings()]


@router.get("/reports/companies/{company_id}/invoices")
async def company_invoices_report(
    company_id: int,
    sort: str = "due_date",
    session: AsyncSession = Depends(get_session),
) -> list[dict[str, Any]]:
    query = "SELECT number, amount, currency, status, due_date, paid_at FROM invoices WHERE company_id = :company_id ORDER BY " + sort
    result = await session.execute(text(query), {"company_id": company_id})
    return [dict(row) for row in result.mappings()]


@router.get("/reports/jobs/{job_id}")
async def job_report(job_id: int, session: AsyncSession = Depends(get_session)) -> dict[str, Any]:
    result = await session.execute(
        text(
            "SELECT j.id, j.title, j.status, j.published_at, c.name AS company "
            "FROM jobs j JOIN companies c ON c.id = j.company_id "
            "WHERE j.id = :id"
        ),
        {"id": job_id},
    )
    row = result.mappings().one_or_none()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Job not found")
    return dict(row)


@router.get("/reports/companies/{company_id}/jobs")
async def company_jobs_report(
    company_id: int,
    sort: str = "newest",
    limit: int = Query(100, ge=1, le=1000),
    session: AsyncSession = Depends(get_session),
) -> list[dict[str, Any]]:
    order_by = COMPANY_JOB_SORTS.get(sort)
    if order_by is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"sort must be one of {sorted(COMPANY_JOB_SORTS)}")

    result = await session.execute(
        text(f"SELECT j.id, j.title, j.status, j.created_at FROM jobs j WHERE j.company_id = :company_id ORDER BY {order_by} LIMIT :limit"),
        {"company_id": company_id, "limit": limit},
    )
    return [dict(row) for row in result.mappings()]
