"""Lesson 10 on FastAPI: CORS for the one origin in the configuration."""

import os
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

from errors import install

ALLOWED_ORIGIN = os.environ.get("ALLOWED_ORIGIN", "")
if not ALLOWED_ORIGIN:
    sys.exit("ALLOWED_ORIGIN is not set: refusing to start rather than allow every origin")

app = FastAPI()
install(app)  # bad input: 400 with the one error body, CORS headers included
app.add_middleware(
    CORSMiddleware,
    allow_origins=[ALLOWED_ORIGIN],
    allow_methods=["GET", "POST"],
    allow_headers=["content-type"],
)
class Project(BaseModel):
    name: str


projects = [Project(name="apilings")]


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/projects")
def list_projects() -> list[Project]:
    return projects


@app.post("/projects", status_code=201)
def create_project(project: Project) -> Project:
    projects.append(project)
    return project
