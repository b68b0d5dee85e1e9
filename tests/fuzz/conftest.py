"""Fuzzing profiles: ``make test`` runs a bounded, reproducible sample; set
``ETUDE_FUZZ=explore`` for a longer random search (save what it finds in ``corpus/``)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "fuzz-ci", max_examples=40, derandomize=True, deadline=None, suppress_health_check=_SLOW_OK
)
settings.register_profile(
    "fuzz-explore", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK
)
FUZZ = settings.get_profile(
    "fuzz-explore" if os.environ.get("ETUDE_FUZZ") == "explore" else "fuzz-ci"
)
