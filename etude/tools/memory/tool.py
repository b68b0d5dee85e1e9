"""Recalling the learner profile as a recorded fact."""

from __future__ import annotations

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest


def recall(request: ToolRequest, settings: Settings) -> list[Evidence]:
    profile = request.profile
    return [
        Evidence(
            tool="memory",
            kind="profile",
            summary=profile.recap(),
            authoritative=True,
            data=profile.model_dump(mode="json"),
        )
    ]
