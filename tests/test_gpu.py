"""chainrule on GPU arrays (PyTorch CUDA tensors, CuPy arrays); skipped without a GPU.

Each result must stay on the GPU, in the input's dtype, and equal PyTorch's own autograd (or
the closed form) for the same function.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")
pytest.importorskip("array_api_compat")
CUDA = torch.cuda.is_available()
pytestmark = pytest.mark.skipif(not CUDA, reason="no CUDA GPU")


def _cuda(a, dtype=None):
    return torch.asarray(np.asarray(a), dtype=dtype or torch.float64, device="cuda")


def test_logistic_gradient_on_cuda_tensors():
    rng = np.random.default_rng(0)
    X, y = _cuda(rng.standard_normal((1000, 5))), _cuda(rng.uniform(size=1000) < 0.5)
    w0 = _cuda(rng.standard_normal(5))

    def loss(w):
        return np.sum(np.logaddexp(0.0, X @ w) - y * (X @ w))
    g = chainrule.grad(loss)(w0)
    w = w0.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(torch.sum(torch.logaddexp(torch.zeros_like(X @ w), X @ w)
                                                - y * (X @ w)), w)
    assert g.is_cuda and g.dtype == torch.float64
    torch.testing.assert_close(g, expected, rtol=1e-10, atol=1e-12)


def test_float32_jvp_and_hessian_stay_on_the_gpu():
    x = _cuda([0.3, 1.1, 2.0], torch.float32)
    value, tangent = chainrule.jvp(lambda v: np.sin(v) * v, (x,), (torch.ones_like(x),))
    assert tangent.is_cuda and tangent.dtype == torch.float32
    torch.testing.assert_close(tangent, torch.cos(x) * x + torch.sin(x))
    h = chainrule.hessian(lambda v: (np.exp(v) * v).sum())(_cuda([0.5, -1.0]))
    assert h.is_cuda
    torch.testing.assert_close(h.cpu(), torch.diag(torch.exp(torch.tensor([0.5, -1.0],
                                                    dtype=torch.float64)) * torch.tensor(
                                                    [2.5, 1.0], dtype=torch.float64)))


def test_cupy_gradient():
    cp = pytest.importorskip("cupy")
    x = cp.asarray([0.5, 1.5, 2.5])
    g = chainrule.grad(lambda v: (v**v + np.sin(v) ** v).sum())(x)
    assert isinstance(g, cp.ndarray)
    v = np.array([0.5, 1.5, 2.5])
    expected = v**v * (np.log(v) + 1) + np.sin(v) ** v * (np.log(np.sin(v)) + v / np.tan(v))
    np.testing.assert_allclose(cp.asnumpy(g), expected, rtol=1e-12)


def test_mixed_devices_are_refused_clearly():
    with pytest.raises(Exception, match="device|cuda|cpu"):
        chainrule.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(
            _cuda([1.0, 2.0]), torch.ones(2, dtype=torch.float64))
