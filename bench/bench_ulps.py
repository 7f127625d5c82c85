"""Max ulp error of the stable primitives and their derivatives against mpmath (60 digits).

Both paths: symbolic (``parse``/``diff`` then ``evaluate``) and automatic differentiation
(the ``chainrule.ml`` function and ``grad``), at ±1e-300, ±1 … ±1e3 and ±1e308 (points where
the true value is not a finite float64 are skipped). Needs mpmath.

    python bench/bench_ulps.py
"""

from __future__ import annotations

from chainrule.testing.ulps import POINTS, table


def main() -> None:
    rows = table()
    head = ("primitive", "value sym", "value AD", "f′ sym", "f′ AD")
    print(f"max ulp error over {len(POINTS)} points")
    print(f"{head[0]:<26}" + "".join(f"{h:>10}" for h in head[1:]))
    for name, *cells in rows:
        print(f"{name:<26}" + "".join(f"{c:>10g}" for c in cells))
    worst = max(max(cells) for _, *cells in rows)
    print(f"worst: {worst:g} ulps")


if __name__ == "__main__":
    main()
