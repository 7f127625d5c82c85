"""GPU figures: chainrule on CUDA arrays against JAX-jit and PyTorch, in one short run.

Workloads (float64, medians of timed repeats, each call synchronised with the device):

* W2  gradient of the logistic loss mean(logaddexp(0, −y·Xw)), N = 10⁶, d = 100: one read of
  X (a reduction over it, the floor), ``jax.jit(jax.grad)``, PyTorch eager autograd,
  ``torch.compile`` of ``torch.func.grad`` (skipped past 90 s of compiling), chainrule eager
  on torch CUDA tensors, chainrule on CuPy arrays;
* W4  elementwise derivative of x^x + sin(x)^x on 10⁷ points: JAX-jit, torch eager, chainrule;
* MC  a score-function estimate of d/dμ E[(z − 3)²], z ~ N(μ, 2), from 10⁸ samples: JAX-jit,
  torch, chainrule (torch's samples, chainrule differentiating the log-density on the GPU).

Every chainrule row is checked against PyTorch's value (and must return a CUDA array of
float64). Then the GPU tests (``tests/test_gpu.py``) run. Prints a markdown table; with $OUT
set, writes ``$OUT/gpu.json``. ``--cpu-dry-run`` runs everything at small sizes on the CPU (to
check the script itself); ``--vendor DIR`` puts DIR on sys.path first (e.g. for
array-api-compat on a machine without it).

Run: ``python bench/gpu.py`` (on the GPU machine), ``python bench/gpu.py --cpu-dry-run``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# JAX takes 75% of the GPU's memory at start by default; PyTorch and CuPy need theirs too
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
os.environ.setdefault("JAX_ENABLE_X64", "1")  # float64 throughout, as the other rows


def _prepare_path(vendor: str | None) -> list[str]:
    """src/ (and a vendor folder) on sys.path; a stand-in for Lark if it is missing (the AD
    path imports the parser module but never parses). Returns notes for the report."""
    notes = []
    if vendor:
        sys.path.insert(0, str(Path(vendor).resolve()))
    sys.path.insert(0, str(ROOT / "src"))
    try:
        import lark  # noqa: F401
    except ImportError:
        stub = types.ModuleType("lark")
        for name in ("Lark", "Token", "Tree", "Transformer"):
            setattr(stub, name, type(name, (), {}))
        exceptions = types.ModuleType("lark.exceptions")
        for name in ("UnexpectedCharacters", "UnexpectedToken", "UnexpectedInput", "LarkError"):
            setattr(exceptions, name, type(name, (Exception,), {}))
        stub.exceptions = exceptions
        sys.modules["lark"], sys.modules["lark.exceptions"] = stub, exceptions
        notes.append("lark missing: a stand-in module was used (no parsing is needed here)")
    try:
        import array_api_compat  # noqa: F401
    except ImportError:
        notes.append(_scipy_array_api_compat())
    return notes


def _scipy_array_api_compat() -> str:
    """SciPy vendors array-api-compat (scipy._lib.array_api_compat): use that copy under the
    package's own name when the package is not installed (a GPU machine without internet)."""
    import importlib
    import pkgutil
    try:
        vendored = importlib.import_module("scipy._lib.array_api_compat")
    except ImportError:
        return "array-api-compat missing and SciPy has no copy: chainrule rows will fail"
    sys.modules["array_api_compat"] = vendored
    for info in pkgutil.walk_packages(vendored.__path__, "scipy._lib.array_api_compat."):
        if info.name.split(".")[-1] in ("cupy", "torch", "dask") or ".cupy." in info.name \
                or ".torch." in info.name or ".dask." in info.name:
            continue  # imported on first use below, only if that library is present
        module = importlib.import_module(info.name)
        sys.modules[info.name.replace("scipy._lib.", "", 1)] = module
    for lib in ("numpy", "torch", "cupy", "dask"):
        try:
            module = importlib.import_module(f"scipy._lib.array_api_compat.{lib}")
        except ImportError:
            continue
        sys.modules[f"array_api_compat.{lib}"] = module
    return "array-api-compat missing: SciPy's vendored copy was used"


