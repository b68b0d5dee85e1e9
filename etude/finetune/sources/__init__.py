"""Where training examples come from: one module per source, each yielding ``Example``s."""
