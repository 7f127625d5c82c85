"""Simplification beyond canonical form: the readable form people want to see."""

from chainrule.symbolic.simplify.expand import expand
from chainrule.symbolic.simplify.readable import readable

__all__ = ["expand", "readable"]
