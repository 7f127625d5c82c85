"""The example notebooks run from top to bottom in a Jupyter kernel, with rich outputs.

Each notebook asserts its own key numbers, so executing it is the test. The kernel is this
interpreter (``sys.executable``), declared in a kernelspec written to a temporary folder, so
nothing has to be installed for the user and no other Python is picked up by accident.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402 - after the skips
from jupyter_client.manager import KernelManager  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell: generous, since the test machine may be busy
KERNEL = "chainrule-test"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory) -> KernelSpecManager:
    folder = tmp_path_factory.mktemp("kernels") / KERNEL
    folder.mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "chainrule test kernel", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    manager = KernelSpecManager(kernel_dirs=[str(folder.parent)], ensure_native_kernel=False)
    assert manager.get_kernel_spec(KERNEL).argv[0] == sys.executable
    return manager


def test_there_is_a_notebook_per_seed_section():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


def test_committed_notebooks_match_their_source():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_notebooks
    finally:
        sys.path.remove(str(EXAMPLES))
    assert sorted(make_notebooks.NOTEBOOKS) == [p.name for p in NOTEBOOKS]
    for name, cells in make_notebooks.NOTEBOOKS.items():
        committed = (EXAMPLES / name).read_text(encoding="utf-8")
        assert committed == make_notebooks.render(cells), f"regenerate {name}"
        nb = nbformat.reads(committed, as_version=4)
        nbformat.validate(nb)
        assert all(c.get("outputs", []) == [] for c in nb.cells), "no outputs are committed"


def _mime_types(cell) -> set[str]:
    return {m for out in cell.get("outputs", []) for m in out.get("data", {})}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_with_rich_outputs(path, kernel_specs, tmp_path):
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = nbclient.NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, allow_errors=False,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # the cells ending in an expression, a step tree or a result object display it richly
    rich = [c for c in code if _mime_types(c) & {"text/html", "text/latex"}]
    assert len(rich) >= 3
    for cell in code:
        last = cell.source.strip().splitlines()[-1]
        if last in ("f", "d", "d.result", "dy", "three", "q", "score") or \
                last.startswith("cr.steps(") or last.startswith("cr.diff("):
            assert {"text/html", "text/latex"} <= _mime_types(cell), cell.source
        if last == "fig":
            assert "image/png" in _mime_types(cell)
    html = "".join(o.get("data", {}).get("text/html", "") for c in code for o in c.outputs)
    assert "<math" in html
    if path.name.startswith("01"):
        assert "<details" in html and "Take ln of both sides" in html
