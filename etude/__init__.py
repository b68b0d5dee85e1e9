"""Etude: an open-source composition mentor.

A LangGraph graph routes each learner turn to tools (exact theory, score critic, MusicBERT
encoder, plug-ins) and a small Llama-style chat model turns their typed evidence into a lesson.
"""

__version__ = "0.1.0"
