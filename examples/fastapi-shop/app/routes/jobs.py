from datetime import datetime, timezone

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.deps import get_current_user
from app.models import Company, Job, JobApplication, User
from app.schemas import (
    ApplicationIn,
    ApplicationOut,
    JobDetailOut,
    JobIn,
    JobOut,
    JobSearchHit,
    JobStatusOut,
)
from app.services.audit import record_event
from app.services.jobs import get_applications_for_job, resolve_tags
from app.services.notifications import notify_applicant

router = APIRouter(prefix="/jobs", tags=["jobs"])


async def _get_owned_job(session: AsyncSession, job_id: int, user: User) -> Job:
    job = await session.get(Job, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Job not found")
    if user.company_id != job.company_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not your job posting")
    return job


@router.get("", response_model=list[JobOut])
async def list_jobs(
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
    session: AsyncSession = Depends(get_session),
) -> list[JobOut]:
    result = await session.execute(
        select(Job)
        .where(Job.status == "open")
        .order_by(Job.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    jobs = result.scalars().all()

    items = []
    for job in jobs:
        items.append(
            JobOut(
                id=job.id,
                title=job.title,
                company_name=job.company.name,
                location=job.location,
                is_remote=job.is_remote,
                created_at=job.created_at,
            )
        )
    return items


@router.get("/search", response_model=list[JobSearchHit])
async def search_jobs(
    q: str = Query(..., min_length=2, max_length=100),
    session: AsyncSession = Depends(get_session),
) -> list[JobSearchHit]:
    stmt = (
        select(Job, Company)
        .join(Company, Job.company_id == Company.id)
        .where(Job.status == "open")
        .where(Job.title.ilike(f"%{q}%"))
        .order_by(Job.id.desc())
        .limit(50)
    )
    rows = await session.execute(stmt)

    hits = []
    for job, company in rows:
        hits.append(
            JobSearchHit(
                job_id=job.id,
                title=job.title,
                company_id=company.id,
                company_name=company.name,
            )
        )
    return hits


@router.get("/{job_id}", response_model=JobDetailOut)
async def get_job(job_id: int, session: AsyncSession = Depends(get_session)) -> Job:
    job = await session.get(Job, job_id)
    if job is None or job.status == "draft":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Job not found")
    return job


@router.post("", response_model=JobDetailOut, status_code=status.HTTP_201_CREATED)
async def create_job(
    body: JobIn,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> Job:
    if user.company_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only company members can post jobs")

    job = Job(
        company_id=user.company_id,
        title=body.title,
        description=body.description,
        location=body.location,
        salary_min=body.salary_min,
        salary_max=body.salary_max,
        is_remote=body.is_remote,
        status="open",
        published_at=datetime.now(timezone.utc),
    )
    job.tags = await resolve_tags(session, body.tags)
    session.add(job)
    await session.flush()
    record_event(session, user.id, "job.created", "job", job.id, title=job.title)
    await session.commit()
    return job


@router.post("/{job_id}/close", response_model=JobStatusOut)
async def close_job(
    job_id: int,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> JobStatusOut:
    job = await _get_owned_job(session, job_id, user)
    if job.status == "closed":
        return JobStatusOut(id=job.id, status=job.status)

    job.status = "closed"
    notified = 0
    applications = await get_applications_for_job(session, job.id)
    for application in applications:
        if application.status != "submitted":
            continue
        application.status = "rejected"
        sent = await notify_applicant(
            session,
            application,
            f"Thanks for applying to '{job.title}'. The position has now been filled.",
        )
        notified += int(sent)

    record_event(session, user.id, "job.closed", "job", job.id, notified=notified)
    await session.commit()
    return JobStatusOut(id=job.id, status=job.status, notified=notified)


@router.post("/{job_id}/apply", response_model=ApplicationOut, status_code=status.HTTP_201_CREATED)
async def apply_to_job(
    job_id: int,
    body: ApplicationIn,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> JobApplication:
    job = await session.get(Job, job_id)
    if job is None or job.status != "open":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Job not found")

    already = await session.scalar(
        select(JobApplication.id).where(
            JobApplication.applicant_id == user.id,
            JobApplication.job_id == job_id,
        )
    )
    if already is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "You already applied to this job")

    application = JobApplication(job_id=job.id, applicant_id=user.id, cover_letter=body.cover_letter)
    session.add(application)
    await session.commit()
    return application


@router.get("/{job_id}/applications", response_model=list[ApplicationOut])
async def list_job_applications(
    job_id: int,
    user: User = Depends(get_current_user),
    session: AsyncSession = Depends(get_session),
) -> list[JobApplication]:
    job = await _get_owned_job(session, job_id, user)
    return list(await get_applications_for_job(session, job.id))
