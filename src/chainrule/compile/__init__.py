"""Expression DAG → fast NumPy (and scalar) functions."""

from chainrule.compile.codegen import CompiledFunction, compile_expr

__all__ = ["CompiledFunction", "compile_expr"]
