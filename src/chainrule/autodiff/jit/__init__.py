"""``chainrule.jit``: staged tracing and code generation from the rule records."""

from chainrule.autodiff.jit.api import Jitted, jit

__all__ = ["Jitted", "jit"]
