from fastapi import FastAPI

from app.routes import admin, auth, companies, jobs, me

app = FastAPI(title="Shop Jobs API", version="1.4.0")

app.include_router(auth.router)
app.include_router(jobs.router)
app.include_router(companies.router)
app.include_router(me.router)
app.include_router(admin.router)


@app.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, bool]:
    return {"ok": True}
