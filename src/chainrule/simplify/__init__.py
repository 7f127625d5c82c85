"""Simplification beyond canonical form: the readable form people want to see."""

from chainrule.simplify.expand import expand
from chainrule.simplify.readable import readable

__all__ = ["expand", "readable"]
