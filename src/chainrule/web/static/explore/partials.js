// The `partials` explorer: f(x, y) as a heat map with contours; the slices y = y₀ and x = x₀
// through a draggable point, each on its own plot with its tangent, whose slopes are ∂f/∂x
// and ∂f/∂y. State in the URL: f, x, y (the point), xmin, xmax, ymin, ymax (the region).
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";
import { COLORS, box, contourLines, dragPoint, heatmap, planeBoard, serial } from "./plane.js";
import { formula, legendEntry } from "./plotkit.js";

const state = readState({ f: "x^2 y + 3y", x: 2, y: 1, xmin: -3, xmax: 3, ymin: -3, ymax: 3 });
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
const plots = element(main, "div", { className: "plots" });
const slices = element(main, "div", { className: "side-by-side" });
const [sliceX, sliceY] = [element(slices, "div"), element(slices, "div")];
let plane = null, pt = null, marks = [], fieldKey = "";

const update = serial(async (redrawField) => {
  writeState(state);
  const key = `${state.f}|${box(state)}`;
  const whole = redrawField || key !== fieldKey || !plane;  // else only the point moved
  try {
    const s = await api("surface", { expr: state.f, x: state.x, y: state.y, xmin: state.xmin,
      xmax: state.xmax, ymin: state.ymin, ymax: state.ymax, field: whole });
    status("");
    if (whole) drawField(s, key);
    drawPoint(s);
  } catch (err) {
    status(err.message, true);
  }
});

function drawField(s, key) {
  fieldKey = key;
  plane = planeBoard(plots, "plane", box(state), `heat map and contours of f(x, y) = ${state.f}`);
  heatmap(plane, s.xs, s.ys, s.z, s.z_range);
  contourLines(plane, s.contours, COLORS.f);
  legendEntry(plane, "slice y = y₀", COLORS.x);
  legendEntry(plane, "slice x = x₀", COLORS.y);
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
  marks = [
    plane.create("line", [[state.xmin, p.y], [state.xmax, p.y]], { straightFirst: false, straightLast: false,
      strokeColor: COLORS.x, strokeWidth: 2, fixed: true, highlight: false, name: "y = y₀" }),
    plane.create("line", [[p.x, state.ymin], [p.x, state.ymax]], { straightFirst: false, straightLast: false,
      strokeColor: COLORS.y, strokeWidth: 2, fixed: true, highlight: false, name: "x = x₀" }),
  ];
  const bx = board(sliceX, "slice-x", s.slices.y.x, [s.slices.y.f], `f(x, ${fmt(p.y)}): the slice y = y₀`, ["x", "f(x, y₀)"]);
  curve(bx, s.slices.y.x, s.slices.y.f, [], COLORS.x, "f(x, y₀)");
  tangent(bx, p.x, p.f, p.fx, "∂f/∂x");
  const by = board(sliceY, "slice-y", s.slices.x.y, [s.slices.x.f], `f(${fmt(p.x)}, y): the slice x = x₀`, ["y", "f(x₀, y)"]);
  curve(by, s.slices.x.y, s.slices.x.f, [], COLORS.y, "f(x₀, y)");
  tangent(by, p.y, p.f, p.fy, "∂f/∂y");
  readout.replaceChildren();
  element(readout, "p", { textContent: `at (x₀, y₀) = (${fmt(p.x)}, ${fmt(p.y)}): f = ${fmt(p.f)}` });
  for (const [v, name, color] of [["x", "fx", COLORS.x], ["y", "fy", COLORS.y]]) {
    const line = element(readout, "p");
    formula(line, s.partials[v], `∂f/∂${v} =`);
    const value = element(line, "span", { id: name, className: p[name] === null ? "value nondiff" : "value",
      textContent: p[name] === null ? ": not differentiable here (no slope)" : ` = ${fmt(p[name])} at the point` });
    value.style.color = color;
    if (p[name] !== null) value.dataset.value = String(p[name]);
  }
}

function tangent(b, x, y, slope, name) {
  b.create("point", [x, y], { fixed: true, name: "", color: COLORS.point, size: 3 });
  if (slope !== null) {
    b.create("line", [[x, y], [x + 1, y + slope]], { strokeColor: COLORS.accent, dash: 2, fixed: true, name: "" });
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
