"""Lesson 01 on FastAPI: a first endpoint with a response model.

FastAPI answers a body that is not JSON, and malformed JSON, with 422; the
lesson wants 415 and 400 (axum's answers, and the HTTP meaning of each):
one exception handler is the change.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from errors import is_json

app = FastAPI()


class Health(BaseModel):
    status: str


class GreetRequest(BaseModel):
    name: str


class Greeting(BaseModel):
    greeting: str


@app.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")


@app.post("/greetings", response_model=Greeting)
def greet(req: GreetRequest) -> Greeting:
    return Greeting(greeting=f"Hello, {req.name}!")


@app.exception_handler(RequestValidationError)
async def refuse(request: Request, exc: RequestValidationError) -> JSONResponse:
    if not is_json(request):
        return JSONResponse({"detail": "expected application/json"}, status_code=415)
    if any(e["type"] == "json_invalid" for e in exc.errors()):
        return JSONResponse({"detail": "malformed JSON"}, status_code=400)
    return JSONResponse({"detail": exc.errors()}, status_code=422)
