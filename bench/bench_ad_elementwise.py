"""W4: an elementwise derivative on 10^6 points, against f's own NumPy time and the peers.

    f(x) = x^x + sin(x)^x,     x: 10^6 seeded points, uniform in (0.1, 3)

Rows: f itself in NumPy; ``chainrule.elementwise_grad(f)`` (eager forward mode, no tape, in
cache-sized chunks since f is elementwise); ``chainrule.compile(chainrule.diff(f))`` (the
symbolic derivative compiled to straight-line NumPy, CSE'd); autograd's ``elementwise_grad``;
PyTorch (``autograd.grad`` with a ones cotangent, a fresh leaf tensor sharing x's memory
each call); ``jax.jit(jax.vmap(jax.grad(f)))``. The hand-written derivative in NumPy is shown
for scale. All interleaved in one process; ratios are medians of per-round ratios.
Derivatives are checked against the closed form to 1e-10 (relative, worst point).

``chainrule.jit(elementwise_grad(f))`` and ``compile(diff)`` also on one thread (they run
blocks of points on all cores), and ``np.cos(x)`` alone: the derivative needs cos x, which f
does not compute, so it bounds the single-threaded ratio from below.

Target: the compiled derivative ≤ 1.0× f's own time.
Run: ``python bench/bench_ad_elementwise.py [--rounds N] [--n N] [--peers ...] [--profile]``.
"""

from __future__ import annotations

import time

import numpy as np

import _common  # noqa: F401 - puts the checkout's src/ on sys.path before chainrule
import chainrule
from bench_ad_common import (
    build_cases,
    check_values,
    fmt_ratio,
    fmt_time,
    hot_spots,
    interleave,
    load_peers,
    machine,
    median,
    parser,
    peer_versions,
    print_hot_spots,
    print_targets,
    ratio,
    table,
    targets,
    write_results,
)
from chainrule.core import blocks

TOL = 1e-10
OWN, COMPILED, ELEMENTWISE = "f (NumPy)", "chainrule.compile(diff)", "chainrule.elementwise_grad"
JIT = "chainrule.jit(elementwise_grad)"
FLOOR = "eager floor: its six ufuncs alone"
COMPILED1, JIT1 = f"{COMPILED}, 1 thread", f"{JIT}, 1 thread"
COS = "np.cos(x) alone (the derivative needs it, f does not)"


def f(x):
    return x**x + np.sin(x) ** x


def closed_form(x):
    """d/dx = x^x (ln x + 1) + sin(x)^x (ln sin x + x cot x), written out in NumPy."""
    s = np.sin(x)
    return x**x * (np.log(x) + 1) + s**x * (np.log(s) + x * np.cos(x) / s)


def setups(x: np.ndarray) -> list:
    def own():
        return lambda: f(x)

    def hand():
        return lambda: closed_form(x)

    def compiled():
        fn = chainrule.compile(chainrule.diff(f))
        return lambda: fn(x)

    def elementwise():
        fn = chainrule.elementwise_grad(f)
        return lambda: fn(x)

    def one_thread(fn):
        def call():
            blocks.set_threads(1)
            try:
                return fn(x)
            finally:
                blocks.set_threads(None)
        return call

    def compiled_one_thread():
        return one_thread(chainrule.compile(chainrule.diff(f)))

    def jitted_one_thread():
        fn = chainrule.jit(chainrule.elementwise_grad(f))
        fn(x)
        return one_thread(fn)

    def cos_alone():
        return lambda: np.cos(x)

    def jitted():
        fn = chainrule.jit(chainrule.elementwise_grad(f))
        fn(x)  # record and generate once, as jax.jit compiles on its first call
        return lambda: fn(x)

    def autograd():
        import autograd.numpy as anp
        from autograd import elementwise_grad
        fn = elementwise_grad(lambda v: v**v + anp.sin(v) ** v)
        return lambda: fn(x)

    def torch():
        import torch
        base = torch.from_numpy(x)

        def call():
            xt = base.detach().requires_grad_()  # a fresh leaf on x's memory
            out = xt**xt + torch.sin(xt) ** xt
            return torch.autograd.grad(out, xt, torch.ones_like(out))[0].numpy()
        return call

    def jax():
        import jax
        import jax.numpy as jnp
        fn = jax.jit(jax.vmap(jax.grad(lambda t: t**t + jnp.sin(t) ** t)))
        xj = jax.device_put(x)
        return lambda: np.asarray(fn(xj))

    def floor():
        """What any ufunc-at-a-time derivative must evaluate, into one preallocated buffer:
        f's pow, sin, pow (the values the rules reuse) and the derivative's cos x, log x,
        log sin x. Their time over f's bounds an eager pass that does no fusion."""
        buf, s = np.empty_like(x), np.sin(x)

        def run():
            for op, args in ((np.power, (x, x)), (np.sin, (x,)), (np.power, (s, x)),
                             (np.cos, (x,)), (np.log, (x,)), (np.log, (s,))):
                op(*args, out=buf)
        return run

    return [(OWN, None, own), ("hand derivative (NumPy)", None, hand), (FLOOR, None, floor),
            (COMPILED, None, compiled), (ELEMENTWISE, None, elementwise), (JIT, None, jitted),
            (COMPILED1, None, compiled_one_thread), (JIT1, None, jitted_one_thread),
            (COS, None, cos_alone),
            ("autograd.elementwise_grad", "autograd", autograd),
            ("torch.autograd.grad", "torch", torch), ("jax.jit(vmap(grad))", "jax", jax)]


