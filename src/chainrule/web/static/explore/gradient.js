// The `gradient` explorer: contours of f(x, y), the gradient field as arrows, and at a
// draggable point ∇f (steepest ascent) and −∇f/|∇f| (steepest descent), which crosses the
// contour at a right angle. State in the URL: f, x, y, xmin, xmax, ymin, ymax.
import { api, control, element, fmt, readState, status, writeState } from "./common.js";
import { COLORS, arrowField, box, contourLines, dragPoint, heatmap, planeBoard, serial } from "./plane.js";
import { formula, legendEntry, mathInner, mathOf } from "./plotkit.js";

const state = readState({ f: "x^2 + 3y^2", x: 2, y: 1, xmin: -3, xmax: 3, ymin: -3, ymax: 3 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x, y) =", value: state.f });
const xInput = control(controls, { id: "x", label: "x₀ =", type: "number", value: state.x, step: 0.1 });
const yInput = control(controls, { id: "y", label: "y₀ =", type: "number", value: state.y, step: 0.1 });
const region = element(main, "div", { className: "controls" });
const boxInputs = ["xmin", "xmax", "ymin", "ymax"].map((k) =>
  [k, control(region, { id: k, label: k, type: "number", value: state[k], step: 0.5 })]);
const readout = element(main, "div", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
let plane = null, pt = null, marks = [], fieldKey = "";

const update = serial(async (redrawField) => {
  writeState(state);
  const key = `${state.f}|${box(state)}`;
  const whole = redrawField || key !== fieldKey || !plane;  // else only the point moved
  try {
    const s = await api("surface", { expr: state.f, x: state.x, y: state.y, xmin: state.xmin,
      xmax: state.xmax, ymin: state.ymin, ymax: state.ymax, field: whole, points: 51 });
    status("");
    if (whole) drawField(s, key);
    drawPoint(s);
  } catch (err) {
    status(err.message, true);
  }
});

function drawField(s, key) {
  fieldKey = key;
  plane = planeBoard(plots, "plane", box(state), `contours and gradient field of f(x, y) = ${state.f}`);
  heatmap(plane, s.xs, s.ys, s.z, s.z_range);
  contourLines(plane, s.contours, COLORS.f);
  const size = 0.9 * Math.min(state.xmax - state.xmin, state.ymax - state.ymin) / 13;
  arrowField(plane, s.arrows, size, COLORS.arrow, "gradient field ∇f");
  legendEntry(plane, "∇f at the point (ascent)", COLORS.x);
  legendEntry(plane, "steepest descent −∇f/|∇f|", COLORS.y);
  pt = dragPoint(plane, state.x, state.y, xInput, yInput, (x, y) => {
    state.x = x; state.y = y;
    writeState(state);  // the URL follows the point at once; the answer comes after
    update(false);  // live while dragging: one request at a time, the newest wins
  });
  marks = [];
}

function drawPoint(s) {
  const p = s.point;
  for (const m of marks) plane.removeObject(m);
  marks = [];
  const unit = 0.15 * Math.min(state.xmax - state.xmin, state.ymax - state.ymin);
  if (p.descent && p.grad_norm > 0) {
    const [ux, uy] = p.descent;
    marks.push(plane.create("arrow", [[p.x, p.y], [p.x - unit * ux, p.y - unit * uy]],
      { strokeColor: COLORS.x, strokeWidth: 3, fixed: true, name: "" }));
    marks.push(plane.create("arrow", [[p.x, p.y], [p.x + unit * ux, p.y + unit * uy]],
      { strokeColor: COLORS.y, strokeWidth: 3, fixed: true, name: "" }));
  }
  readout.replaceChildren();
  const line = element(readout, "p");
  formula(line, { mathml: mathOf("<mo>∇</mo><mi>f</mi><mo>=</mo><mo>(</mo>", mathInner(s.partials.x.mathml),
    "<mo>,</mo>", mathInner(s.partials.y.mathml), "<mo>)</mo>"), latex: `\\nabla f = \\left(${s.partials.x.latex}, ${s.partials.y.latex}\\right)`,
    text: `∇f = (${s.partials.x.text}, ${s.partials.y.text})` }, "");
  const g = element(readout, "p", { id: "grad", textContent: p.fx === null || p.fy === null
    ? `∇f(${fmt(p.x)}, ${fmt(p.y)}): f is not differentiable here (a kink), so there is no gradient`
    : `∇f(${fmt(p.x)}, ${fmt(p.y)}) = (${fmt(p.fx)}, ${fmt(p.fy)}), |∇f| = ${fmt(p.grad_norm)}` });
  Object.assign(g.dataset, { gx: String(p.fx), gy: String(p.fy), norm: String(p.grad_norm) });
  const d = element(readout, "p", { id: "descent" });
  if (p.descent && p.grad_norm > 0) {
    d.textContent = `steepest descent: u = −∇f/|∇f| = (${fmt(p.descent[0])}, ${fmt(p.descent[1])}); f falls at rate ${fmt(-p.grad_norm)} per unit step, faster than along any other direction`;
    Object.assign(d.dataset, { ux: String(p.descent[0]), uy: String(p.descent[1]) });
  } else if (p.grad_norm === 0) {
    d.textContent = "∇f = 0: a critical point, no direction of descent";
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(true); });
for (const [input, key] of [[xInput, "x"], [yInput, "y"]]) {
  input.addEventListener("change", () => {
    state[key] = Number(input.value);
    if (pt) pt.moveTo([state.x, state.y]);
    update(false);
  });
}
for (const [key, input] of boxInputs) {
  input.addEventListener("change", () => { state[key] = Number(input.value); update(true); });
}
window.addEventListener("load", () => update(true));
