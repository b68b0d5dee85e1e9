"""The graph's thinking nodes: intake, router, tutor and memory of the lesson."""
