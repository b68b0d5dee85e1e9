"""Etude over HTTP: the JSON/SSE API and the web studio (``etude serve``).

``create_app`` builds the FastAPI app; ``etude.cli.serve.run_serve`` runs it with uvicorn.
"""

from etude.server.app import create_app

__all__ = ["create_app"]
