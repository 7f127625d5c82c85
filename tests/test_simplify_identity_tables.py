"""The simplifier's identity tables, checked against the rule records they name.

``textbook.PYTHAGOREAN``, ``angles.PAIRS``, ``angles.SQUARES`` and ``arrange.RATIOS`` state facts
about primitives outside their records (identities between two records). Every name in them
must be a registered record, and every identity must hold for the records' own
implementations at random points — so a table can never disagree with the rule table.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.core.registry import get
from chainrule.symbolic.simplify.angles import PAIRS, SQUARES
from chainrule.symbolic.simplify.arrange import RATIOS
from chainrule.symbolic.simplify.textbook import PYTHAGOREAN

U = np.random.default_rng(11).uniform(-1.3, 1.3, 64)


def f(name: str, u: np.ndarray) -> np.ndarray:
    return np.asarray(get(name).impl(u), dtype=float)


def test_every_name_in_the_tables_is_a_record():
    names = set(PYTHAGOREAN) | {g for g, _ in PYTHAGOREAN.values()} | set(PAIRS)
    names |= set(PAIRS.values()) | set(SQUARES) | {t[0] for ts in SQUARES.values() for t in ts}
    names |= {n for pair in RATIOS for n in pair} | set(RATIOS.values())
    for name in names:
        assert get(name).name == name


@pytest.mark.parametrize("name", sorted(PYTHAGOREAN))
def test_pythagorean_identities_hold_for_the_records(name):
    other, s = PYTHAGOREAN[name]
    np.testing.assert_allclose(f(name, U) ** 2, 1 + s * f(other, U) ** 2, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_double_angle_products_hold_for_the_records(name):
    np.testing.assert_allclose(f(name, U) * f(PAIRS[name], U), f(name, 2 * U) / 2,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SQUARES))
def test_double_angle_squares_hold_for_the_records(name):
    for square, coeff, other, const in SQUARES[name]:
        rhs = float(coeff) * f(square, U) ** 2 + float(const)
        if other is not None:
            rhs = rhs + float(other[1]) * f(other[0], U) ** 2
        np.testing.assert_allclose(f(name, 2 * U), rhs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("pair", "name"), sorted(RATIOS.items()))
def test_ratios_hold_for_the_records(pair, name):
    top, bottom = pair
    np.testing.assert_allclose(f(top, U) / f(bottom, U), f(name, U), rtol=1e-12)
