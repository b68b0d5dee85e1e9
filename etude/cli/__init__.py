"""The ``etude`` command line."""

from etude.cli.app import app, main

__all__ = ["app", "main"]
