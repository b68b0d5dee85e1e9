"""The critic's rules, one module per musical concern (see each module's docstring)."""
