"""The web explorer's JSON API: every endpoint, its limits, and bad requests answered 4xx.

Runs the Starlette app in-process (``TestClient``); the browser tests are in
``test_web_e2e.py`` and the load test in ``test_web_load.py``.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chainrule.cli.diff_command import DiffRequest, run_diff
from chainrule.cli.main import app as cli_app
from chainrule.limits.runner import Runner, TimeLimit, call_with_deadline
from chainrule.web import create_app
from chainrule.web.api import HANDLERS
from chainrule.web.validate import LIMITS, MAX_BODY_BYTES, MAX_EXPR_CHARS, MAX_NESTING

with warnings.catch_warnings():  # Starlette's TestClient may warn that it prefers httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx.*")

BASE = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(warm_up=False), base_url=BASE)


def post(client, name, body):
    if isinstance(body, str):  # raw JSON text
        return client.post(f"/api/{name}", content=body,
                           headers={"content-type": "application/json"})
    return client.post(f"/api/{name}", json=body)


def ok(client, name, body):
    r = post(client, name, body)
    assert r.status_code == 200, r.text
    return r.json()


# -- the page and its files ------------------------------------------------------------

def test_page_and_static_files_are_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    # the vendored JSXGraph holds an eval (JessieCode); the policy must keep it switched off
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy.split("script-src")[1]
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert src.startswith(("/", "#", "data:")), f"{src} is not served by the package"
    for name in ("app.js", "style.css"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and len(r.text) > 1000
        assert "http://" not in r.text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in r.text
    assert client.get("/static/nothing.js").status_code == 404


def test_api_index_and_limits(client):
    index = client.get("/api").json()
    # /api/tutor where the line-by-line tutor engine is installed
    tutor = {"tutor"} if "tutor" in HANDLERS else set()
    assert set(index["endpoints"]) == {f"/api/{n}" for n in
                                       {"parse", "diff", "steps", "plot", "check", "answer",
                                        "graph", "quotients", "taylor", "step_errors",
                                        "mc_integrate", "log_steps", "tutor_plan",
                                        "surface", "hessian", "jacobian", "optimize"} | tutor}
    limits = client.get("/api/limits").json()
    assert limits["max_order"] == LIMITS["max_order"] and limits["time_limit_s"] > 0


# -- each endpoint ---------------------------------------------------------------------

def test_parse(client):
    res = ok(client, "parse", {"expr": "sin^2 x"})
    assert res["interpreted"] == "sin(x)^2" and res["variables"] == ["x"]
    assert res["mathml"].startswith("<math") and "<msup>" in res["mathml"]


@pytest.mark.parametrize("body", [
    {"expr": "x^x"},
    {"expr": "x^x", "steps": True, "at": "x=2"},
    {"expr": "x^2 y", "wrt": "y", "order": 2, "at": {"x": 2, "y": 1}},
    {"expr": "sin(x)^2", "order": 3, "detail": "brief", "method": "direct", "steps": True,
     "hide": ["Chain rule"]},
])
def test_diff_returns_what_the_command_line_prints(client, body):
    res = ok(client, "diff", body)
    at = body.get("at")
    if isinstance(at, dict):
        at = ",".join(f"{k}={float(v)!r}" for k, v in at.items())
    want = run_diff(DiffRequest(body["expr"], body.get("wrt"), body.get("order", 1), at,
                                body.get("steps", False), ",".join(body.get("hide", [])),
                                body.get("detail", "normal"), body.get("method", "auto"),
                                "json"))
    assert res == json.loads(json.dumps(want))
    args = ["diff", body["expr"], "--format", "json", "--order", str(body.get("order", 1))]
    if body.get("wrt"):
        args += ["--wrt", body["wrt"]]
    if at:
        args += ["--at", at]
    if body.get("steps"):
        args += ["--steps"]
    if "hide" in body:
        args += ["--hide", ",".join(body["hide"])]
    args += ["--detail", body.get("detail", "normal"), "--method", body.get("method", "auto")]
    cli = CliRunner().invoke(cli_app, args)
    assert cli.exit_code == 0, cli.output
    assert set(json.loads(cli.stdout)) == set(res)


def test_diff_value_at_a_number(client):
    res = ok(client, "diff", {"expr": "x^x", "at": 2})
    assert res["derivative"] == "x^x*(ln(x) + 1)"
    assert res["value"] == pytest.approx(4 * (math.log(2) + 1))


def test_steps_with_mathml_and_hidden_rules(client):
    res = ok(client, "steps", {"expr": "x^x"})
    assert res["derivative"] == "x^x*(ln(x) + 1)"
    assert "Logarithmic differentiation" in res["rules"]
    assert res["mathml"].startswith("<math") and "<mfrac>" in res["mathml"]
    tree = json.dumps(res["orders"])
    assert "Logarithmic differentiation" in tree and "Product rule" in tree
    hidden = ok(client, "steps", {"expr": "x^x", "hide": ["Product rule"]})
    tree = json.dumps(hidden["orders"])
    assert '"rule": "Product rule"' not in tree and "Logarithm rule" in tree
    assert hidden["hidden"] == ["Product rule", "Identity rule"]  # the second: detail normal
    second = ok(client, "steps", {"expr": "x^3", "order": 2, "detail": "full"})
    assert second["derivative"] == "6x" and len(second["orders"]) == 2
    assert second["orders"][1]["title"] == "Second derivative"


def test_plot_of_x_to_the_x(client):
    res = ok(client, "plot", {"expr": "x^x", "from": -1, "to": 3, "points": 401})
    assert len(res["x"]) == len(res["f"]) == len(res["df"]) == len(res["lnf"]) == 401
    assert res["f"][0] is not None  # (-1)^(-1) = -1
    assert res["f"][50] is None  # x = -0.5: undefined, a gap
    assert [p["kind"] for p in res["critical_points"]] == ["min"]
    assert res["critical_points"][0]["x"] == pytest.approx(math.exp(-1), abs=1e-9)


def test_plot_gaps_at_poles(client):
    res = ok(client, "plot", {"expr": "1/x", "from": -2, "to": 2, "points": 400})
    middle = 199  # the segment from x = -0.005 to x = 0.005 crosses the pole
    assert res["breaks"]["f"] == [middle]
    tan = ok(client, "plot", {"expr": "tan(x)", "from": -4, "to": 4, "points": 801})
    assert len(tan["breaks"]["f"]) == 2 and tan["critical_points"] == []
    square = ok(client, "plot", {"expr": "x^2", "from": -1, "to": 1, "points": 201})
    assert square["lnf"][100] is None  # ln|f| is not defined where f = 0
    assert square["breaks"] == {"f": [], "lnf": [], "df": []}


def test_plot_of_several_variables_needs_their_values(client):
    r = post(client, "plot", {"expr": "x^2 y", "wrt": "x"})
    assert r.status_code == 422 and "give values for y" in r.json()["error"]
    res = ok(client, "plot", {"expr": "x^2 y", "wrt": "x", "at": {"y": 2}, "points": 5,
                              "from": -1, "to": 1})
    assert res["f"] == [2.0, 0.5, 0.0, 0.5, 2.0]


def test_three_way_check(client):
    res = ok(client, "check", {"expr": "x^x", "at": math.exp(-1)})
    assert res["value_at"]["reliable"]
    assert abs(res["value_at"]["value"]) <= 1e-15  # x^x(ln x + 1) at 1/e: 0
    far = ok(client, "check", {"expr": "sin(1e22 x)", "at": 1})
    assert far["value_at"]["computed_with"].endswith("digits")
    assert far["value_at"]["value"] == pytest.approx(5.232147853951389e21, rel=1e-12)
    assert res["agree"] and abs(res["symbolic"]) < 1e-12
    assert res["forward"] == pytest.approx(0, abs=1e-12)
    assert res["reverse"] == pytest.approx(0, abs=1e-12)
    assert res["numeric"]["status"] == "converged"
    assert res["f"] == pytest.approx(math.exp(-1 / math.e))
    assert res["lnf"] == pytest.approx(-1 / math.e)
    kink = ok(client, "check", {"expr": "abs(x)", "at": 0})
    assert not kink["agree"] and "kink" in kink["numeric"]["status"]
    partial = ok(client, "check", {"expr": "x^2 y", "wrt": "y", "at": {"x": 3, "y": 1}})
    assert partial["symbolic"] == partial["forward"] == partial["reverse"] == 9.0


def test_answer(client):
    wrong = ok(client, "answer", {"expr": "x^x", "answer": "x*x^(x-1)"})
    assert not wrong["equivalent"] and wrong["mistake"] == "power_rule_on_variable_exponent"
    assert wrong["correct"] == "x^x*(ln(x) + 1)" and "<math" in wrong["correct_mathml"]
    right = ok(client, "answer", {"expr": "x^x", "answer": "x^x ln(x) + x^x"})
    assert right["equivalent"]


def test_graph_of_seed_003s_neuron(client):
    res = ok(client, "graph", {"expr": "(relu(w*x + b) - y)^2",
                               "at": {"w": 3, "x": 2, "b": 0, "y": 1}})
    nodes = {n["name"]: n for n in res["nodes"]}
    assert [n["name"] for n in res["nodes"][:4]] == ["w", "x", "b", "y"]
    assert nodes["L"]["value"] == 25 and nodes["L"]["output"]
    assert res["gradient"] == {"w": 20, "x": 30, "b": 10, "y": -10}
    ops = [n["op"] for n in res["nodes"] if not n["input"]]
    assert ops == ["mul", "add", "relu", "subtract", "pow"] or "relu" in ops
    assert len(res["edges"]) == len(res["nodes"]) - 1
    text = ok(client, "graph", {"expr": "x*y", "at": "x=2, y=3"})
    assert text["gradient"] == {"x": 3, "y": 2}


# -- bad requests: 4xx with a clear message, never a 500 or a traceback ----------------

RAW = [
    # (body bytes, content type, status, words in the message)
    (b"{bad json", "application/json", 400, "not valid JSON"),
    (b"", "application/json", 400, "empty"),
    (b"[1, 2]", "application/json", 400, "JSON object"),
    (b'"x^x"', "application/json", 400, "JSON object"),
    (b'{"expr": "x"}', "text/plain", 415, "Content-Type: application/json"),
    (b'{"expr": NaN}', "application/json", 400, "NaN"),
    (b'{"expr": "\xff"}', "application/json", 400, "UTF-8"),
    (b"[" * 30000 + b"]" * 30000, "application/json", 400, "nested too deeply"),
    (b'{"expr": "' + b"x+" * (MAX_BODY_BYTES // 2) + b'x"}', "application/json", 413,
     "limit"),
]


@pytest.mark.parametrize("body, ctype, status, words", RAW, ids=[r[3] for r in RAW])
def test_malformed_bodies(client, body, ctype, status, words):
    r = client.post("/api/diff", content=body, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert words in r.json()["error"]


BAD = [
    ("diff", {}, 422, "missing field 'expr'"),
    ("diff", {"expr": 42}, 422, "must be a string"),
    ("diff", {"expr": "x", "oder": 2}, 422, "unknown field 'oder'"),
    ("diff", {"expr": "sin(x"}, 422, "missing ')'"),
    ("diff", {"expr": "x" * (MAX_EXPR_CHARS + 1)}, 413, "the limit is"),
    ("diff", {"expr": "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)}, 422,
     "nested more than"),
    ("diff", {"expr": "   "}, 422, "empty"),
    ("diff", {"expr": "x", "order": 99}, 422, "between 0 and 10"),
    ("diff", {"expr": "x", "order": 1.5}, 422, "whole number"),
    ("diff", {"expr": "x", "order": True}, 422, "whole number"),
    ("diff", {"expr": "x", "wrt": "x+1"}, 422, "variable name"),
    ("diff", {"expr": "x", "steps": "yes"}, 422, "true or false"),
    ("diff", {"expr": "x", "detail": "max"}, 422, "one of full, normal, brief"),
    ("diff", {"expr": "ln(x)", "at": "x=-1"}, 422, "ln"),
    ("diff", {"expr": "x y"}, 422, "several variables"),
    ("diff", {"expr": "x", "at": "x2"}, 422, "VAR=VALUE"),
    ("diff", '{"expr": "x", "at": {"x": 1e400}}', 422, "finite number"),
    ("diff", {"expr": "x", "hide": 3}, 422, "list of rule names"),
    ("steps", {"expr": "x^^2"}, 422, "syntax error"),
    ("plot", {"expr": "x", "points": 100_000}, 422, "between 2 and 2000"),
    ("plot", {"expr": "x", "from": 2, "to": 1}, 422, "less than"),
    ("plot", {"expr": "x", "from": "a"}, 422, "must be a number"),
    ("plot", {"expr": "x", "from": -1e300}, 422, "size at most"),
    ("check", {"expr": "x^x"}, 422, "missing field 'at'"),
    ("check", {"expr": "ln(x)", "at": -1}, 422, "not defined"),
    ("check", {"expr": "x y", "at": {"x": 1}}, 422, "several variables"),
    ("answer", {"expr": "x^2", "answer": "2x +"}, 422, "syntax error"),
    ("answer", {"expr": "x^2"}, 422, "missing field 'answer'"),
    ("graph", {"expr": "2 + 3", "at": {"x": 1}}, 422, "no variables"),
    ("graph", {"expr": "x*y", "at": {"x": 1}}, 422, "give a value for y"),
    ("graph", {"expr": "x", "at": [1]}, 422, "must be a number"),
]


@pytest.mark.parametrize("name, body, status, words", BAD,
                         ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_requests(client, name, body, status, words):
    r = post(client, name, body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert words in error and "Traceback" not in r.text


def test_syntax_errors_say_where(client):
    r = post(client, "parse", {"expr": "sin(x"})
    assert r.json() == {"error": "syntax error: missing ')'", "field": "expr", "column": 4,
                        "hint": "this '(' is never closed"}
    r = post(client, "answer", {"expr": "x^2", "answer": "2x +"})
    assert r.json()["field"] == "answer" and r.json()["column"] == 5  # after the "+"


def test_wrong_method_unknown_path_and_foreign_host(client):
    r = client.get("/api/diff")
    assert r.status_code == 405 and "POST" in r.json()["error"]
    r = post(client, "nothing", {"expr": "x"})
    assert r.status_code == 404 and "no endpoint" in r.json()["error"]
    r = client.post("/api/diff", json={"expr": "x"}, headers={"host": "evil.example"})
    assert r.status_code == 400 and "Host" in r.json()["error"]
    r = client.post("/api/diff", json={"expr": "x"}, headers={"host": "localhost:8765"})
    assert r.status_code == 200


def test_too_large_an_answer_is_refused():
    from chainrule.web import app as app_module
    old = app_module.MAX_RESPONSE_BYTES
    app_module.MAX_RESPONSE_BYTES = 2000
    try:
        c = TestClient(create_app(warm_up=False, workers=0), base_url=BASE)  # sees the patch
        r = post(c, "steps", {"expr": "sin(x)^cos(x)", "order": 2})
        assert r.status_code == 422 and "too large to send" in r.json()["error"]
    finally:
        app_module.MAX_RESPONSE_BYTES = old


def test_time_limit_stops_the_work():
    # A limit far below what a 10th derivative of x^x with steps takes (≥ 10 ms however fast
    # the machine, and however warm the node cache), so the outcome never depends on speed.
    app = create_app(time_limit=0.002, warm_up=False, workers=1)
    c = TestClient(app, base_url=BASE)
    pool = app.state.pool
    pool.start()
    [first] = pool.processes()  # the worker that will be killed
    r = post(c, "diff", {"expr": "x^x sin(x^x) / (1 + x^4)", "order": 10, "steps": True})
    assert r.status_code == 504 and "longer than 0.002 s" in r.json()["error"]
    assert pool.killed == 1 and not first.is_alive()  # killed, not left computing
    pool.time_limit = 10.0  # the same server goes on serving, with a fresh worker
    assert post(c, "diff", {"expr": "x^2"}).json()["derivative"] == "2x"
    [fresh] = pool.processes()
    assert fresh is not first and fresh.is_alive()
    pool.close()


def test_in_process_time_limit_stops_the_thread():
    app = create_app(time_limit=0.002, warm_up=False, workers=0)
    c = TestClient(app, base_url=BASE)
    r = post(c, "diff", {"expr": "x^x sin(x^x) / (1 + x^4)", "order": 10, "steps": True})
    assert r.status_code == 504 and "longer than 0.002 s" in r.json()["error"]
    deadline = time.monotonic() + 5  # the stopped thread ends soon after
    while time.monotonic() < deadline and any(
            t.name == "chainrule-web-job" for t in threading.enumerate()):
        time.sleep(0.05)
    assert not any(t.name == "chainrule-web-job" for t in threading.enumerate())
    assert app.state.pool.runner.stopped == 1


def test_runner_busy_and_errors():
    async def scenario():
        runner = Runner(time_limit=5, parallel=1, waiting=0)
        slow = asyncio.ensure_future(runner.run(lambda: time.sleep(0.3) or "slow"))
        await asyncio.sleep(0.05)
        from chainrule.limits.runner import Busy
        with pytest.raises(Busy):
            await runner.run(lambda: "fast")
        assert await slow == "slow"
        with pytest.raises(ZeroDivisionError):
            await runner.run(lambda: 1 / 0)
        spin = Runner(time_limit=0.2)
        with pytest.raises(TimeLimit):
            await spin.run(lambda: [None for _ in iter(int, 1)])  # forever, in Python code
        assert spin.stopped == 1

    asyncio.run(scenario())


def test_call_with_deadline():
    assert call_with_deadline(lambda: 42, 1.0) == (True, 42)
    assert call_with_deadline(lambda: [None for _ in iter(int, 1)], 0.2) == (False, None)
    with pytest.raises(ValueError):
        call_with_deadline(lambda: int("x"), 1.0)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(alphabet="x()^+-*/ sinlogexp0123456789.,=yzw_", max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["expr", "wrt", "order", "at", "steps", "hide", "from",
                                       "to", "points", "answer", "detail", "method", "x"]),
                      children, max_size=5),
    max_leaves=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["parse", "diff", "steps", "plot", "check", "answer", "graph"]),
       body=JSON_VALUES)
def test_fuzzed_requests_never_fail_with_500(name, body):
    c = _fuzz_client()
    r = c.post(f"/api/{name}", content=json.dumps(body),
               headers={"content-type": "application/json"})
    assert r.status_code < 500 or r.status_code in (503, 504), (name, body, r.text)
    if r.status_code >= 400:
        assert isinstance(r.json()["error"], str) and r.json()["error"]


_FUZZ: list[TestClient] = []


def _fuzz_client() -> TestClient:
    if not _FUZZ:
        _FUZZ.append(TestClient(create_app(time_limit=3, warm_up=False), base_url=BASE))
    return _FUZZ[0]


# -- serving -----------------------------------------------------------------------------

def test_a_port_in_use_is_one_clear_error():
    import typer

    from chainrule.cli.serve_command import register
    from chainrule.errors import ChainruleError
    from chainrule.web.server import bind, is_loopback, url_of

    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        assert url_of(taken) == f"http://127.0.0.1:{port}/"
        with pytest.raises(ChainruleError, match="already in use"):
            bind("127.0.0.1", port)
        app = typer.Typer()
        register(app)

        @app.command("other")
        def other() -> None:  # a second command, so that typer keeps "serve" as a name
            """Nothing."""

        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
        assert result.exit_code == 2
        assert "already in use" in result.output and "Traceback" not in result.output
    finally:
        taken.close()
    with pytest.raises(ChainruleError, match="between 0 and 65535"):
        bind("127.0.0.1", 70000)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")


def test_big_derivations_are_cut_not_refused(client):
    res = ok(client, "steps", {"expr": "sin(x)^cos(x)*tan(x)^x", "order": 5})
    assert res["truncated"] and res["shown"] == 400

    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n.get("substeps", []))

    steps = list(walk(res["orders"]))
    assert any(s["mathml"] is None for s in steps)  # too large to draw: text only
    assert all(len(s["statement"]) <= 4002 for s in steps)


def test_a_bug_is_a_500_with_one_line_and_no_traceback(monkeypatch):
    from chainrule.web import api

    def broken(data):
        raise KeyError("a bug")

    monkeypatch.setitem(api.HANDLERS, "parse", broken)
    c = TestClient(create_app(warm_up=False, workers=0), base_url=BASE,
                   raise_server_exceptions=False)
    r = post(c, "parse", {"expr": "x"})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (KeyError); please report it"}


def test_warm_up_runs_as_a_job():
    with TestClient(create_app(), base_url=BASE) as c:  # the lifespan starts the warm-up
        assert post(c, "diff", {"expr": "x^x"}).status_code == 200


def test_quotients_approach_the_derivative(client):
    r = post(client, "quotients", {"expr": "e^x sin(x)", "at": 0.7, "h": 0.25})
    assert r.status_code == 200
    data = r.json()
    fx = math.exp(0.7) * math.sin(0.7)  # independent oracle: the math module
    exact = math.exp(0.7) * (math.sin(0.7) + math.cos(0.7))
    assert data["quotient"] == pytest.approx((math.exp(0.95) * math.sin(0.95) - fx) / 0.25)
    assert data["slope"] == pytest.approx(exact)
    assert [row["h"] for row in data["table"]] == [10.0 ** -k for k in range(9)]
    errors = [row["error"] for row in data["table"]]
    assert errors[0] > errors[3] > errors[5]  # truncation error shrinks with h
    for body, message in (({"expr": "x^2", "at": 1, "h": 0}, "h must not be 0"),
                          ({"expr": "ln(x)", "at": -1}, "not defined"),
                          ({"expr": "x^2"}, "at")):
        r = post(client, "quotients", body)
        assert r.status_code == 422 and message in r.json()["error"], r.text


def test_taylor_polynomials_against_sympy(client):
    sympy = pytest.importorskip("sympy")
    r = post(client, "taylor", {"expr": "ln(1 + x)", "about": 0.5, "order": 4, "points": 5})
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data["polynomials"]) == len(data["p"]) == 5
    x = sympy.Symbol("x")
    series = sympy.series(sympy.log(1 + x), x, sympy.Rational(1, 2), 5).removeO()
    for i, xi in enumerate(data["x"]):
        assert data["p"][4][i] == pytest.approx(float(series.subs(x, xi)), rel=1e-9, abs=1e-12)
    assert data["f"][-1] == pytest.approx(math.log(1 + data["x"][-1]))
    for body, message in (({"expr": "x", "order": 9}, "order"),
                          ({"expr": "ln(x)", "about": 0}, "not defined"),
                          ({"expr": "x", "from": 2, "to": 1}, "'from' must be less")):
        r = post(client, "taylor", body)
        assert r.status_code == 422 and message in r.json()["error"], r.text


def test_step_errors_trade_off(client):
    r = post(client, "step_errors", {"expr": "sin(x)", "at": 0.3})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["slope"] == pytest.approx(math.cos(0.3))  # independent oracle
    first = data["rows"][0]  # h = 0.1: truncation error, computed here
    h = first["h"]
    assert first["central"] == pytest.approx(
        abs((math.sin(0.3 + h) - math.sin(0.3 - h)) / (2 * h) - math.cos(0.3)), rel=1e-6)
    assert data["best"]["central"]["error"] < data["best"]["forward"]["error"]
    r = post(client, "step_errors", {"expr": "ln(x)", "at": -1})
    assert r.status_code == 422 and "no derivative" in r.json()["error"]


def test_a_run_together_name_is_said_so(client):
    res = ok(client, "parse", {"expr": "xsinx"})
    assert res["variables"] == ["xsinx"]
    assert "read as one variable" in res["note"] and "x sin x" in res["note"]
    assert ok(client, "parse", {"expr": "x sin x"})["interpreted"] == "x*sin(x)"
    assert "note" not in ok(client, "parse", {"expr": "x sin x"})


def test_several_variables_use_the_partial_sign(client):
    several = ok(client, "steps", {"expr": "x^2 y", "wrt": "x"})["mathml"]
    one = ok(client, "steps", {"expr": "x^2"})["mathml"]
    assert "<mi>∂</mi>" in several and "<mi>d</mi>" not in several
    assert "<mi>d</mi>" in one and "∂" not in one
