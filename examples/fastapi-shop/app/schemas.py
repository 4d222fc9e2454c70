from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- auth -------------------------------------------------------------------

class SignupIn(BaseModel):
    email: EmailStr
    username: str = Field(min_length=3, max_length=50, pattern=r"^[a-zA-Z0-9_.-]+$")
    password: str = Field(min_length=10, max_length=128)
    full_name: str = Field(min_length=1, max_length=200)


class UserOut(ORMModel):
    id: int
    email: EmailStr
    username: str
    full_name: str
    company_id: int | None


class TokenIn(BaseModel):
    email: EmailStr
    password: str
    name: str = Field(default="default", max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    token: str


class PasswordResetIn(BaseModel):
    email: EmailStr


class PasswordResetConfirmIn(BaseModel):
    email: EmailStr
    code: str = Field(min_length=6, max_length=12)
    new_password: str = Field(min_length=10, max_length=128)


# --- jobs -------------------------------------------------------------------

class JobIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    description: str
    location: str | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    is_remote: bool = False
    tags: list[str] = Field(default_factory=list, max_length=10)


class JobOut(BaseModel):
    id: int
    title: str
    company_name: str
    location: str | None
    is_remote: bool
    created_at: datetime


class JobDetailOut(ORMModel):
    id: int
    company_id: int
    title: str
    description: str
    location: str | None
    salary_min: int | None
    salary_max: int | None
    status: str
    is_remote: bool
    published_at: datetime | None


class CompanyJobOut(BaseModel):
    id: int
    title: str
    status: str
    tags: list[str]


class JobSearchHit(BaseModel):
    job_id: int
    title: str
    company_id: int
    company_name: str


class JobStatusOut(BaseModel):
    id: int
    status: str
    notified: int = 0


# --- applications / messages --------------------------------------------------

class ApplicationIn(BaseModel):
    cover_letter: str | None = Field(default=None, max_length=10_000)


class ApplicationOut(ORMModel):
    id: int
    job_id: int
    applicant_id: int
    status: str
    created_at: datetime


class MyApplicationOut(BaseModel):
    id: int
    status: str
    job_id: int
    job_title: str
    applied_at: datetime


class MessageIn(BaseModel):
    recipient_id: int
    body: str = Field(min_length=1, max_length=5_000)
    application_id: int | None = None


class MessageOut(ORMModel):
    id: int
    sender_id: int
    recipient_id: int
    application_id: int | None
    body: str
    read_at: datetime | None
    created_at: datetime


# --- companies ----------------------------------------------------------------

class CompanyOut(ORMModel):
    id: int
    name: str
    slug: str
    website: str | None


class MemberOut(BaseModel):
    id: int
    full_name: str


class CompanyDetailOut(CompanyOut):
    description: str | None
    members: list[MemberOut]


# --- admin --------------------------------------------------------------------

class InvoiceOut(ORMModel):
    id: int
    company_id: int
    number: str
    amount: Decimal
    currency: str
    status: str
    due_date: date
    paid_at: datetime | None


class AuditOut(ORMModel):
    id: int
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int | None
    payload: dict[str, Any]
    created_at: datetime
