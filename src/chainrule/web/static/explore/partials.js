// The `partials` explorer: f(x, y) as a heat map with contours; the slices y = y₀ and x = x₀
// through a draggable point, each on its own plot with its tangent, whose slopes are ∂f/∂x
// and ∂f/∂y. The inputs, the field and the URL state are the frame of contour.js.
import { board, curve, element, fmt } from "./common.js";
import { contourExplorer } from "./contour.js";
import { COLORS } from "./plane.js";
import { formula, legendEntry } from "./plotkit.js";

let marks = [];
const { state, main, readout } = contourExplorer({
  f: "x^2 y + 3y", label: "heat map and contours of", plotsClass: "plots", onField, onPoint,
});
const slices = element(main, "div", { className: "side-by-side" });
const [sliceX, sliceY] = [element(slices, "div"), element(slices, "div")];

function onField(plane) {
  legendEntry(plane, "slice y = y₀", COLORS.x);
  legendEntry(plane, "slice x = x₀", COLORS.y);
  marks = [];  // the old ones went with the old board
}

function onPoint(plane, s) {
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
