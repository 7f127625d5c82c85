// chainrule explorer: plain JavaScript, no libraries. Talks to the JSON API of
// `chainrule serve` (docs/web-api.md); draws the plot on a <canvas> and the graph in SVG.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = { f: "#1f5fbf", lnf: "#2e7d4f", df: "#c4501b", tangent: "#6b5ca5",
                   grid: "#e3e6ea", axis: "#7a828c", text: "#3b4148" };
  const MARGIN = { left: 58, right: 14, top: 14, bottom: 30 };

  const state = {
    valid: false, expr: "", wrt: null, variables: [], hide: new Set(),
    plot: null, probe: 0.5, exact: null, view: null, dragging: false,
  };

  // ---------------------------------------------------------------- requests
  const controllers = {};
  let busy = 0;

  function setBusy(delta) {
    busy += delta;
    document.body.dataset.busy = String(busy);
    $("status").textContent = busy > 0 ? "computing…" : "";
  }

  // POST /api/<name>; a newer request on the same channel cancels the older one.
  async function api(name, body, channel = name) {
    if (controllers[channel]) controllers[channel].abort();
    const controller = new AbortController();
    controllers[channel] = controller;
    setBusy(1);
    try {
      const res = await fetch(`/api/${name}`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body), signal: controller.signal,
      });
      let data;
      try { data = await res.json(); } catch (e) { data = { error: `the server answered ${res.status}` }; }
      if (!res.ok) {
        const err = new Error(data.error || `the server answered ${res.status}`);
        err.data = data;
        throw err;
      }
      return data;
    } finally {
      if (controllers[channel] === controller) delete controllers[channel];
      setBusy(-1);
    }
  }

  const aborted = (err) => err && err.name === "AbortError";

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // ---------------------------------------------------------------- formatting
  function fmt(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    if (v === 0 || Math.abs(v) < 1e-12) return "0";
    const a = Math.abs(v);
    if (a >= 1e-4 && a < 1e7) return String(Number(v.toPrecision(7)));
    return v.toExponential(5).replace(/\.?0+e/, "e");
  }

  function show(el, on) { el.hidden = !on; }

  function setMath(el, markup, fallback) {
    // markup is MathML built by the server from escaped names: safe to insert
    if (markup) el.innerHTML = markup; else el.textContent = fallback || "";
  }

  function textEl(tag, text, cls) {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  // ---------------------------------------------------------------- input and preview
  const exprInput = $("expr");

  function showSyntaxError(err, text) {
    const data = err.data || {};
    exprInput.setAttribute("aria-invalid", "true");
    $("error-message").textContent = data.error
      ? data.error + (data.column ? ` (column ${data.column})` : "") + (data.hint ? ` — ${data.hint}` : "")
      : err.message;
    const where = $("error-where");
    where.textContent = "";
    if (data.column) {
      const i = Math.min(data.column - 1, text.length);
      where.append(text.slice(0, i));
      const mark = textEl("mark", text.slice(i, i + 1) || " ");
      where.append(mark, text.slice(i + 1), "\n", " ".repeat(i) + "^");
    }
    show($("error"), true);
    $("preview").classList.add("stale");
    document.body.classList.add("has-error");
  }

  function clearSyntaxError() {
    exprInput.removeAttribute("aria-invalid");
    show($("error"), false);
    $("preview").classList.remove("stale");
    document.body.classList.remove("has-error");
  }

  async function onInput() {
    const text = exprInput.value;
    try {
      const res = await api("parse", { expr: text });
      clearSyntaxError();
      const preview = $("preview");
      preview.textContent = "";
      preview.append(textEl("span", "read as ", "dim"));
      const span = document.createElement("span");
      setMath(span, res.mathml, res.interpreted);
      preview.append(span, textEl("code", res.interpreted, "interpreted"));
      if (res.note) preview.append(textEl("span", ` — ${res.note}`, "note"));  // e.g. xsinx
      state.valid = true;
      state.expr = text;
      setVariables(res.variables);
      refreshAll();
    } catch (err) {
      if (aborted(err)) return;
      state.valid = false;
      showSyntaxError(err, text);
    }
  }

  function setVariables(names) {
    const select = $("wrt");
    const previous = select.value;
    const list = names.length ? names : ["x"];
    state.variables = names;
    select.textContent = "";
    for (const n of list) select.append(new Option(n, n));
    select.value = list.includes(previous) ? previous : (list.includes("x") ? "x" : list[0]);
    state.wrt = select.value;
    const others = names.filter((n) => n !== state.wrt);
    show($("others-label"), others.length > 0);
    const given = parsePairs($("others").value);
    $("others").value = others.map((n) => `${n}=${n in given ? given[n] : 1}`).join(", ");
  }

  function parsePairs(text) {
    const out = {};
    for (const part of text.split(",")) {
      const [k, v] = part.split("=").map((s) => (s || "").trim());
      if (k && v !== undefined && v !== "" && Number.isFinite(Number(v))) out[k] = Number(v);
    }
    return out;
  }

  function otherValues() {
    const given = parsePairs($("others").value);
    const out = {};
    for (const n of state.variables) if (n !== state.wrt) out[n] = n in given ? given[n] : 1;
    return out;
  }

  function refreshAll() {
    if (!state.valid) return;
    $("answer-result").textContent = "";  // a verdict on the previous function would be stale
    refreshSteps();
    refreshPlot();
  }

  // ---------------------------------------------------------------- derivative and steps
  async function refreshSteps() {
    const body = {
      expr: state.expr, wrt: state.wrt, order: Number($("order").value),
      method: $("method").value, detail: $("detail").value, hide: [...state.hide],
    };
    try {
      const res = await api("steps", body);
      show($("derivative-error"), false);
      setMath($("derivative"), res.mathml, res.derivative);
      $("derivative-text").textContent = res.derivative;
      renderHideList(res.rules);
      renderSteps(res);
      renderLadder(res.ladder);
      $("answer-label").textContent = res.order === 1 ? "my f′ =" : `my f^(${res.order}) =`;
    } catch (err) {
      if (aborted(err)) return;
      $("derivative-error").textContent = err.message;
      show($("derivative-error"), true);
    }
  }

  // Higher orders: f′, f″, f‴ … one per line (each scrolls on its own when long).
  function renderLadder(ladder) {
    const box = $("ladder");
    box.textContent = "";
    box.hidden = !ladder || ladder.length < 2;
    if (box.hidden) return;
    const primes = ["", "′", "″", "‴"];
    for (const step of ladder) {
      const row = textEl("li", undefined, "ladder-row");
      row.dataset.order = String(step.order);
      row.dataset.derivative = step.derivative;
      row.append(textEl("span", `f${primes[step.order] || `⁽${step.order}⁾`} = `, "ladder-name"));
      const math = textEl("span", "", "ladder-math");
      setMath(math, step.mathml, step.derivative);
      row.append(math);
      box.append(row);
    }
  }

  function renderHideList(rules) {
    const box = $("hide-list");
    box.textContent = "";
    const names = rules.filter((r) => r !== "Differentiate");
    for (const h of state.hide) if (!names.includes(h)) names.push(h);
    for (const rule of names) {
      const label = textEl("label", "", "chip");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = state.hide.has(rule);
      input.addEventListener("change", () => {
        if (input.checked) state.hide.add(rule); else state.hide.delete(rule);
        refreshSteps();
      });
      label.append(input, " " + rule);
      box.append(label);
    }
  }

  function renderSteps(res) {
    const root = $("steps");
    root.textContent = "";
    res.orders.forEach((tree, k) => {
      const el = stepElement(tree, 0, res.order > 1);
      // higher orders: the earlier derivatives start folded, so the last one is in view
      if (k < res.orders.length - 1 && el.tagName === "DETAILS") el.open = false;
      root.append(el);
    });
    if (res.truncated) {
      root.append(textEl("p", `Only the first ${res.shown} steps are shown; the command line ` +
        "(chainrule diff --steps) prints them all.", "note"));
    }
  }

  function stepElement(node, depth, titled) {
    const head = document.createElement(node.substeps || node.rewrite || node.note ? "summary" : "div");
    head.className = "step-head";
    const title = node.title && titled ? `${node.title}: ` : "";
    head.append(textEl("span", title + node.rule, "rule"));
    const math = textEl("span", "", "statement");
    setMath(math, node.mathml, node.statement);
    head.append(math);
    if (node.ref) head.append(textEl("span", ` (as in step ${node.ref})`, "dim"));
    if (head.tagName === "DIV") {
      const leaf = textEl("div", undefined, "step leaf");
      leaf.append(head);
      return leaf;
    }
    const details = document.createElement("details");
    details.className = "step";
    details.open = depth < 3;
    details.append(head);
    if (node.rewrite) details.append(textEl("p", node.rewrite, "rewrite"));
    if (node.note) details.append(textEl("p", node.note, "note"));
    for (const child of node.substeps || []) details.append(stepElement(child, depth + 1, titled));
    return details;
  }

  // ---------------------------------------------------------------- plot
  const canvas = $("plot");
  const probe = $("probe");
  const probeX = $("probe-x");

  async function refreshPlot() {
    let lo = Number($("plot-from").value), hi = Number($("plot-to").value);
    const body = { expr: state.expr, wrt: state.wrt, from: lo, to: hi, points: 801 };
    if (state.variables.length > 1) body.at = otherValues();
    try {
      const res = await api("plot", body);
      show($("plot-error"), false);
      state.plot = res;
      lo = res.from; hi = res.to;
      probe.min = lo; probe.max = hi;
      if (!(state.probe >= lo && state.probe <= hi)) state.probe = startingPoint(res);
      if (res.f.every((v) => v === null)) {
        $("plot-error").textContent = `f is not defined anywhere on [${fmt(lo)}, ${fmt(hi)}]; try another range.`;
        show($("plot-error"), true);
      }
      state.exact = null;
      renderCritical(res.critical_points);
      setProbe(state.probe);
    } catch (err) {
      if (aborted(err)) return;
      state.plot = null;
      $("plot-error").textContent = err.message;
      show($("plot-error"), true);
      draw();
    }
  }

  // where to put a probe that fell outside the range: the middle, or else the first point
  // where f and f′ are both defined
  function startingPoint(res) {
    const mid = Math.floor(res.x.length / 2);
    if (res.f[mid] !== null && res.df[mid] !== null) return res.x[mid];
    const i = res.f.findIndex((v, k) => v !== null && res.df[k] !== null);
    return i < 0 ? res.x[mid] : res.x[i];
  }

  function renderCritical(points) {
    const box = $("critical");
    box.textContent = "";
    if (!points.length) return;
    box.append(textEl("span", "critical points: ", "dim"));
    for (const p of points) {
      const b = textEl("button", `${p.kind} at x = ${fmt(p.x)}` + (p.exact ? ` (${p.exact})` : ""), "chip");
      b.type = "button";
      b.title = p.explanation || "";
      b.addEventListener("click", () => setProbe(p.x));
      box.append(b);
    }
  }

  function interpolate(series, x) {
    const res = state.plot;
    if (!res) return null;
    const n = res.x.length, lo = res.x[0], hi = res.x[n - 1];
    const t = ((x - lo) / (hi - lo)) * (n - 1);
    const i = Math.max(0, Math.min(n - 2, Math.floor(t)));
    const a = res[series][i], b = res[series][i + 1];
    if (a === null || b === null || res.breaks[series].includes(i)) {
      const near = Math.round(t);
      return Math.abs(t - near) < 1e-9 ? res[series][near] : null;
    }
    return a + (b - a) * (t - i);
  }

  const exactSoon = debounce(fetchExact, 90);

  function setProbe(x) {
    if (!Number.isFinite(x)) return;
    const res = state.plot;
    if (res) x = Math.min(res.to, Math.max(res.from, x));
    state.probe = x;
    probe.value = String(x);
    if (document.activeElement !== probeX) probeX.value = String(Number(x.toPrecision(10)));
    state.exact = null;
    updateReadout();
    draw();
    exactSoon();
  }

  function probeValues() {
    const x = state.probe;
    if (state.exact && state.exact.x === x) return state.exact;
    return { x, f: interpolate("f", x), lnf: interpolate("lnf", x), df: interpolate("df", x) };
  }

  function updateReadout() {
    const v = probeValues();
    $("read-x").textContent = fmt(v.x);
    $("read-f").textContent = fmt(v.f);
    $("read-lnf").textContent = fmt(v.lnf);
    $("read-df").textContent = fmt(v.df);
  }

  async function fetchExact() {
    if (!state.valid || !state.plot) return;
    const x = state.probe;
    const at = { ...otherValues(), [state.wrt]: x };
    try {
      const res = await api("check", { expr: state.expr, wrt: state.wrt, at });
      if (x !== state.probe) return;
      state.exact = { x, f: res.f, lnf: res.lnf, df: res.symbolic ?? res.forward };
      updateReadout();
      draw();
      renderCheck(res);
    } catch (err) {
      if (aborted(err)) return;
      renderCheckError(err);
    }
  }

  // -- drawing
  function niceStep(span, target) {
    const raw = span / Math.max(1, target);
    const p = 10 ** Math.floor(Math.log10(raw));
    const m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  function yRange(res) {
    const values = [];
    for (const s of ["f", "lnf", "df"]) {
      if (!$(`show-${s}`).checked) continue;
      for (const v of res[s]) if (v !== null) values.push(v);
    }
    if (!values.length) return [-1, 1];
    values.sort((a, b) => a - b);
    // the middle 80% of the values, widened, but never past the extremes: poles and
    // logarithmic spikes do not flatten the rest of the picture
    const q = (p) => values[Math.min(values.length - 1, Math.floor(p * (values.length - 1)))];
    const span = q(0.9) - q(0.1);
    let lo = Math.max(values[0], q(0.1) - 0.6 * span);
    let hi = Math.min(values[values.length - 1], q(0.9) + 0.6 * span);
    if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
    const pad = 0.08 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  function draw() {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(320, canvas.clientWidth || 800);
    const height = Math.max(260, Math.round(width * 0.5));
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const res = state.plot;
    const left = MARGIN.left, right = width - MARGIN.right, top = MARGIN.top,
      bottom = height - MARGIN.bottom;
    canvas.dataset.left = String(left);
    canvas.dataset.right = String(right);
    if (!res) {
      ctx.fillStyle = COLORS.text;
      ctx.font = "14px system-ui, sans-serif";
      ctx.fillText("no plot", left + 10, top + 20);
      return;
    }
    const [ylo, yhi] = yRange(res);
    const xlo = res.from, xhi = res.to;
    const X = (x) => left + ((x - xlo) / (xhi - xlo)) * (right - left);
    const Y = (y) => Math.max(-1e4, Math.min(1e4, bottom - ((y - ylo) / (yhi - ylo)) * (bottom - top)));
    state.view = { X, xlo, xhi, left, right };

    // grid, ticks and axes
    ctx.font = "12px system-ui, sans-serif";
    ctx.lineWidth = 1;
    const xs = niceStep(xhi - xlo, width / 90), ys = niceStep(yhi - ylo, height / 60);
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.text;
    ctx.textAlign = "center";
    for (let x = Math.ceil(xlo / xs) * xs; x <= xhi + 1e-12; x += xs) {
      ctx.beginPath(); ctx.moveTo(X(x), top); ctx.lineTo(X(x), bottom); ctx.stroke();
      ctx.fillText(fmt(Number(x.toPrecision(12))), X(x), bottom + 18);
    }
    ctx.textAlign = "right";
    for (let y = Math.ceil(ylo / ys) * ys; y <= yhi + 1e-12; y += ys) {
      ctx.beginPath(); ctx.moveTo(left, Y(y)); ctx.lineTo(right, Y(y)); ctx.stroke();
      ctx.fillText(fmt(Number(y.toPrecision(12))), left - 6, Y(y) + 4);
    }
    ctx.strokeStyle = COLORS.axis;
    if (xlo <= 0 && xhi >= 0) { ctx.beginPath(); ctx.moveTo(X(0), top); ctx.lineTo(X(0), bottom); ctx.stroke(); }
    if (ylo <= 0 && yhi >= 0) { ctx.beginPath(); ctx.moveTo(left, Y(0)); ctx.lineTo(right, Y(0)); ctx.stroke(); }
    ctx.strokeRect(left, top, right - left, bottom - top);

    ctx.save();
    ctx.beginPath(); ctx.rect(left, top, right - left, bottom - top); ctx.clip();
    const series = [["lnf", [6, 4]], ["df", []], ["f", []]];
    for (const [name, dash] of series) {
      if (!$(`show-${name}`).checked) continue;
      drawSeries(ctx, res.x, res[name], new Set(res.breaks[name]), X, Y, COLORS[name], dash);
    }
    const v = probeValues();
    // tangent line at the probe: y = f(x0) + f′(x0)(x − x0)
    if ($("show-tangent").checked && v.f !== null && v.df !== null && $("show-f").checked) {
      ctx.strokeStyle = COLORS.tangent; ctx.lineWidth = 1.5; ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(X(xlo), Y(v.f + v.df * (xlo - v.x)));
      ctx.lineTo(X(xhi), Y(v.f + v.df * (xhi - v.x)));
      ctx.stroke();
    }
    // critical points
    for (const p of res.critical_points) {
      if (p.f === null || !$("show-f").checked) continue;
      ctx.fillStyle = "#fff"; ctx.strokeStyle = COLORS.f; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(X(p.x), Y(p.f), 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = COLORS.f; ctx.textAlign = "center";
      ctx.fillText(p.kind, X(p.x), Y(p.f) + (p.kind === "max" ? -10 : 18));
    }
    // the probe
    ctx.strokeStyle = COLORS.text; ctx.setLineDash([3, 3]); ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(X(v.x), top); ctx.lineTo(X(v.x), bottom); ctx.stroke();
    ctx.setLineDash([]);
    for (const name of ["f", "lnf", "df"]) {
      if (v[name] === null || !$(`show-${name}`).checked) continue;
      ctx.fillStyle = COLORS[name];
      ctx.beginPath(); ctx.arc(X(v.x), Y(v[name]), 4, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.restore();
    const crit = res.critical_points.map((p) => `${p.kind} at x = ${fmt(p.x)}`).join(", ");
    canvas.setAttribute("aria-label", `Plot of f = ${state.expr}, ln|f| and f′ for ` +
      `${state.wrt} from ${fmt(xlo)} to ${fmt(xhi)}` + (crit ? `; ${crit}` : "") +
      `. Probe at ${fmt(v.x)}: f = ${fmt(v.f)}, f′ = ${fmt(v.df)}.`);
  }

  // one curve: null values and the server's breaks (poles, jumps) leave gaps
  function drawSeries(ctx, xs, ys, breaks, X, Y, color, dash) {
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.setLineDash(dash);
    ctx.beginPath();
    let joined = false;  // whether sample i connects to sample i - 1
    for (let i = 0; i < xs.length; i++) {
      if (ys[i] === null) { joined = false; continue; }
      if (joined) ctx.lineTo(X(xs[i]), Y(ys[i])); else ctx.moveTo(X(xs[i]), Y(ys[i]));
      joined = !breaks.has(i);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // dragging the probe on the canvas; near a critical point it snaps onto it
  function probeFromPointer(event) {
    const view = state.view;
    if (!view) return;
    const rect = canvas.getBoundingClientRect();
    const px = Math.min(view.right, Math.max(view.left, event.clientX - rect.left));
    let x = view.xlo + ((px - view.left) / (view.right - view.left)) * (view.xhi - view.xlo);
    for (const p of state.plot.critical_points) {
      if (Math.abs(view.X(p.x) - px) <= 6) x = p.x;
    }
    setProbe(x);
  }

  canvas.addEventListener("pointerdown", (e) => {
    state.dragging = true;
    canvas.setPointerCapture(e.pointerId);
    probeFromPointer(e);
  });
  canvas.addEventListener("pointermove", (e) => { if (state.dragging) probeFromPointer(e); });
  const stopDrag = () => { state.dragging = false; };
  canvas.addEventListener("pointerup", stopDrag);
  canvas.addEventListener("pointercancel", stopDrag);
  probe.addEventListener("input", () => setProbe(Number(probe.value)));
  probeX.addEventListener("change", () => setProbe(Number(probeX.value)));
  for (const id of ["show-f", "show-lnf", "show-df", "show-tangent"]) {
    $(id).addEventListener("change", draw);
  }
  for (const id of ["plot-from", "plot-to"]) $(id).addEventListener("change", refreshPlot);
  window.addEventListener("resize", debounce(draw, 100));

  // ---------------------------------------------------------------- three-way check
  function renderCheck(res) {
    $("check-symbolic").textContent = fmt(res.symbolic);
    $("check-forward").textContent = fmt(res.forward);
    $("check-reverse").textContent = fmt(res.reverse);
    const n = res.numeric;
    $("check-numeric").textContent = n.value === null ? "—" : fmt(n.value) + (n.error !== null ? ` ± ${fmt(n.error)}` : "");
    $("check-numeric-how").textContent = `${n.method}: ${n.status}`;
    const verdict = $("check-verdict");
    verdict.className = res.agree ? "ok" : "bad";
    verdict.textContent = res.agree
      ? `All three ways agree at ${state.wrt} = ${fmt(state.probe)}.`
      : `The ways disagree at ${state.wrt} = ${fmt(state.probe)}` +
        (n.status && n.status !== "converged" ? ` (numeric: ${n.status}).` : ".");
  }

  function renderCheckError(err) {
    for (const id of ["check-symbolic", "check-forward", "check-reverse", "check-numeric"]) $(id).textContent = "—";
    const verdict = $("check-verdict");
    verdict.className = "bad";
    verdict.textContent = err.message;
  }

  // ---------------------------------------------------------------- check my answer
  $("answer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("answer-result");
    const answer = $("answer").value;
    if (!state.valid) { box.textContent = "Fix the function first."; return; }
    try {
      const res = await api("answer", { expr: state.expr, answer, wrt: state.wrt,
                                        order: Number($("order").value) });
      box.textContent = "";
      box.append(textEl("p", res.equivalent ? "✓ Equivalent: that is the derivative."
                                            : "✗ Not equivalent.", res.equivalent ? "ok" : "bad"));
      if (!res.equivalent) {
        box.append(textEl("p", res.explanation));
        if (res.rule) box.append(textEl("p", `Rule involved: ${res.rule}` + (res.mistake ? ` (${res.mistake.replaceAll("_", " ")})` : ""), "note"));
        const correct = textEl("p", "The derivative: ");
        const m = document.createElement("span");
        setMath(m, res.correct_mathml, res.correct);
        correct.append(m);
        box.append(correct);
      }
    } catch (err) {
      if (aborted(err)) return;
      const d = err.data || {};
      box.textContent = "";
      box.append(textEl("p", err.message + (d.column ? ` (column ${d.column})` : "") + (d.hint ? ` — ${d.hint}` : ""), "error"));
    }
  });

  // ---------------------------------------------------------------- computation graph
  $("graph-form").addEventListener("submit", (event) => { event.preventDefault(); refreshGraph(); });

  async function refreshGraph() {
    try {
      const res = await api("graph", { expr: $("graph-expr").value, at: $("graph-at").value });
      show($("graph-error"), false);
      drawGraph(res);
    } catch (err) {
      if (aborted(err)) return;
      $("graph-error").textContent = err.message;
      show($("graph-error"), true);
    }
  }

  async function drawGraph(res) {
    // the explorers' graph drawing: nodes labelled with their operation and values, edges
    // drawn over the nodes with their local derivative and the adjoint flowing back
    const { draw } = await import("/static/explore/graphview.js");
    draw($("graph"), res, { forward: res.nodes.length, backward: res.edges.length });
    const body = $("graph-table").querySelector("tbody");
    body.textContent = "";
    for (const n of res.nodes) {
      const tr = document.createElement("tr");
      tr.append(textEl("th", n.name), textEl("td", n.input ? "input" : n.formula),
                textEl("td", fmt(n.value)), textEl("td", fmt(n.adjoint)));
      tr.firstChild.scope = "row";
      body.append(tr);
    }
  }

  // ---------------------------------------------------------------- wiring
  exprInput.addEventListener("input", debounce(onInput, 180));
  $("wrt").addEventListener("change", () => { setVariables(state.variables); refreshAll(); });
  $("others").addEventListener("change", refreshAll);
  for (const id of ["order", "method", "detail"]) $(id).addEventListener("change", refreshSteps);
  $("expand-all").addEventListener("click", () => { for (const d of $("steps").querySelectorAll("details")) d.open = true; });
  $("collapse-all").addEventListener("click", () => { for (const d of $("steps").querySelectorAll("details")) d.open = false; });
  for (const b of document.querySelectorAll("button.example")) {
    b.addEventListener("click", () => { exprInput.value = b.textContent; onInput(); });
  }

  onInput();
  refreshGraph();
})();
