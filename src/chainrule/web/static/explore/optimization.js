// The `optimization` explorer: a ball rolling on f. Gradient descent with a learning-rate
// slider (small: it converges; larger: it oscillates; too large: it diverges), the same with
// momentum, and Newton's method, each from the same start, with its trace. f of x alone is
// drawn as a curve, f of x and y as contours. An iteration slider (and "play") moves the balls.
// State in the URL: f, x, y (the start), rate, momentum, steps, k (the iteration shown).
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";
import { COLORS, contourLines, dragPoint, heatmap, planeBoard, serial } from "./plane.js";
import { legendEntry } from "./plotkit.js";

const state = readState({ f: "x^2 + 3y^2", x: 2, y: 1.5, rate: 0.1, momentum: 0.8, steps: 40, k: 40 });
const METHODS = [["gd", "gradient descent", COLORS.x], ["momentum", "momentum", COLORS.y], ["newton", "Newton", COLORS.f]];
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f =", value: state.f });
const xInput = control(controls, { id: "x", label: "start x =", type: "number", value: state.x, step: 0.1 });
const yInput = control(controls, { id: "y", label: "start y =", type: "number", value: state.y, step: 0.1 });
const sliders = element(main, "div", { className: "controls" });
// the learning-rate slider moves log10(rate): 0.001 … 3, a twentieth of a decade a step
const rateInput = control(sliders, { id: "rate", label: "learning rate η = 10^", type: "range",
  value: Math.log10(state.rate), step: 0.05, min: -3, max: 0.5 });
