"""One precedence table shared by every printer."""

ADD = 10
MUL = 20
NEG = 25  # a leading minus: -x^2 means -(x^2)
POW = 30
ATOM = 40
