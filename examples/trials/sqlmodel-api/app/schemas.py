from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict


class TaskIn(BaseModel):
    title: str
    body: Optional[str] = None
    assignee_id: Optional[int] = None
    priority: int = 3
    due_date: Optional[datetime] = None
    tags: list[str] = []


class TaskPatch(BaseModel):
    title: Optional[str] = None
    body: Optional[str] = None
    status: Optional[str] = None
    assignee_id: Optional[int] = None
    priority: Optional[int] = None


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    title: str
    status: str
    priority: int
    assignee_name: Optional[str] = None
    tags: list[str] = []
    comment_count: int = 0


class CommentIn(BaseModel):
    author_id: int
    body: str


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    open_tasks: int = 0
