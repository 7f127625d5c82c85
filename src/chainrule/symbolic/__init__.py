"""The symbolic engine: differentiate expressions, record steps, simplify, compile."""
