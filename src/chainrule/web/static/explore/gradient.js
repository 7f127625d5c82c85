// The `gradient` explorer: contours of f(x, y), the gradient field as arrows, and at a
// draggable point ∇f (steepest ascent) and −∇f/|∇f| (steepest descent), which crosses the
// contour at a right angle. The inputs, the field and the URL state are the frame of contour.js.
import { element, fmt } from "./common.js";
import { contourExplorer } from "./contour.js";
import { COLORS, arrowField } from "./plane.js";
import { formula, legendEntry, mathInner, mathOf } from "./plotkit.js";

let marks = [];
const { state, readout } = contourExplorer({
  f: "x^2 + 3y^2", label: "contours and gradient field of", request: { points: 51 }, onField, onPoint,
});

function onField(plane, s) {
  const size = 0.9 * Math.min(state.xmax - state.xmin, state.ymax - state.ymin) / 13;
  arrowField(plane, s.arrows, size, COLORS.arrow, "gradient field ∇f");
  legendEntry(plane, "∇f at the point (ascent)", COLORS.x);
  legendEntry(plane, "steepest descent −∇f/|∇f|", COLORS.y);
  marks = [];  // the old ones went with the old board
}

function onPoint(plane, s) {
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
