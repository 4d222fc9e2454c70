from datetime import datetime, timedelta
from typing import Optional

from fastapi import FastAPI, Depends, HTTPException, Query
from sqlalchemy import select, func, text
from sqlalchemy.orm import Session, selectinload

from app.db import get_db
from app.models import Organization, Project, Task, Comment, Tag, User
from app.schemas import TaskIn, TaskPatch, TaskOut, CommentIn, ProjectOut
from app.config import settings

app = FastAPI(title="tracker")


def task_to_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        project_id=task.project_id,
        title=task.title,
        status=task.status,
        priority=task.priority,
        assignee_name=task.assignee.full_name if task.assignee else None,
        tags=[t.name for t in task.tags],
        comment_count=len(task.comments),
    )


@app.get("/health")
def health(db: Session = Depends(get_db)):
    db.execute(text("SELECT 1"))
    return {"ok": True}


@app.get("/orgs/{slug}/projects", response_model=list[ProjectOut])
def list_projects(slug: str, db: Session = Depends(get_db)):
    org = db.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise HTTPException(404)
    out = []
    for p in org.projects:
        open_count = db.scalar(
            select(func.count()).select_from(Task).where(Task.project_id == p.id, Task.status == "open")
        )
        out.append(ProjectOut(id=p.id, key=p.key, name=p.name, open_tasks=open_count))
    return out


@app.get("/projects/{project_id}/tasks", response_model=list[TaskOut])
def list_tasks(
    project_id: int,
    status: Optional[str] = None,
    page: int = 1,
    db: Session = Depends(get_db),
):
    stmt = select(Task).where(Task.project_id == project_id)
    if status:
        stmt = stmt.where(Task.status == status)
    stmt = stmt.order_by(Task.created_at.desc()).offset((page - 1) * settings.page_size).limit(settings.page_size)
    tasks = db.scalars(stmt).all()
    return [task_to_out(t) for t in tasks]


@app.get("/projects/{project_id}/tasks/search", response_model=list[TaskOut])
def search_tasks(project_id: int, q: str = Query(min_length=2), db: Session = Depends(get_db)):
    stmt = (
        select(Task)
        .options(selectinload(Task.tags), selectinload(Task.assignee), selectinload(Task.comments))
        .where(Task.project_id == project_id)
        .where(Task.title.ilike(f"%{q}%") | Task.body.ilike(f"%{q}%"))
        .limit(100)
    )
    return [task_to_out(t) for t in db.scalars(stmt)]


@app.post("/projects/{project_id}/tasks", response_model=TaskOut, status_code=201)
def create_task(project_id: int, payload: TaskIn, db: Session = Depends(get_db)):
    project = db.get(Project, project_id)
    if project is None or project.archived:
        raise HTTPException(404)
    task = Task(
        project_id=project_id,
        title=payload.title,
        body=payload.body,
        assignee_id=payload.assignee_id,
        priority=payload.priority,
        due_date=payload.due_date,
    )
    for name in payload.tags:
        tag = db.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            db.add(tag)
        task.tags.append(tag)
    db.add(task)
    db.commit()
    db.refresh(task)
    return task_to_out(task)


@app.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(task_id: int, payload: TaskPatch, db: Session = Depends(get_db)):
    task = db.get(Task, task_id)
    if task is None:
        raise HTTPException(404)
    for field, value in payload.model_dump(exclude_unset=True).items():
        setattr(task, field, value)
    db.commit()
    return task_to_out(task)


@app.delete("/tasks/{task_id}", status_code=204)
def delete_task(task_id: int, db: Session = Depends(get_db)):
    task = db.get(Task, task_id)
    if task:
        db.delete(task)
        db.commit()


@app.post("/tasks/{task_id}/comments", status_code=201)
def add_comment(task_id: int, payload: CommentIn, db: Session = Depends(get_db)):
    comment = Comment(task_id=task_id, author_id=payload.author_id, body=payload.body)
    db.add(comment)
    db.commit()
    return {"id": comment.id}


@app.get("/tasks/{task_id}/comments")
def list_comments(task_id: int, db: Session = Depends(get_db)):
    comments = db.scalars(select(Comment).where(Comment.task_id == task_id).order_by(Comment.created_at)).all()
    return [
        {"id": c.id, "author": c.author.full_name, "body": c.body, "created_at": c.created_at}
        for c in comments
    ]


@app.get("/users/{user_id}/tasks", response_model=list[TaskOut])
def my_tasks(user_id: int, db: Session = Depends(get_db)):
    tasks = db.scalars(
        select(Task).where(Task.assignee_id == user_id, Task.status != "done").order_by(Task.due_date)
    ).all()
    return [task_to_out(t) for t in tasks]


@app.get("/reports/overdue")
def overdue_report(org: str, days: int = 0, sort: str = "due_date", db: Session = Depends(get_db)):
    cutoff = datetime.utcnow() - timedelta(days=days)
    sql = f"""
        SELECT t.id, t.title, t.due_date, u.email
        FROM tasks t
        JOIN projects p ON p.id = t.project_id
        JOIN organizations o ON o.id = p.organization_id
        LEFT JOIN users u ON u.id = t.assignee_id
        WHERE o.slug = :org AND t.status <> 'done' AND t.due_date < :cutoff
        ORDER BY {sort}
    """
    rows = db.execute(text(sql), {"org": org, "cutoff": cutoff}).mappings().all()
    return list(rows)


@app.post("/projects/{project_id}/archive")
def archive_project(project_id: int, db: Session = Depends(get_db)):
    project = db.get(Project, project_id)
    if project is None:
        raise HTTPException(404)
    project.archived = True
    db.query(Task).filter(Task.project_id == project_id, Task.status == "open").update({"status": "cancelled"})
    db.commit()
    return {"archived": True}