def timed(fn, sync, repeats: int) -> float:
    """Median seconds of ``fn()`` (after two warm-up calls), synchronised with the device."""
    for _ in range(2):
        fn()
        sync()
    times = []
    for _ in range(repeats):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class Bench:
    """The rows measured so far and the checks made."""

    def __init__(self, repeats: int):
        self.repeats = repeats
        self.rows: list[dict] = []
        self.notes: list[str] = []

    def row(self, workload: str, name: str, fn, sync, reference: str | None = None) -> None:
        try:
            seconds = timed(fn, sync, self.repeats)
        except Exception as e:  # noqa: BLE001 - one failed row must not stop the run
            self.notes.append(f"{workload} / {name}: {type(e).__name__}: {e}"[:400])
            return
        self.rows.append({"workload": workload, "row": name, "ms": seconds * 1e3,
                          "reference": reference})

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        self.notes.append(f"check {what}: {'ok' if ok else 'FAILED'} {detail}".strip())

    def table(self) -> str:
        ms = {(r["workload"], r["row"]): r["ms"] for r in self.rows}
        lines = ["| workload | row | median ms | ratio to |", "| --- | --- | ---: | --- |"]
        for r in self.rows:
            ref = r["reference"]
            ratio = (f"{r['ms'] / ms[(r['workload'], ref)]:.2f}x {ref}"
                     if ref and (r["workload"], ref) in ms else "")
            lines.append(f"| {r['workload']} | {r['row']} | {r['ms']:.3f} | {ratio} |")
        return "\n".join(lines)


def _close(a, b, rtol=1e-8) -> bool:
    import numpy as np
    return bool(np.allclose(_host(a), _host(b), rtol=rtol, atol=1e-12))


def _host(x):
    import numpy as np
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    if hasattr(x, "get"):
        return x.get()
    return np.asarray(x)


def w2(b: Bench, libs: dict, n: int, d: int) -> None:
    torch, chainrule, np = libs["torch"], libs["chainrule"], libs["numpy"]
    from array_api_compat import array_namespace
    dev, sync = libs["device"], libs["sync"]
    gen = torch.Generator(device=dev).manual_seed(0)
    X = torch.randn(n, d, dtype=torch.float64, device=dev, generator=gen)
    y = torch.where(torch.rand(n, device=dev, generator=gen) < 0.5, -1.0, 1.0).double()
    w0 = torch.randn(d, dtype=torch.float64, device=dev, generator=gen) * 0.1
    W = "W2 logistic grad"
    b.row(W, "one read of X", lambda: X.sum(), sync)

    def loss_t(w):
        return torch.logaddexp(torch.zeros((), dtype=w.dtype, device=w.device),
                               -y * (X @ w)).mean()

    def torch_grad():
        w = w0.detach().requires_grad_(True)
        return torch.autograd.grad(loss_t(w), w)[0]
    expected = torch_grad()
    b.row(W, "torch eager", torch_grad, sync, "one read of X")

    def loss_xp(w, X, y):
        ns = array_namespace(w)  # the recording namespace while w is traced
        return ns.mean(np.logaddexp(0.0, -(ns.matmul(X, w) * y)))

    cr = chainrule.grad(loss_xp)
    g = cr(w0, X, y)
    b.check("W2 chainrule on torch", _close(g, expected) and str(g.device) == str(X.device)
            and g.dtype == torch.float64, f"device {g.device}, dtype {g.dtype}")
    b.row(W, "chainrule eager (torch)", lambda: cr(w0, X, y), sync, "torch eager")
    if "jax" in libs:
        jax, jnp = libs["jax"], libs["jnp"]
        Xj, yj, wj = (jnp.asarray(_host(a)) for a in (X, y, w0))
        jg = jax.jit(jax.grad(lambda w: jnp.mean(jnp.logaddexp(0.0, -yj * (Xj @ w)))))
        b.check("W2 JAX", _close(jg(wj), expected))
        b.row(W, "JAX-jit", lambda: jg(wj).block_until_ready(), sync, "one read of X")
        b.row(W, "chainrule eager (JAX)", lambda: cr(wj, Xj, yj).block_until_ready(), sync,
              "JAX-jit")
    if "cupy" in libs:
        cp = libs["cupy"]
        Xc, yc, wc = (cp.asarray(_host(a)) for a in (X, y, w0))
        gc = cr(wc, Xc, yc)
        b.check("W2 chainrule on CuPy", _close(gc, expected) and type(gc).__module__
                .startswith("cupy"), type(gc).__name__)
        b.row(W, "chainrule eager (CuPy)", lambda: cr(wc, Xc, yc), libs["cupy_sync"],
              "torch eager")
    libs["w2_data"] = (X, y, w0, loss_t)


