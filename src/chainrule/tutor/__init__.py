"""Check a learner's derivative: equivalence, a counterexample, and the mistake made.

>>> from chainrule.tutor import check_answer
>>> r = check_answer("x^2 sin(x)", "2x cos(x)")
>>> r.equivalent, r.mistake, r.rule
(False, 'product_of_derivatives', 'Product rule')
"""

from chainrule.tutor.answer import AnswerCheck, check_answer
from chainrule.tutor.mistakes import CATALOG, Mistake
from chainrule.tutor.session import Hint, LineCheck, Tutor, respond

__all__ = ["CATALOG", "AnswerCheck", "Hint", "LineCheck", "Mistake", "Tutor", "check_answer",
           "respond"]