rateInput.setAttribute("aria-label", "learning rate, as a power of ten");
const rateShown = element(sliders, "output", { id: "rate-value" });
const betaInput = control(sliders, { id: "momentum", label: "momentum β", type: "range", value: state.momentum, step: 0.05, min: 0, max: 0.95 });
const betaShown = element(sliders, "output", { id: "momentum-value" });
const stepsInput = control(sliders, { id: "steps", label: "steps", type: "number", value: state.steps, step: 10, min: 1, max: 500 });
const anim = element(main, "div", { className: "controls" });
const kInput = control(anim, { id: "k", label: "iteration shown", type: "range", value: state.k, step: 1, min: 0, max: state.steps });
const kShown = element(anim, "output", { id: "k-value" });
const play = element(anim, "button", { type: "button", textContent: "▶ play" });
const readout = element(main, "div", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
let data = null, b = null, balls = [], timer = null, surfaceKey = "", surface = null;

const ok = (v) => v !== null && Number.isFinite(v) && Math.abs(v) < 1e6;

const update = serial(async () => {
  writeState(state);
  rateShown.textContent = `η = ${fmt(state.rate)}`;
  betaShown.textContent = `β = ${fmt(state.momentum)}`;
  try {
    const o = await api("optimize", { expr: state.f, x: state.x, y: state.y, rate: state.rate,
      momentum: state.momentum, steps: state.steps });
    data = o;
    yInput.disabled = o.variables.length === 1;
    if (o.variables.length === 1) await drawCurve(o); else await drawContours(o);
    status("");
    show(o);
    moveBalls();
  } catch (err) {
    status(err.message, true);
  }
});

function extent(o, axis) {
  const vals = [];
  for (const [m] of METHODS) for (const r of o.runs[m].trace) if (ok(r.x[axis])) vals.push(r.x[axis]);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  const pad = Math.max(0.5, 0.15 * (hi - lo));
  return [lo - pad, hi + pad];
}

async function drawCurve(o) {
  const [lo, hi] = extent(o, "x");
  const p = await api("plot", { expr: state.f, from: lo, to: hi, points: 401 });
  b = board(plots, "path", p.x, [p.f], `f(x) = ${state.f} with the paths of the three methods`, ["x", "f(x)"]);
  curve(b, p.x, p.f, p.breaks.f, COLORS.arrow, "f");
  for (const [m, , color] of METHODS) {
    const t = o.runs[m].trace.filter((r) => ok(r.x.x) && ok(r.f));
    if (t.length > 1) b.create("curve", [t.map((r) => r.x.x), t.map((r) => r.f)], { strokeColor: color, strokeWidth: 1.5, dash: 1, fixed: true, highlight: false });
  }
}

async function drawContours(o) {
  const [x0, x1] = extent(o, "x"), [y0, y1] = extent(o, "y");
  const key = `${state.f}|${x0}|${x1}|${y0}|${y1}`;
  if (key !== surfaceKey) {
    surface = await api("surface", { expr: state.f, x: state.x, y: state.y, xmin: x0, xmax: x1, ymin: y0, ymax: y1, points: 51 });
    surfaceKey = key;
  }
  b = planeBoard(plots, "path", [x0, x1, y0, y1], `contours of f(x, y) = ${state.f} with the paths of the three methods`);
  heatmap(b, surface.xs, surface.ys, surface.z, surface.z_range);
  contourLines(b, surface.contours, COLORS.arrow, "contours of f");
  for (const [m, , color] of METHODS) {
    const t = o.runs[m].trace.filter((r) => ok(r.x.x) && ok(r.x.y));
    if (t.length > 1) b.create("curve", [t.map((r) => r.x.x), t.map((r) => r.x.y)], { strokeColor: color, strokeWidth: 2, fixed: true, highlight: false });
  }
  // the start can be dragged (or typed): the three runs start again from where it is dropped
  dragPoint(b, state.x, state.y, xInput, yInput, (x, y, final) => {
    state.x = x; state.y = y;
    writeState(state);
    if (final) update();
  }, "start");
}

function position(m, k) {
  const t = data.runs[m].trace;
  const r = t[Math.min(k, t.length - 1)];
  return data.variables.length === 1 ? [r.x.x, r.f] : [r.x.x, r.x.y];
}

function moveBalls() {
  if (!data || !b) return;
  kShown.textContent = `k = ${state.k}`;
  for (const p of balls) b.removeObject(p);
  balls = [];
  for (const [m, name, color] of METHODS) {
    const [x, y] = position(m, state.k);
    if (ok(x) && ok(y)) balls.push(b.create("point", [x, y], { fixed: true, name: "", size: 6, color }));
    legendEntry(b, name, color);
    const row = document.getElementById(`at-${m}`);
    const t = data.runs[m].trace, r = t[Math.min(state.k, t.length - 1)];
    if (row) row.textContent = `iterate ${r.iteration}: ${data.variables.map((v) => `${v} = ${fmt(r.x[v])}`).join(", ")}, f = ${fmt(r.f)}, |∇f| = ${fmt(r.grad_norm)}`;
  }
}

function show(o) {
  readout.replaceChildren();
  for (const [m, name, color] of METHODS) {
    const r = o.runs[m];
    const p = element(readout, "p", { id: `run-${m}` });
    const label = element(p, "span", { textContent: `${name}: ` });
    label.style.color = color;
    const v = element(p, "span", { id: `verdict-${m}`, className: `verdict ${r.verdict}`, textContent: r.verdict });
    v.dataset.verdict = r.verdict;
    const end = element(p, "span", { id: `end-${m}`, textContent: ` (${r.converged || r.verdict !== "diverges" ? `${r.iterations} step${r.iterations === 1 ? "" : "s"}` : r.message}; ends at ${o.variables.map((n) => `${n} = ${fmt(r.end.x[n])}`).join(", ")}, f = ${fmt(r.end.f)})` });
    Object.assign(end.dataset, { x: String(r.end.x.x), f: String(r.end.f), iterations: String(r.iterations) });
    if (o.variables.length === 2) end.dataset.y = String(r.end.x.y);
    element(readout, "p", { id: `at-${m}`, className: "dim" });
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
for (const [input, key] of [[xInput, "x"], [yInput, "y"], [stepsInput, "steps"]]) {
  input.addEventListener("change", () => {
    state[key] = Number(input.value);
    if (key === "steps") { kInput.max = String(state.steps); state.k = Math.min(state.k, state.steps); kInput.value = String(state.k); }
    update();
  });
}
rateInput.addEventListener("input", () => { state.rate = Number((10 ** Number(rateInput.value)).toPrecision(3)); update(); });
betaInput.addEventListener("input", () => { state.momentum = Number(betaInput.value); update(); });
kInput.addEventListener("input", () => { state.k = Number(kInput.value); writeState(state); moveBalls(); });
play.addEventListener("click", () => {
  if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; return; }
  state.k = 0;
  play.textContent = "⏸ pause";
  timer = setInterval(() => {
    kInput.value = String(state.k);
    writeState(state);
    moveBalls();
    if (++state.k > state.steps) { clearInterval(timer); timer = null; play.textContent = "▶ play"; state.k = state.steps; }
  }, 150);
});
window.addEventListener("load", () => update());
