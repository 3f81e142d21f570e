"""Lesson 02 on FastAPI: REST resources and meaningful status codes."""

import uuid

from fastapi import FastAPI, Response
from pydantic import BaseModel

from errors import ApiError, install

app = FastAPI()
install(app)


class UserCreate(BaseModel):
    email: str
    name: str
    password: str


class UserResponse(BaseModel):
    id: str
    email: str
    name: str


users: dict[str, UserResponse] = {}


@app.post("/users", status_code=201, response_model=UserResponse)
def create_user(body: UserCreate, response: Response) -> UserResponse:
    if any(u.email == body.email for u in users.values()):
        raise ApiError(409, "conflict", "a user with this email already exists")
    user = UserResponse(id=uuid.uuid4().hex, email=body.email, name=body.name)
    users[user.id] = user
    response.headers["Location"] = f"/users/{user.id}"
    return user


@app.get("/users", response_model=list[UserResponse])
def list_users() -> list[UserResponse]:
    return list(users.values())


@app.get("/users/{user_id}", response_model=UserResponse)
def get_user(user_id: str) -> UserResponse:
    if user_id not in users:
        raise ApiError(404, "not_found", "no user with this id")
    return users[user_id]
