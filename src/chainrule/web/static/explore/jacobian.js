// The `jacobian` explorer: a map of the plane (x, y) ↦ (u, v). On the left a small square at
// a draggable point; on the right its image (curved), the parallelogram J maps it to, and the
// images of the grid lines. The Jacobian matrix and its determinant — the area scale — at the
// point. State in the URL: u, v, x, y, h (the square's side), xmin, xmax, ymin, ymax.
import { api, control, element, fmt, readState, status, writeState } from "./common.js";
import { COLORS, box, dragPoint, fmt4, planeBoard, serial } from "./plane.js";
import { formula, legendEntry, mathInner, mathOf } from "./plotkit.js";

const state = readState({ u: "x^2 - y^2", v: "2x y", x: 1, y: 0.5, h: 0.25, xmin: -2, xmax: 2, ymin: -2, ymax: 2 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const uInput = control(controls, { id: "u", label: "u(x, y) =", value: state.u });
const vInput = control(controls, { id: "v", label: "v(x, y) =", value: state.v });
const more = element(main, "div", { className: "controls" });
const xInput = control(more, { id: "x", label: "x₀ =", type: "number", value: state.x, step: 0.1 });
const yInput = control(more, { id: "y", label: "y₀ =", type: "number", value: state.y, step: 0.1 });
const hInput = control(more, { id: "h", label: "square side h =", type: "number", value: state.h, step: 0.05, min: 0.01 });
const region = element(main, "div", { className: "controls" });
const boxInputs = ["xmin", "xmax", "ymin", "ymax"].map((k) =>
  [k, control(region, { id: k, label: k, type: "number", value: state[k], step: 0.5 })]);
const readout = element(main, "div", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const pair = element(main, "div", { className: "side-by-side" });
const [left, right] = [element(pair, "div"), element(pair, "div")];
let domain = null, pt = null, marks = [], key = "";

const update = serial(async (redraw) => {
  writeState(state);
  try {
    const j = await api("jacobian", { u: state.u, v: state.v, x: state.x, y: state.y, h: state.h,
      xmin: state.xmin, xmax: state.xmax, ymin: state.ymin, ymax: state.ymax });
    status("");
    const k = `${state.u}|${state.v}|${box(state)}`;
    if (redraw || k !== key || !domain) drawDomain(k);
    drawSquare(j);
    drawImage(j);
    show(j);
  } catch (err) {
    status(err.message, true);
  }
});

function drawDomain(k) {
  key = k;
  domain = planeBoard(left, "domain", box(state), "the (x, y) plane with a small square at the point");
  for (let i = 0; i <= 8; i++) {
    const gx = state.xmin + i * (state.xmax - state.xmin) / 8, gy = state.ymin + i * (state.ymax - state.ymin) / 8;
    for (const [a, b] of [[[gx, state.ymin], [gx, state.ymax]], [[state.xmin, gy], [state.xmax, gy]]]) {
      domain.create("segment", [a, b], { strokeColor: COLORS.arrow, strokeWidth: 1, strokeOpacity: 0.5, fixed: true, highlight: false, name: "" });
    }
  }
  legendEntry(domain, "grid lines", COLORS.arrow);
  legendEntry(domain, "square of side h", COLORS.accent);
  pt = dragPoint(domain, state.x, state.y, xInput, yInput, (x, y) => {
    state.x = x; state.y = y;
    writeState(state);  // the URL follows the point at once; the answer comes after
    update(false);  // live while dragging: one request at a time, the newest wins
  });
  marks = [];
}

const nan = (v) => (v === null ? NaN : v);

function drawSquare(j) {
  for (const m of marks) domain.removeObject(m);
  const { x, y } = j.point, h = j.h;
  marks = [domain.create("polygon", [[x, y], [x + h, y], [x + h, y + h], [x, y + h]],
    { fillColor: COLORS.accent, fillOpacity: 0.35, fixed: true, highlight: false, withLines: true,
      borders: { strokeColor: COLORS.accent, fixed: true, highlight: false },
      vertices: { visible: false, fixed: true } })];
}

function drawImage(j) {
  const us = [], vs = [];
  for (const line of j.grid) line.u.forEach((u, i) => { if (u !== null && line.v[i] !== null) { us.push(u); vs.push(line.v[i]); } });
  j.image.u.forEach((u, i) => { if (u !== null) { us.push(u); vs.push(j.image.v[i]); } });
  const lo = (a) => Math.min(...a), hi = (a) => Math.max(...a);
  const pu = 0.05 * (hi(us) - lo(us) || 1), pv = 0.05 * (hi(vs) - lo(vs) || 1);
  const b = planeBoard(right, "image", [lo(us) - pu, hi(us) + pu, lo(vs) - pv, hi(vs) + pv],
    `the image in the (u, v) plane of u = ${state.u}, v = ${state.v}`, ["u", "v"]);
  for (const line of j.grid) {
    b.create("curve", [line.u.map(nan), line.v.map(nan)], { strokeColor: COLORS.arrow, strokeWidth: 1, strokeOpacity: 0.5, fixed: true, highlight: false });
  }
  b.create("curve", [j.image.u.map(nan), j.image.v.map(nan)], { strokeColor: COLORS.accent, strokeWidth: 2, fillColor: COLORS.accent, fillOpacity: 0.35, fixed: true, highlight: false });
  b.create("polygon", j.linear.u.map((u, i) => [u, j.linear.v[i]]), { fillColor: "none", fixed: true, highlight: false,
    borders: { strokeColor: COLORS.f, dash: 2, strokeWidth: 2, fixed: true, highlight: false }, vertices: { visible: false, fixed: true } });
  b.create("point", [j.point.u, j.point.v], { fixed: true, name: "(u₀, v₀)", color: COLORS.point, size: 3 });
  legendEntry(b, "images of the grid lines", COLORS.arrow);
  legendEntry(b, "image of the square", COLORS.accent);
  legendEntry(b, "J applied to the square", COLORS.f);
}

function matrixMath(cells) {
  const inner = cells.map((row) => row.map((c) => mathInner(c.mathml)));
  if (inner.flat().some((c) => c === null)) return null;
  return mathOf("<mi>J</mi><mo>=</mo><mrow><mo>[</mo><mtable>",
    ...inner.map((row) => `<mtr>${row.map((c) => `<mtd>${c}</mtd>`).join("")}</mtr>`), "</mtable><mo>]</mo></mrow>");
}

function show(j) {
  readout.replaceChildren();
  formula(element(readout, "p"), { mathml: matrixMath(j.formula), latex: `J = ${j.latex}`,
    text: `J = [[${j.formula[0].map((c) => c.text).join(", ")}], [${j.formula[1].map((c) => c.text).join(", ")}]]` });
  const m = element(readout, "p", { id: "jmatrix", className: "matrix",
    textContent: `J(${fmt(j.point.x)}, ${fmt(j.point.y)}) = [${j.at[0].map(fmt4).join("  ")}]\n${" ".repeat(10)}[${j.at[1].map(fmt4).join("  ")}]` });
  m.dataset.values = JSON.stringify(j.at);
  const d = element(readout, "p", { id: "det", textContent: `det J = ${fmt(j.determinant)}: near the point, areas are scaled by |det J| = ${fmt(Math.abs(j.determinant))}${j.determinant < 0 ? " and orientation is flipped" : ""}` });
  d.dataset.value = String(j.determinant);
  const r = element(readout, "p", { id: "area", textContent: `area of the image / area of the square = ${fmt(j.area_ratio)} (→ det J as h → 0)` });
  if (j.area_ratio !== null) r.dataset.value = String(j.area_ratio);
}

for (const [input, k] of [[uInput, "u"], [vInput, "v"]]) {
  input.addEventListener("change", () => { state[k] = input.value; update(true); });
}
for (const [input, k] of [[xInput, "x"], [yInput, "y"], [hInput, "h"]]) {
  input.addEventListener("change", () => {
    state[k] = Number(input.value);
    if (pt) pt.moveTo([state.x, state.y]);
    update(false);
  });
}
for (const [k, input] of boxInputs) {
  input.addEventListener("change", () => { state[k] = Number(input.value); update(true); });
}
window.addEventListener("load", () => update(true));
