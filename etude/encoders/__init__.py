"""Symbolic-music encoders: OctupleMIDI (MusicBERT's input encoding)."""
