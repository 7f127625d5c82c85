"""The computation-graph view: seed 003's neuron and branching example, three renderings."""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess

import numpy as np
import pytest

import chainrule.explain.graph as graph_module
from chainrule.autodiff.api import grad, vjp
from chainrule.errors import ChainruleError
from chainrule.explain.graph import MAX_NODES, computation_graph

NEURON_NAMES = ["w", "x", "b", "y", "wx", "g", "a", "e", "L"]


def neuron(w, x, b, y):
    """Seed 003: x → g = wx + b → a = ReLU(g) → L = (a − y)²."""
    return (np.maximum(w * x + b, 0.0) - y) ** 2


@pytest.fixture
def neuron_graph():
    return computation_graph(neuron, 3.0, 2.0, 0.0, 1.0, names=NEURON_NAMES)


def test_neuron_forward_values_and_adjoints(neuron_graph):
    g = neuron_graph
    values = {n.name: float(n.value) for n in g.nodes}
    assert values == {"w": 3, "x": 2, "b": 0, "y": 1, "wx": 6, "g": 6, "a": 6, "e": 5, "L": 25}
    adjoints = {n.name: float(n.adjoint) for n in g.nodes}
    # dL/de = 2e = 10 flows unchanged through sub, ReLU (active) and add; then × x, × w.
    assert adjoints == {"L": 1, "e": 10, "a": 10, "y": -10, "g": 10, "wx": 10, "b": 10,
                        "w": 20, "x": 30}
    assert g["a"].label == "a = maximum(g, 0)"
    assert g["a"].prim == "maximum" and g["w"].prim is None and g["w"].is_input
    assert g["L"].is_output and g.out_name == "L"
    assert len(g) == 9 and len(g.edges) == 8
    local = {(g.nodes[e.source].name, g.nodes[e.target].name): e.local for e in g.edges}
    assert local[("w", "wx")] == 2 and local[("x", "wx")] == 3
    assert local[("g", "a")] == 1 and local[("y", "e")] == -1 and local[("e", "L")] == 10


def test_neuron_matches_vjp(neuron_graph):
    _, back = vjp(neuron, 3.0, 2.0, 0.0, 1.0)
    want = back(1.0)
    got = tuple(float(neuron_graph[n].adjoint) for n in "wxby")
    assert got == pytest.approx(tuple(float(v) for v in want))


def test_seed_chain_rule_example():
    """L = (wx)² at w = 3, x = 2: dL/dw = 2wx² = 24 (seed 003 §2.2)."""
    g = computation_graph(lambda w, x: (w * x) ** 2, 3.0, 2.0)
    assert [n.name for n in g.nodes] == ["w", "x", "v1", "L"]
    assert float(g["L"].value) == 36 and float(g["v1"].value) == 6
    assert float(g["w"].adjoint) == 24 and float(g["x"].adjoint) == 36
    assert float(g["v1"].adjoint) == 12 and float(g["L"].adjoint) == 1
    assert "dL/dw = dL/dv1·∂v1/∂w = 12·2 = 24" in g.text()


def test_relu_inactive_blocks_the_gradient():
    g = computation_graph(neuron, 3.0, 2.0, -10.0, 1.0, names=NEURON_NAMES)
    assert float(g["a"].value) == 0 and float(g["a"].adjoint) == -2
    assert float(g["g"].adjoint) == 0 and float(g["w"].adjoint) == 0


def test_text_walkthrough(neuron_graph):
    text = neuron_graph.text()
    forward, backward = text.split("backward")
    assert "  g = add(wx, b) = 6" in forward and "  L = pow(e, 2) = 25" in forward
    assert forward.index("wx = mul") < forward.index("g = add") < forward.index("a = max")
    assert "(dL/dL = 1)" in backward
    assert "dL/da = dL/de·∂e/∂a = 10·1 = 10" in backward
    assert "dL/dy = dL/de·∂e/∂y = 10·(-1) = -10" in backward
    assert backward.index("dL/de") < backward.index("dL/da") < backward.index("dL/dw")


def test_dot_structure(neuron_graph):
    dot = neuron_graph.dot()
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}") == 1
    declared = set(re.findall(r"^\s*(n\d+) \[", dot, re.M))
    assert len(declared) == 9
    arrows = re.findall(r"^\s*(n\d+) -> (n\d+)(.*);$", dot, re.M)
    assert len(arrows) == dot.count("->") == 16
    assert all(a in declared and b in declared for a, b, _ in arrows)
    dashed = [a for a in arrows if "style=dashed" in a[2]]
    assert len(dashed) == 8
    assert all('label="dL/d' in a[2] for a in dashed)
    forward = {(a, b) for a, b, rest in arrows if "dashed" not in rest}
    assert {(b, a) for a, b, _ in dashed} == forward  # each backward edge reverses one
    assert 'label="dL/da = 10"' in dot and 'label="∂wx/∂w = 2"' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_dot_renders_with_graphviz(neuron_graph):
    run = subprocess.run(["dot", "-Tsvg"], input=neuron_graph.dot(), text=True,
                         capture_output=True, check=False)
    assert run.returncode == 0, run.stderr


