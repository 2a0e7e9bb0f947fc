"""FastAPI dependencies of the consultant API. `bot` puts the sessionmaker on app.state;
tests replace any of these through `app.dependency_overrides`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from handoff.auth import LoginPolicy, authenticate
from handoff.errors import Forbidden, Unauthorized
from handoff.models import Consultant, utcnow

bearer = HTTPBearer(auto_error=False, description="The token from POST /api/login.")


def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    """The application's sessionmaker (built in the lifespan)."""
    return cast("sessionmaker[Session]", request.app.state.sessionmaker)


SessionmakerDep = Annotated[sessionmaker[Session], Depends(get_sessionmaker)]


def get_session(sessions: SessionmakerDep) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, else rolled back."""
    with sessions.begin() as session:
        yield session


# scope="function": commit before the response is sent, so a 200 means it is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_now() -> datetime:
    """The current time (tests pin it)."""
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]


def get_login_policy(request: Request) -> LoginPolicy:
    """Token lifetime and login limits, as configured by the app."""
    policy = getattr(request.app.state, "login_policy", None)
    return policy if isinstance(policy, LoginPolicy) else LoginPolicy()


LoginPolicyDep = Annotated[LoginPolicy, Depends(get_login_policy)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def get_consultant(session: SessionDep, now: NowDep, credentials: BearerDep) -> Consultant:
    """The consultant the bearer token belongs to."""
    if credentials is None:
        raise Unauthorized("log in first: send Authorization: Bearer <token>")
    return authenticate(session=session, token=credentials.credentials, now=now)


ConsultantDep = Annotated[Consultant, Depends(get_consultant)]


def get_supervisor(consultant: ConsultantDep) -> Consultant:
    """The caller, who must be a supervisor."""
    if not consultant.is_supervisor:
        raise Forbidden("only supervisors may do this")
    return consultant


SupervisorDep = Annotated[Consultant, Depends(get_supervisor)]
