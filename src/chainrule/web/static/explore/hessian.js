// The `hessian` explorer: at a draggable point, the quadratic model
// q = f + ∇f·d + ½ dᵀHd (its contours dashed over f's), the Hessian's eigenvalues and
// eigenvectors (the principal curvatures and their directions), and the shape they give:
// minimum, maximum or saddle. The critical points of f are listed; a button moves there.
// State in the URL: f, x, y, xmin, xmax, ymin, ymax.
import { api, control, element, fmt, readState, status, writeState } from "./common.js";
import { COLORS, box, contourLines, dragPoint, fmt4, planeBoard, serial } from "./plane.js";
import { formula, legendEntry, mathInner, mathOf } from "./plotkit.js";

const state = readState({ f: "x^3 + y^3 - 6x y", x: 1.5, y: 1.5, xmin: -2, xmax: 4, ymin: -2, ymax: 4 });
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
const critical = element(main, "ul", { id: "critical" });
const plots = element(main, "div");
let plane = null, pt = null;

const SHAPES = {
  minimum: ["both eigenvalues > 0: H is positive definite, f curves up in every direction like a bowl", "a minimum"],
  maximum: ["both eigenvalues < 0: H is negative definite, f curves down in every direction like a dome", "a maximum"],
  saddle: ["eigenvalues of both signs: f curves up along one eigenvector and down along the other", "a saddle"],
  degenerate: ["an eigenvalue is 0: the second-derivative test says nothing here", "undecided by H"],
};

const update = serial(async () => {
  writeState(state);
  try {
    const h = await api("hessian", { expr: state.f, x: state.x, y: state.y, xmin: state.xmin,
      xmax: state.xmax, ymin: state.ymin, ymax: state.ymax, points: 61 });
    status("");
    draw(h);
    show(h);
  } catch (err) {
    status(err.message, true);
  }
});

function draw(h) {
  plane = planeBoard(plots, "plane", box(state), `contours of f(x, y) = ${state.f} and of its quadratic model at the point`);
  contourLines(plane, h.contours, COLORS.f, "contours of f");
  contourLines(plane, h.quadratic, COLORS.q, "contours of the quadratic model q", 2);
  const size = 0.2 * Math.min(state.xmax - state.xmin, state.ymax - state.ymin);
  h.eigenvectors.forEach(([vx, vy], i) => {
    const color = i === 0 ? COLORS.x : COLORS.y;
    plane.create("segment", [[h.point.x - size * vx, h.point.y - size * vy], [h.point.x + size * vx, h.point.y + size * vy]],
      { strokeColor: color, strokeWidth: 3, fixed: true, highlight: false, name: "" });
    legendEntry(plane, `eigenvector ${i + 1} (λ${i + 1} = ${fmt4(h.eigenvalues[i])})`, color);
  });
  for (const c of h.critical_points) {
    plane.create("point", [c.x, c.y], { fixed: true, name: c.kind, size: 3, color: COLORS.point });
  }
  pt = dragPoint(plane, state.x, state.y, xInput, yInput, (x, y, final) => {
    state.x = x; state.y = y;
    writeState(state);  // the URL follows the point at once; the answer comes after
    if (final) update();
  });
}

function matrixMath(cells) {
  const inner = cells.map((row) => row.map((c) => mathInner(c.mathml)));
  if (inner.flat().some((c) => c === null)) return null;
  return mathOf("<mi>H</mi><mo>=</mo><mrow><mo>[</mo><mtable>",
    ...inner.map((row) => `<mtr>${row.map((c) => `<mtd>${c}</mtd>`).join("")}</mtr>`), "</mtable><mo>]</mo></mrow>");
}

function show(h) {
  readout.replaceChildren();
  formula(element(readout, "p"), { mathml: matrixMath(h.hessian.formula), latex: `H = ${h.hessian.latex}`,
    text: `H = [[${h.hessian.formula[0].map((c) => c.text).join(", ")}], [${h.hessian.formula[1].map((c) => c.text).join(", ")}]]` });
  const m = element(readout, "p", { id: "hmatrix", className: "matrix",
    textContent: `H(${fmt(h.point.x)}, ${fmt(h.point.y)}) = [${h.hessian.at[0].map(fmt4).join("  ")}]\n${" ".repeat(14)}[${h.hessian.at[1].map(fmt4).join("  ")}]` });
  m.dataset.values = JSON.stringify(h.hessian.at);
  const e = element(readout, "p", { id: "eigen", textContent: h.eigenvalues.map((l, i) =>
    `λ${i + 1} = ${fmt(l)} along (${h.eigenvectors[i].map(fmt4).join(", ")})`).join(";  ") });
  e.dataset.values = JSON.stringify(h.eigenvalues);
  const [why, label] = SHAPES[h.shape];
  const s = element(readout, "p", { id: "shape" });
  Object.assign(s.dataset, { shape: h.shape, critical: String(h.critical) });
  element(s, "span", { textContent: `${why}. ` });
  const verdict = element(s, "strong", { className: `verdict ${h.shape === "minimum" ? "converges" : h.shape === "maximum" ? "diverges" : "oscillates"}` });
  verdict.textContent = h.critical ? `∇f = 0 here: ${label}.`
    : `∇f = (${h.gradient.at.map(fmt4).join(", ")}) ≠ 0, so not a critical point; at a critical point this curvature would make ${label}.`;
  critical.replaceChildren();
  for (const c of h.critical_points) {
    const b = element(element(critical, "li"), "button", { type: "button", textContent: `${c.kind} at (${fmt(c.x)}, ${fmt(c.y)})` });
    b.addEventListener("click", () => {
      state.x = c.x; state.y = c.y; xInput.value = String(c.x); yInput.value = String(c.y);
      update();
    });
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
for (const [input, key] of [[xInput, "x"], [yInput, "y"]]) {
  input.addEventListener("change", () => { state[key] = Number(input.value); if (pt) pt.moveTo([state.x, state.y]); update(); });
}
for (const [key, input] of boxInputs) {
  input.addEventListener("change", () => { state[key] = Number(input.value); update(); });
}
window.addEventListener("load", () => update());