def line_profile(x: np.ndarray, rounds: int = 11) -> list[dict]:
    """Time of each line of the compiled derivative's array body (cProfile cannot see ufuncs).

    The generated source is replayed one assignment at a time in chainrule's own code
    namespace, followed by the finiteness check ``CompiledFunction.__call__`` adds, and by
    f's own body for comparison. Shares are of the best (min) times: load noise only adds.
    """
    from chainrule.symbolic.compile.codegen import namespace
    compiled = chainrule.compile(chainrule.diff(f))
    body = [ln.strip() for ln in compiled.array_source.splitlines()[1:]]
    steps = [ln for ln in body if not ln.startswith("return")]
    steps.append(f"_check = bool(np.all(np.isfinite({body[-1].split()[1]})))")
    n_deriv = len(steps)
    steps += ["_f1 = a0 ** a0", "_f2 = np.sin(a0)", "_f3 = _f2 ** a0", "_f4 = _f1 + _f3"]
    codes = [compile(s, "<line>", "exec") for s in steps]
    times: list[list[float]] = [[] for _ in steps]
    for _ in range(rounds):
        ns = dict(namespace(), a0=x)
        with np.errstate(all="ignore"):
            for i, code in enumerate(codes):
                t = time.perf_counter()
                exec(code, ns)  # noqa: S102 - replaying chainrule's own generated code
                times[i].append(time.perf_counter() - t)
    best = [min(t) for t in times]
    own = sum(best[n_deriv:])
    return [{"line": s, "part": "derivative" if i < n_deriv else "f itself",
             "median_s": median(t), "min_s": b, "min_over_f": b / own}
            for i, (s, t, b) in enumerate(zip(steps, times, best, strict=True))]


def _reusing_body(a0):
    """A sketch of what chainrule.compile could emit: the generated body with each
    temporary's buffer reused (``out=``) once it is dead. Hand-written from the generated
    code; not part of chainrule."""
    t0 = np.log(a0)
    t2 = np.multiply(a0, t0)
    np.exp(t2, out=t2)  # x^x
    np.add(t0, 1.0, out=t0)
    np.multiply(t0, t2, out=t0)  # x^x (ln x + 1)
    t4 = np.sin(a0)
    t6 = np.cos(a0)
    np.divide(t6, t4, out=t6)
    np.multiply(t6, a0, out=t6)  # x cot x
    np.log(t4, out=t4)  # ln sin x
    np.multiply(a0, t4, out=t2)
    np.exp(t2, out=t2)  # sin(x)^x
    np.add(t4, t6, out=t4)
    np.multiply(t4, t2, out=t4)
    np.add(t0, t4, out=t0)
    return t0


def _blocked(body, block: int):
    def run(x):
        out = np.empty_like(x)
        for i in range(0, len(x), block):
            out[i:i + block] = body(x[i:i + block])
        return out
    return run


def variants(x: np.ndarray, rounds: int, notes: list[str]) -> dict:
    """Where the compiled derivative's time goes beyond f's, interleaved with f:

    * the transcendental ufuncs alone, into preallocated buffers: f's three (pow, sin, pow)
      and the derivative's six (log, exp, sin, log, cos, exp) — the arithmetic floor of
      evaluating either one ufunc at a time;
    * the generated body alone (no argument conversion or finiteness check), and over blocks
      of 16384 points (temporaries stay in cache);
    * the sketch above (dead temporaries' buffers reused), whole and in blocks.
    """
    compiled = chainrule.compile(chainrule.diff(f))
    raw = compiled.array_fn  # the generated NumPy body
    buf = [np.empty_like(x) for _ in range(6)]
    sx = np.sin(x)
    xlx, xls = x * np.log(x), x * np.log(sx)

    def f_core():
        np.power(x, x, out=buf[0])
        np.sin(x, out=buf[1])
        np.power(buf[1], x, out=buf[2])

    def d_core():
        np.log(x, out=buf[0])
        np.exp(xlx, out=buf[1])
        np.sin(x, out=buf[2])
        np.log(sx, out=buf[3])
        np.cos(x, out=buf[4])
        np.exp(xls, out=buf[5])

    cases = {"f (NumPy)": lambda: f(x),
             "f's transcendentals alone (pow, sin, pow)": f_core,
             "derivative's transcendentals alone (log, exp, sin, log, cos, exp)": d_core,
             "compiled call": lambda: compiled(x),
             "generated body alone": lambda: raw(x),
             "generated body, blocks of 16384": lambda: _blocked(raw, 16384)(x),
             "sketch: buffers reused": lambda: _reusing_body(x),
             "sketch: buffers reused, blocks of 16384":
                 lambda: _blocked(_reusing_body, 16384)(x)}
    want = compiled(x)
    with np.errstate(all="ignore"):
        for name in list(cases)[4:]:
            if not np.allclose(cases[name](), want, rtol=1e-12, atol=0):
                notes.append(f"variant {name!r} disagrees with the compiled function")
        return interleave(cases, rounds, notes, batch_s=0.0)


