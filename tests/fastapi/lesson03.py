"""Lesson 03 on FastAPI: validating every input, with one consistent error body.

Pydantic validates (EmailStr, lengths in characters, no unknown fields);
`errors.install` turns FastAPI's 422 into the pack's 400 body.
"""

import uuid

from fastapi import FastAPI, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from errors import ApiError, install

app = FastAPI()
install(app)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8)


class UserResponse(BaseModel):
    id: str
    email: str
    name: str


users: dict[str, UserResponse] = {}


@app.post("/users", status_code=201, response_model=UserResponse)
def create_user(body: UserCreate, response: Response) -> UserResponse:
    user = UserResponse(id=uuid.uuid4().hex, email=body.email, name=body.name)
    users[user.id] = user
    response.headers["Location"] = f"/users/{user.id}"
    return user


@app.get("/users/{user_id}", response_model=UserResponse)
def get_user(user_id: str) -> UserResponse:
    if user_id not in users:
        raise ApiError(404, "not_found", "no user with this id")
    return users[user_id]
