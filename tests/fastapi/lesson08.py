"""Lesson 08 on FastAPI: a handler that fails answers 500 and the server keeps serving.

`legacy_average` is the lesson's legacy code, ported with its failures (the
Rust version panics with these messages).
"""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("lesson08")

app = FastAPI()
averages: list[int] = []


def legacy_average(values: list[int]) -> int:
    # Scores were 32-bit in the old system.
    for v in values:
        if v > 2**32 - 1:
            raise OverflowError(f"TryFromIntError: {v} does not fit in 32 bits")
    if not values:
        raise ZeroDivisionError("attempt to divide by zero")
    return sum(values) // len(values)


class Scores(BaseModel):
    values: list[int]


@app.middleware("http")
async def catch_failures(request: Request, call_next):
    # One net for every route (an `exception_handler(Exception)` answers too,
    # but Starlette raises the error again and the connection is dropped).
    try:
        return await call_next(request)
    except Exception as exc:
        log.error("a handler failed: %s", exc)  # for operators; never in the answer
        return JSONResponse({"error": "internal", "message": "internal server error"}, status_code=500)


@app.get("/health")
def health() -> str:
    return "ok"


@app.post("/averages", status_code=201)
def add_average(scores: Scores) -> dict:
    average = legacy_average(scores.values)
    averages.append(average)
    return {"id": len(averages), "average": average}


@app.get("/averages")
def list_averages() -> list[int]:
    return averages
