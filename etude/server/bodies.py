"""Reading a JSON request body safely: bounded nesting, one error shape for anything malformed.

The body's size is already capped (``etude.server.guard``). Python's ``json`` recurses once per
nesting level, so 50,000 ``[`` in a 100 kB body raise ``RecursionError`` deep inside the parser;
the depth is therefore counted first, in one linear pass, and every way a body can be malformed
(bad syntax, bad UTF-8, an integer too long to convert) is one 422 with a line to act on.
"""

from __future__ import annotations

import json
from typing import Any

from etude.server.errors import ApiError

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted; every body the API takes is two deep."""

NOT_JSON = 'send JSON {"message": ...} or a multipart form'


def parse_json(data: bytes) -> Any:
    """The JSON value in ``data``; ``ApiError(422)`` if it is not JSON or nested too deeply.

    >>> parse_json(b'{"message": "hi"}')
    {'message': 'hi'}
    >>> parse_json(b"[" * 10_000 + b"]" * 10_000)
    Traceback (most recent call last):
    ...
    etude.server.errors.ApiError: the JSON body is nested more than 32 levels deep
    >>> parse_json(b'{"message": ' + b"1" * 5000 + b"}")
    Traceback (most recent call last):
    ...
    etude.server.errors.ApiError: send JSON {"message": ...} or a multipart form
    """
    if nesting_depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ApiError(422, f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ApiError(422, NOT_JSON) from exc


def nesting_depth(data: bytes, stop_past: int | None = None) -> int:
    """How deeply arrays and objects nest in ``data`` (brackets inside strings do not count);
    stops counting once past ``stop_past``.

    >>> nesting_depth(b'{"a": [1, {"b": "[[["}]}'), nesting_depth(b'"x"')
    (3, 0)
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_past is not None and deepest > stop_past:
                    break
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest
