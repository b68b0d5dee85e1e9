"""An ABC tune pasted inside a message, found and set apart from the words around it.

Learners (and benchmarks such as MusicTheoryBench) paste a tune into the question itself:
"In the following tune, what is the interval between the first two notes?\\nX:1\\nM:3/4…".
:func:`split_abc` returns the tune's text and the message without it, so the question can be
read without the tune's letters being taken for notes, and the tune parsed as a score
(:func:`etude.scores.loading.load_score_text`).

A tune is a fenced block holding a ``K:`` field, or the lines from a header field (``X:``,
``T:``, ``M:``, ``L:``, ``K:`` …) on, as long as they are header fields or music (a bar
line ``|`` in it); it needs a ``K:`` field, as every ABC tune does.
"""

from __future__ import annotations

import re

_FIELD = re.compile(r"^\s*[A-Za-z]:")
_FENCED = re.compile(r"```(?:abc)?[ \t]*\n(.*?)```", re.DOTALL)


def split_abc(message: str) -> tuple[str, str] | None:
    """(tune, message without it), or None when the message holds no ABC tune.

    >>> tune, rest = split_abc("What key is this in?\\nX:1\\nM:3/4\\nK:G\\nGAB c2d |]\\nThanks!")
    >>> tune
    'X:1\\nM:3/4\\nK:G\\nGAB c2d |]'
    >>> rest
    'What key is this in?\\nThanks!'
    >>> split_abc("K: is the key field of ABC") is None
    True
    """
    fenced = _FENCED.search(message)
    if fenced and re.search(r"^\s*K:", fenced.group(1), re.MULTILINE):
        rest = message[: fenced.start()] + message[fenced.end() :]
        return fenced.group(1).strip(), _tidy(rest)
    lines = message.splitlines()
    for start, line in enumerate(lines):
        if not _FIELD.match(line):
            continue
        end = start
        while (
            end < len(lines)
            and lines[end].strip()
            and (_FIELD.match(lines[end]) or "|" in lines[end])
        ):
            end += 1
        block = lines[start:end]
        fields = {b.strip()[:2] for b in block if _FIELD.match(b)}
        music = any("|" in b and not _FIELD.match(b) for b in block)
        if "K:" in fields and (music or len(fields) >= 2):
            return "\n".join(block).strip(), _tidy("\n".join(lines[:start] + lines[end:]))
    return None


def _tidy(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip()).strip()
