"""Etude's music knowledge base: our own articles, chunked by heading and indexed in Chroma."""