def w2_compile(b: Bench, libs: dict) -> None:
    torch = libs["torch"]
    X, y, w0, loss_t = libs.pop("w2_data")
    W = "W2 logistic grad"
    compiled = torch.compile(torch.func.grad(loss_t))

    def alarm(*_):
        raise TimeoutError("torch.compile took over 90 s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(90)
    try:
        start = time.perf_counter()
        compiled(w0)
        libs["sync"]()
        b.notes.append(f"torch.compile: {time.perf_counter() - start:.1f} s to compile")
    except Exception as e:  # noqa: BLE001
        b.notes.append(f"torch.compile skipped: {type(e).__name__}: {e}"[:300])
        return
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    b.row(W, "torch.compile", lambda: compiled(w0), libs["sync"], "one read of X")


def w4(b: Bench, libs: dict, n: int) -> None:
    torch, chainrule, np = libs["torch"], libs["chainrule"], libs["numpy"]
    dev, sync = libs["device"], libs["sync"]
    gen = torch.Generator(device=dev).manual_seed(1)
    x0 = 0.5 + 1.5 * torch.rand(n, dtype=torch.float64, device=dev, generator=gen)
    W = "W4 elementwise d/dx"

    def torch_d():
        x = x0.detach().requires_grad_(True)
        out = x**x + torch.sin(x) ** x
        return torch.autograd.grad(out.sum(), x)[0]
    expected = torch_d()
    b.row(W, "torch eager", torch_d, sync)
    f = lambda x: x**x + np.sin(x) ** x  # noqa: E731 - the same code for every library
    ed = chainrule.elementwise_grad(f)
    g = ed(x0)
    b.check("W4 chainrule on torch", _close(g, expected) and str(g.device) == str(x0.device))
    b.row(W, "chainrule eager (torch)", lambda: ed(x0), sync, "torch eager")
    if "jax" in libs:
        jax, jnp = libs["jax"], libs["jnp"]
        xj = jnp.asarray(_host(x0))
        jd = jax.jit(jax.grad(lambda x: jnp.sum(x**x + jnp.sin(x) ** x)))
        b.check("W4 JAX", _close(jd(xj), expected))
        b.row(W, "JAX-jit", lambda: jd(xj).block_until_ready(), sync, "torch eager")
    if "cupy" in libs:
        xc = libs["cupy"].asarray(_host(x0))
        b.check("W4 chainrule on CuPy", _close(ed(xc), expected))
        b.row(W, "chainrule eager (CuPy)", lambda: ed(xc), libs["cupy_sync"], "torch eager")


def mc(b: Bench, libs: dict, n: int) -> None:
    """d/dμ E[(z − 3)²], z ~ N(μ, σ): mean of f(z)·∂ log p(z; μ, σ)/∂μ; exact 2(μ − 3)."""
    torch, chainrule = libs["torch"], libs["chainrule"]
    dev, sync = libs["device"], libs["sync"]
    mu, sigma = 1.0, 2.0
    W = "MC score function"
    gen = torch.Generator(device=dev).manual_seed(2)

    def torch_est():
        z = mu + sigma * torch.randn(n, dtype=torch.float64, device=dev, generator=gen)
        return torch.mean((z - 3.0) ** 2 * (z - mu) / sigma**2)
    b.check("MC torch", abs(float(torch_est()) + 4.0) < 6 * 2 * math.sqrt(160 / n) + 1e-3)
    b.row(W, "torch", torch_est, sync)

    def log_p(m, z):  # the Normal log-density in μ (constants dropped)
        return -((z - m) ** 2) / (2 * sigma**2)

    def chainrule_est():
        z = mu + sigma * torch.randn(n, dtype=torch.float64, device=dev, generator=gen)
        m = torch.tensor(mu, dtype=torch.float64, device=dev)
        _, back = chainrule.vjp(lambda m: log_p(m, z), m)
        return back((z - 3.0) ** 2)[0] / n  # Σ f(zᵢ) ∂ log p(zᵢ)/∂μ, one reverse pass
    est = chainrule_est()
    b.check("MC chainrule", abs(float(est) + 4.0) < 6 * 2 * math.sqrt(160 / n) + 1e-3
            and str(est.device).startswith(dev), f"{float(est):.4f} (exact -4), {est.device}")
    b.row(W, "chainrule (torch)", chainrule_est, sync, "torch")
    if "jax" in libs:
        jax, jnp = libs["jax"], libs["jnp"]

        @jax.jit
        def jax_est(key):
            z = mu + sigma * jax.random.normal(key, (n,), dtype=jnp.float64)
            return jnp.mean((z - 3.0) ** 2 * (z - mu) / sigma**2)
        key = jax.random.PRNGKey(0)
        b.row(W, "JAX-jit", lambda: jax_est(key).block_until_ready(), sync, "torch")


def load(cpu: bool) -> dict:
    import numpy
    import torch

    import chainrule
    libs = {"numpy": numpy, "torch": torch, "chainrule": chainrule}
    cuda = torch.cuda.is_available() and not cpu
    libs["device"] = "cuda" if cuda else "cpu"
    libs["sync"] = torch.cuda.synchronize if cuda else (lambda: None)
    try:
        import jax
        with contextlib.suppress(Exception):  # JAX_ENABLE_X64 does it where this is gone
            jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        if cpu or jax.default_backend() != "cpu" or not cuda:
            libs["jax"], libs["jnp"] = jax, jnp
    except Exception:  # noqa: BLE001 - JAX is optional here
        pass
    if cuda:
        try:
            import cupy
            libs["cupy"] = cupy
            libs["cupy_sync"] = cupy.cuda.Device().synchronize
        except Exception:  # noqa: BLE001
            pass
    return libs


def gpu_tests(cpu: bool) -> str:
    """tests/test_gpu.py in this process (so a stand-in array-api-compat holds there too),
    without the suite's conftest and options (the GPU machine may lack their plugins)."""
    if cpu:
        return "GPU tests: not run in a CPU dry run"
    try:
        import pytest
    except ImportError:
        return "GPU tests: pytest missing, not run"
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--noconftest", "-o", "addopts=",
                        "-rs", str(ROOT / "tests" / "test_gpu.py")])
    return f"GPU tests: pytest exit code {int(code)} (0: all passed)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu-dry-run", action="store_true", help="small sizes, on the CPU")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile row")
    ap.add_argument("--vendor", help="a folder to put first on sys.path")
    ap.add_argument("--repeats", type=int, default=None)
    opts = ap.parse_args()
    notes = _prepare_path(opts.vendor)
    cpu = opts.cpu_dry_run
    libs = load(cpu)
    b = Bench(opts.repeats or (3 if cpu else 20))
    b.notes.extend(notes)
    b.notes.append(f"device: {libs['device']}; libraries: "
                   + ", ".join(k for k in ("torch", "jax", "cupy") if k in libs))
    start = time.perf_counter()
    steps = [("W2", lambda: w2(b, libs, *((20_000, 100) if cpu else (1_000_000, 100)))),
             ("W4", lambda: w4(b, libs, 100_000 if cpu else 10_000_000)),
             ("MC", lambda: mc(b, libs, 1_000_000 if cpu else 100_000_000))]
    if not (opts.no_compile or cpu):
        steps.append(("torch.compile", lambda: w2_compile(b, libs)))
    steps.append(("GPU tests", lambda: b.notes.append(gpu_tests(cpu))))
    for name, step in steps:
        try:  # a failure is reported and the run goes on: one GPU session, no second try
            step()
        except Exception as e:  # noqa: BLE001
            b.notes.append(f"{name} FAILED: {type(e).__name__}: {e}"[:500])
        if libs["device"] == "cuda":
            libs["torch"].cuda.empty_cache()
    b.notes.append(f"total {time.perf_counter() - start:.0f} s")
    print(b.table())
    print()
    print("\n".join(f"- {n}" for n in b.notes))
    if os.environ.get("OUT"):
        Path(os.environ["OUT"], "gpu.json").write_text(json.dumps(
            {"rows": b.rows, "notes": b.notes}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
