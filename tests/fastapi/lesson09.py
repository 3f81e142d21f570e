"""Lesson 09 on FastAPI: configuration read and checked once at start; secrets never shown."""

import os
import secrets
import sys
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Header

from errors import ApiError, install


def refuse(message: str) -> None:
    sys.exit(f"configuration error: {message}")


API_KEY = os.environ.get("API_KEY", "")
if not API_KEY:
    refuse("API_KEY is not set")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    refuse("DATABASE_URL is not set")
raw = os.environ.get("MAX_PAGE_SIZE", "50")
if not raw.isdigit() or not 1 <= int(raw) <= 1000:
    refuse("MAX_PAGE_SIZE must be a number from 1 to 1000")
MAX_PAGE_SIZE = int(raw)
DATABASE_HOST = urlsplit(DATABASE_URL).hostname or ""

app = FastAPI()
install(app)


def api_key(x_api_key: str | None = Header(default=None)) -> None:
    if x_api_key is None or not secrets.compare_digest(x_api_key.encode(), API_KEY.encode()):
        raise ApiError(401, "unauthorized", "a valid X-API-Key header is required")


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/config", dependencies=[Depends(api_key)])
def config() -> dict:
    # The public settings only.
    return {"database_host": DATABASE_HOST, "max_page_size": MAX_PAGE_SIZE}
