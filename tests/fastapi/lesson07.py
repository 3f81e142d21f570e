"""Lesson 07 on FastAPI: an API key and the current user, as dependencies."""

import os
import secrets
import sys

from fastapi import Depends, FastAPI, Header

from errors import ApiError, install

API_KEY = os.environ.get("API_KEY", "")
if not API_KEY:
    sys.exit("API_KEY is not set: refusing to start without it")

app = FastAPI()
install(app)


def api_key(x_api_key: str | None = Header(default=None)) -> None:
    # The whole key, compared in constant time.
    if x_api_key is None or not secrets.compare_digest(x_api_key.encode(), API_KEY.encode()):
        raise ApiError(401, "unauthorized", "a valid X-API-Key header is required")


def current_user(x_user_id: str | None = Header(default=None)) -> str:
    if not x_user_id:
        raise ApiError(401, "unauthorized", "an X-User-ID header is required")
    return x_user_id


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/projects", dependencies=[Depends(api_key)])
def projects() -> list[dict]:
    return [{"name": "apilings"}]


@app.get("/me", dependencies=[Depends(api_key)])
def me(user: str = Depends(current_user)) -> dict:
    return {"user_id": user}
