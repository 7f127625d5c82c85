"""Expression DAG → fast NumPy (and scalar) functions."""

from chainrule.symbolic.compile.codegen import CompiledFunction, compile_expr

__all__ = ["CompiledFunction", "compile_expr"]
