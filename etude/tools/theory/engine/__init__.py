"""The exact theory engine: free-phrased questions in, computed music21 facts out.

Etude never lets the chat model guess a fact that can be computed. ``questions`` turns a
learner's words into typed queries, one module per musical concept computes them with
music21, and ``calculator.compute_facts`` ties the two together.
"""
