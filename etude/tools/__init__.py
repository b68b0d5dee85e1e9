"""Tools the graph can route a turn to: built-ins here, plug-ins via entry points."""
