"""``GET /me``: what Etude remembers about the caller (``etude.server.profile``)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from etude.server.deps import CallerDep, MentorDep, OwnershipDep
from etude.server.profile import Profile, learner_profile

router = APIRouter()


@router.get("/me", summary="The caller's learner profile and progress.")
async def me(caller: CallerDep, mentor: MentorDep, ownership: OwnershipDep) -> Profile:
    sessions = len(ownership.sessions(caller.learner))
    return await run_in_threadpool(
        learner_profile, mentor.persistence.store, caller.learner, sessions
    )
