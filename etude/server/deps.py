"""What a route needs, handed to it by FastAPI's dependency injection.

The server's parts are built once, when the app starts (``etude.server.app``), and kept on
``app.state``; the caller is put on ``request.state`` by the identity middleware
(``etude.server.identity.identify_caller``). A route names what it uses in its signature
(``caller: CallerDep, mentor: MentorDep``), so its inputs can be read there and replaced in a test.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Annotated, Any

from fastapi import Depends, Request

from etude.config import Settings
from etude.mentor import Mentor
from etude.server.errors import ApiError
from etude.server.identity import Caller
from etude.server.metrics import TurnMetrics
from etude.server.ownership import Ownership, SessionRecord
from etude.server.runner import TurnRunner
from etude.server.studio import ScoreStudio


async def current_caller(request: Request) -> Caller:
    """The learner behind the request, as the identity middleware found them."""
    caller: Caller = request.state.caller
    return caller


async def app_settings(request: Request) -> Settings:
    """The settings the app was created with (the mentor's own may differ in tests)."""
    settings: Settings = request.app.state.settings
    return settings


async def the_mentor(request: Request) -> Mentor:
    mentor: Mentor = request.app.state.mentor
    return mentor


async def the_ownership(request: Request) -> Ownership:
    ownership: Ownership = request.app.state.ownership
    return ownership


async def the_runner(request: Request) -> TurnRunner:
    runner: TurnRunner = request.app.state.runner
    return runner


async def the_studio(request: Request) -> ScoreStudio:
    studio: ScoreStudio = request.app.state.studio
    return studio


async def the_metrics(request: Request) -> TurnMetrics:
    metrics: TurnMetrics = request.app.state.metrics
    return metrics


async def model_ready(request: Request) -> bool:
    """Whether the background warm-up (model load) has finished."""
    warm: Future[Any] = request.app.state.warm
    return warm.done()


CallerDep = Annotated[Caller, Depends(current_caller)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
MentorDep = Annotated[Mentor, Depends(the_mentor)]
OwnershipDep = Annotated[Ownership, Depends(the_ownership)]
RunnerDep = Annotated[TurnRunner, Depends(the_runner)]
StudioDep = Annotated[ScoreStudio, Depends(the_studio)]
ModelReadyDep = Annotated[bool, Depends(model_ready)]
MetricsDep = Annotated[TurnMetrics, Depends(the_metrics)]


def owned_session(ownership: Ownership, caller: Caller, session_id: str) -> SessionRecord:
    """The caller's session with this id; another learner's answers 404 exactly like one that
    does not exist.

    It is called inside the route, not declared as a dependency, so that a request that is
    invalid anyway (a missing file) keeps getting its 422 before ownership is looked at.
    """
    record = ownership.session_for(caller.learner, session_id)
    if record is None:
        raise ApiError(404, "no such session")
    return record
