"""The pack's one error body, {"error": code, "message": text[, "fields"]}, for FastAPI.

FastAPI answers 422 with {"detail": [...]} for every input it cannot validate,
and {"detail": "Not Found"} for an unknown route. The apilings lessons are
stricter: 400 with the same error body as every other error. `install` is the
change: one handler for validation errors, one for HTTP errors.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


def error(status: int, code: str, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message


def is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if not is_json(request) or any(e["type"] == "json_invalid" for e in errors):
        return error(400, "invalid_json", "the body must be a JSON object (content-type: application/json)")
    # The field's name and what is wrong, never the value that was sent.
    fields = {}
    for e in errors:
        name = ".".join(str(part) for part in e["loc"] if part != "body") or "body"
        fields.setdefault(name, e["msg"])
    return error(400, "validation_failed", "invalid fields: " + ", ".join(fields), fields=fields)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status, exc.code, exc.message)

    app.add_exception_handler(RequestValidationError, validation_failed)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
        return error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))