def test_mermaid(neuron_graph):
    mermaid = neuron_graph.mermaid()
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(1 for line in lines if re.fullmatch(r"\s*n\d+ --> n\d+", line)) == 8
    dashed = [line for line in lines if re.fullmatch(r'\s*n\d+ -\. "[^"]+" \.-> n\d+', line)]
    assert len(dashed) == 8
    assert '-. "dL/da = 10" .->' in mermaid and '-. "dL/dw = 20" .->' in mermaid
    assert '["a = maximum(g, 0) = 6"]' in mermaid


def test_branching_sums_over_paths():
    """u = x², v = 3x, z = u + v: x feeds two routes, dz/dx = 2x + 3 (seed 003 §2.2)."""
    for x in (2.0, 1.5, -4.0):
        g = computation_graph(lambda x: x ** 2 + 3 * x, x, names=["x", "u", "v", "z"])
        assert g["u"].label == "u = pow(x, 2)" and g["v"].label == "v = mul(3, x)"
        out_of_x = [e for e in g.edges if e.source == g["x"].id]
        assert sorted(g.nodes[e.target].name for e in out_of_x) == ["u", "v"]
        assert sorted(float(e.flow) for e in out_of_x) == sorted([2 * x, 3.0])
        assert float(g["x"].adjoint) == pytest.approx(2 * x + 3)
        assert float(g["z"].value) == pytest.approx(x ** 2 + 3 * x)
    text = computation_graph(lambda x: x ** 2 + 3 * x, 2.0, names=["x", "u", "v", "z"]).text()
    assert "dz/dx = dz/du·∂u/∂x + dz/dv·∂v/∂x = 1·4 + 1·3 = 7" in text
    mermaid = computation_graph(lambda x: x ** 2 + 3 * x, 2.0, names=["x", "u", "v", "z"]
                                ).mermaid()
    assert '-. "dz/dx += 4" .->' in mermaid and '-. "dz/dx += 3" .->' in mermaid


def test_repeated_argument_is_one_edge():
    g = computation_graph(lambda x: x * x, 3.0)
    assert len(g.edges) == 1 and g.edges[0].local == 6 and float(g["x"].adjoint) == 6


def test_arrays_shown_by_shape():
    def f(W, v):
        return np.sum(np.tanh(W @ v)[0:2] ** 2)

    W, v = np.arange(6.0).reshape(3, 2) / 10, np.array([1.0, -1.0])
    g = computation_graph(f, W, v)
    dW, dv = grad(f, argnums=(0, 1))(W, v)
    np.testing.assert_allclose(g["W"].adjoint, dW)
    np.testing.assert_allclose(g["v"].adjoint, dv)
    assert all(e.local is None for e in g.edges)
    text = g.text()
    assert "W = array(3, 2)" in text and "v3 = v2[0:2] = array(2,)" in text
    assert "L = sum(v4)" in text


def test_nested_inputs_and_unused_inputs():
    g = computation_graph(lambda p, q: p["w"] * p["b"][0], {"w": 2.0, "b": (5.0,)}, 1.0)
    assert float(g["p['w']"].adjoint) == 5 and float(g["p['b'][0]"].adjoint) == 2
    assert float(g["q"].adjoint) == 0 and "dL/dq = 0 (not used)" in g.text()


def test_errors():
    with pytest.raises(ChainruleError, match="does not depend"):
        computation_graph(lambda x: 3.0, 1.0)
    with pytest.raises(ChainruleError, match="distinct"):
        computation_graph(lambda x, y: x * y, 1.0, 2.0, names=["a", "a"])
    with pytest.raises(ChainruleError, match="names given"):
        computation_graph(lambda x: x * 2, 1.0, names=["a", "b", "c"])


def test_large_graph_refused_by_text_views():
    def long_chain(x):
        for _ in range(MAX_NODES):
            x = x * 1.001
        return x

    g = computation_graph(long_chain, 1.0)
    assert len(g) == MAX_NODES + 1
    assert float(g["x"].adjoint) == pytest.approx(1.001 ** MAX_NODES)
    for view in (g.text, g.dot, g.mermaid):
        with pytest.raises(ChainruleError, match="at most 500"):
            view()


def test_module_docstring_example():
    failures, _ = doctest.testmod(graph_module)
    assert failures == 0
