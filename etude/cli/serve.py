"""``etude serve``: the HTTP API and the web studio in one process, with uvicorn.

One worker process on purpose: the mentor holds one chat model in memory and serialises turns
itself, so more processes would multiply memory without answering faster.
"""

from __future__ import annotations

from etude.cli.errors import InputError
from etude.config import Settings
from etude.server.config import ServerSettings


def run_serve(host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None) -> None:
    """Serve until interrupted; bad settings or a port out of range are the user's error.

    >>> run_serve(port=70000)
    Traceback (most recent call last):
    ...
    etude.cli.errors.InputError: --port must be between 1 and 65535, got 70000
    """
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, got {port}")
    try:
        settings = settings or Settings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    import uvicorn

    from etude.server import create_app
    from etude.server.tracing import TracingUnavailable

    try:
        app = create_app(settings, ServerSettings.from_settings(settings, bind=(host, port)))
    except TracingUnavailable as exc:
        raise InputError(str(exc)) from exc
    print(f"Etude studio on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", workers=1)


def main(argv: list[str] | None = None) -> None:
    """``python -m etude.cli.serve [--host H] [--port P]``, for when the ``etude`` command
    is not on the path (the same options as ``etude serve``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="etude serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args(argv)
    run_serve(options.host, options.port)


if __name__ == "__main__":
    main()
