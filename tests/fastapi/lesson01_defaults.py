"""A wrong lesson 01 on purpose: FastAPI's defaults, without the handler that
answers 415 and 400 (tests/fastapi.rs expects `greet-rejects-bad-bodies` to
fail on it, naming the 422 it got)."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class GreetRequest(BaseModel):
    name: str


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/greetings")
def greet(req: GreetRequest) -> dict:
    return {"greeting": f"Hello, {req.name}!"}
