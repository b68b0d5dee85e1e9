"""Who may use Etude on LangGraph Server, and whose lessons they see (``langgraph.json``'s
``auth``).

LangGraph Server's custom auth (``langgraph_sdk.Auth``) runs this on every request:

- **Authentication** maps the caller to a learner id. A token file
  (``ETUDE_LANGGRAPH_TOKENS``: JSON ``{"<bearer token>": "<learner id>", ...}``) is the list
  of who may come in, each with ``Authorization: Bearer <token>``. Without one, the server is
  a single learner's laptop: callers on loopback (``langgraph dev``, LangGraph Studio, Agent
  Chat UI on the same machine) are ``Settings.learner``, anyone else is refused.
- **Authorization** keeps lessons owned, as ``etude serve`` does: a thread is stamped with its
  creator (metadata ``owner``) and every read, search, update, deletion and run of a thread is
  filtered on that owner, so another learner's thread answers 404 and never appears in a
  search. The store's HTTP API is closed except for the learner's own namespace
  (``("learners", <id>, ...)``, see ``etude.store_layout``). Assistants stay readable: they
  are the graph, not anyone's data.

Inside a run the graph reads the learner from ``configurable.langgraph_auth_user_id``, which
the server sets from this identity (``etude.state.learner_of``), never from what a caller
puts in the run's context.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

from langgraph_sdk import Auth

from etude.config import Settings
from etude.store_layout import LEARNERS

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

OWNER = "owner"
"""The thread metadata key that names the learner a lesson belongs to."""

auth = Auth()


def read_tokens(path: Path | None) -> dict[str, str] | None:
    """The token → learner map, or None when no file is configured.

    >>> read_tokens(None) is None
    True
    """
    if path is None:
        return None
    tokens = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(tokens, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in tokens.items()
    ):
        raise ValueError(f"{path}: expected a JSON object of token → learner id strings")
    return tokens


def learner_for(
    authorization: str | None, client_host: str | None, tokens: dict[str, str] | None, local: str
) -> str | None:
    """The learner a request comes from, or None if it may not come in.

    >>> tokens = {"t-ana": "ana", "t-sam": "sam"}
    >>> learner_for("Bearer t-ana", "10.0.0.5", tokens, "local")
    'ana'
    >>> learner_for("Bearer wrong", "127.0.0.1", tokens, "local") is None
    True
    >>> learner_for(None, "127.0.0.1", None, "local"), learner_for(None, "10.0.0.5", None, "local")
    ('local', None)
    """
    if tokens is None:
        return local if client_host in LOOPBACK else None
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found = None
    for known, learner in tokens.items():
        # every token compared in constant time, so timing tells nothing of which one matched
        if hmac.compare_digest(known.encode(), token.strip().encode()):
            found = learner
    return found


_SETTINGS = Settings.from_env()
_TOKENS = read_tokens(_SETTINGS.langgraph_tokens)
"""Read once, when the server imports this module: the handlers run on the server's event
loop, where reading a file would block every request (restart the server to change them)."""


@auth.authenticate
async def authenticate(authorization: str | None, request: Any) -> Auth.types.MinimalUserDict:
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    learner = learner_for(authorization, host, _TOKENS, _SETTINGS.learner)
    if learner is None:
        raise Auth.exceptions.HTTPException(status_code=401, detail="unknown or missing token")
    return {"identity": learner}


@auth.on.threads
async def own_threads(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """Stamp new threads with their owner; every other action sees only the caller's own."""
    if isinstance(value, dict) and (ctx.action == "create" or "metadata" in value):
        # a caller never chooses the owner, not even by updating a thread's metadata; changed
        # in place, because the server keeps its own reference to this dict
        if value.get("metadata") is None:
            value["metadata"] = {}
        value["metadata"][OWNER] = ctx.user.identity
    return {OWNER: ctx.user.identity}


@auth.on.crons
async def own_crons(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    if isinstance(value, dict) and ctx.action == "create":
        if value.get("metadata") is None:
            value["metadata"] = {}
        value["metadata"][OWNER] = ctx.user.identity
    return {OWNER: ctx.user.identity}


@auth.on.assistants
async def assistants(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Reading and searching the graph's assistants is fine; changing them is the deployer's."""
    return ctx.action in ("read", "search")


@auth.on.store
async def own_store(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Only the caller's own learner namespace, through the store's HTTP API."""
    namespace = tuple(value.get("namespace") or ())
    return namespace[:2] == (LEARNERS, ctx.user.identity)
