"""Errors the API answers with: always ``{"error": "one line"}`` and a fitting status code.

A learner's mistake (a broken MIDI file, a session that is not theirs) is a 4xx with a line they
can act on; the same shape everywhere lets the web page show any error the same way.
"""

from __future__ import annotations


class ApiError(Exception):
    """An error meant for the caller.

    >>> ApiError(404, "no such session").payload()
    {'error': 'no such session'}
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def payload(self) -> dict[str, str]:
        return {"error": self.message}