def main() -> None:
    p = parser(__doc__, rounds=11)
    p.add_argument("--n", type=int, default=10**6, help="number of points")
    a = p.parse_args()

    notes: list[str] = []
    peers = load_peers(a.peers, a.torch_threads)
    x = np.random.default_rng(0).uniform(0.1, 3.0, a.n)
    ref = closed_form(x)
    cases = build_cases(setups(x), peers, notes)
    errs = check_values(cases, lambda d: np.max(np.abs(np.asarray(d, dtype=float) - ref)
                                                / np.abs(ref)), TOL, notes, skip=(OWN, FLOOR, COS))
    timings = interleave(cases, a.rounds, notes, batch_s=0.0)  # calls are long: one a batch

    result_targets = targets([
        ("chainrule.compile(diff) / f", ratio(timings, COMPILED, OWN), 1.0, COMPILED),
        ("chainrule.elementwise_grad / f", ratio(timings, ELEMENTWISE, OWN), 1.5, ELEMENTWISE),
        ("chainrule.jit(elementwise_grad) / f", ratio(timings, JIT, OWN), 1.0, JIT),
        ("eager floor (f's pow, sin, pow + cos, log, log alone) / f",
         ratio(timings, FLOOR, OWN), None, None),
        ("chainrule.compile(diff), 1 thread / f", ratio(timings, COMPILED1, OWN), None, None),
        ("chainrule.jit(elementwise_grad), 1 thread / f", ratio(timings, JIT1, OWN), None,
         None),
        ("np.cos(x) alone / f (a floor: the derivative needs cos x, f does not)",
         ratio(timings, COS, OWN), None, None),
    ], errs, TOL)
    print(f"W4: d/dx [x^x + sin(x)^x] on {a.n} points in (0.1, 3)")
    print(table(["tool", "median/call", "min/call", "tool / f", "compiled / tool", "rel err"],
                [[name, fmt_time(t["median_s"]), fmt_time(t["min_s"]),
                  fmt_ratio(ratio(timings, name, OWN)), fmt_ratio(ratio(timings, COMPILED, name)),
                  f"{errs[name]:.0e}" if name in errs else "-"]
                 for name, t in timings.items()]))
    print()
    print_targets(result_targets)
    for note in notes:
        print("note:", note)

    result = {"n": a.n, "rel_err": errs, "timings": timings, "targets": result_targets,
              "compiled_source": chainrule.compile(chainrule.diff(f)).array_source,
              "rounds": a.rounds, "versions": peer_versions(peers), "machine": machine(),
              "notes": notes}
    if a.profile:
        lines = line_profile(x)
        result["line_profile"] = lines
        print("\nThe compiled derivative's body line by line, then f's own lines "
              "(min / median of 11; last column: min as a fraction of f's summed mins):")
        print(table(["part", "line", "min", "median", "min / f"],
                    [[r["part"], r["line"], fmt_time(r["min_s"]), fmt_time(r["median_s"]),
                      f"{r['min_over_f']:.3f}"] for r in lines]))
        for part in ("derivative", "f itself"):
            total = sum(r["min_over_f"] for r in lines if r["part"] == part)
            print(f"{part}: sum of line mins = {total:.3f} x f")
        var = variants(x, a.rounds, notes)
        result["variants"] = var
        print("\nWhere the compiled derivative's time goes beyond f's (interleaved; ratio to "
              "f, median of per-round ratios):")
        print(table(["variant", "median", "/ f"],
                    [[k, fmt_time(v["median_s"]), fmt_ratio(ratio(var, k, "f (NumPy)"))]
                     for k, v in var.items()]))
        if ELEMENTWISE in cases:
            result["profile"] = hot_spots(cases[ELEMENTWISE], 3)
            print_hot_spots("cProfile of chainrule.elementwise_grad(f)(x), per call:",
                            result["profile"])
    print("wrote", write_results("ad_elementwise", result))


if __name__ == "__main__":
    main()
