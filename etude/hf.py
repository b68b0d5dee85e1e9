"""Hugging Face libraries set up the way Etude runs them: offline and quiet.

There is no model hub at run time, and a learner should see Etude's own progress messages,
not a progress bar per weight file.
"""

from __future__ import annotations

import os
from functools import cache


@cache
def offline_and_quiet() -> None:
    # Third-party libraries' own variables, set (never read) for them; Etude's settings are
    # read in etude/config.py. setdefault lets a user still switch the hub back on.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
