"""Lesson 06 on FastAPI: domain errors mapped once, to one JSON error body.

Store errors are domain exceptions; one handler maps them to statuses, and the
internal failure is logged at ERROR with its detail and answered without it.
"""

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from errors import error, install

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("lesson06")

app = FastAPI()
install(app)  # unknown routes 404, wrong methods 405: the same body


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class Unavailable(Exception):
    pass


@app.exception_handler(NotFound)
async def not_found(request: Request, exc: NotFound) -> JSONResponse:
    return error(404, "not_found", str(exc))


@app.exception_handler(Conflict)
async def conflict(request: Request, exc: Conflict) -> JSONResponse:
    return error(409, "conflict", str(exc))


@app.exception_handler(Unavailable)
async def internal(request: Request, exc: Unavailable) -> JSONResponse:
    log.error("internal error: %s", exc)  # the detail for operators only
    return error(500, "internal", "internal server error")


class UserCreate(BaseModel):
    email: str
    name: str


users: dict[str, dict] = {}


@app.post("/users", status_code=201)
def create_user(body: UserCreate) -> dict:
    if any(u["email"] == body.email for u in users.values()):
        raise Conflict("a user with this email already exists")
    user = {"id": uuid.uuid4().hex, "email": body.email, "name": body.name}
    users[user["id"]] = user
    return user


@app.get("/users/{user_id}")
def get_user(user_id: str) -> dict:
    if user_id not in users:
        raise NotFound("no user with this id")
    return users[user_id]


@app.get("/reports/daily")
def daily_report() -> dict:
    raise Unavailable("connection refused: postgres://report@10.0.0.5:5432/reports")
