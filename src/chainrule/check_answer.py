"""``chainrule.check_answer``: the public entry point of :mod:`chainrule.checking`.

>>> from chainrule.check_answer import check_answer
>>> r = check_answer("sin(x^2)", "cos(x^2)")
>>> r.mistake, r.rule
('missing_inner_derivative', 'Chain rule')
"""

from chainrule.checking import AnswerCheck, check_answer

__all__ = ["AnswerCheck", "check_answer"]
