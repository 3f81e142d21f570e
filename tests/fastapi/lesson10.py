"""Lesson 10 on FastAPI: CORS for the one origin in the configuration."""

import os
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ALLOWED_ORIGIN = os.environ.get("ALLOWED_ORIGIN", "")
if not ALLOWED_ORIGIN:
    sys.exit("ALLOWED_ORIGIN is not set: refusing to start rather than allow every origin")

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=[ALLOWED_ORIGIN],
    allow_methods=["GET", "POST"],
    allow_headers=["content-type"],
)
projects = [{"name": "apilings"}]


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/projects")
def list_projects() -> list[dict]:
    return projects


@app.post("/projects", status_code=201)
def create_project(project: dict) -> dict:
    projects.append(project)
    return project
