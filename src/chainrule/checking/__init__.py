"""Check a learner's derivative: equivalence, a counterexample, and the mistake made.

>>> from chainrule.checking import check_answer
>>> r = check_answer("x^2 sin(x)", "2x cos(x)")
>>> r.equivalent, r.mistake, r.rule
(False, 'product_of_derivatives', 'Product rule')
"""

from chainrule.checking.answer import AnswerCheck, check_answer
from chainrule.checking.mistakes import CATALOG, Mistake

__all__ = ["CATALOG", "AnswerCheck", "Mistake", "check_answer"]
