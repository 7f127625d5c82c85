// The frame the contour explorers (partials, gradient) share: f(x, y) and a point (x₀, y₀) as
// inputs, the region as four more, f as a heat map with contours under a draggable point, and
// one request at a time to /api/surface. The whole field is redrawn only when f or the region
// changes; moving the point asks for the point's numbers alone. State in the URL: f, x, y,
// xmin, xmax, ymin, ymax. The page draws what is its own through two callbacks:
//   onField(plane, s): after the heat map and contours, before the point (extra layers, legend);
//   onPoint(plane, s): after every answer (marks at the point, the readout).
import { api, control, element, readState, status, writeState } from "./common.js";
import { COLORS, box, contourLines, dragPoint, heatmap, planeBoard, serial } from "./plane.js";

export function contourExplorer({ f, label, onField, onPoint, plotsClass = "", request = {} }) {
  const state = readState({ f, x: 2, y: 1, xmin: -3, xmax: 3, ymin: -3, ymax: 3 });
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
  const plots = element(main, "div", plotsClass ? { className: plotsClass } : {});
  let plane = null, pt = null, fieldKey = "";

  const update = serial(async (redrawField) => {
    writeState(state);
    const key = `${state.f}|${box(state)}`;
    const whole = redrawField || key !== fieldKey || !plane;  // else only the point moved
    try {
      const s = await api("surface", { expr: state.f, x: state.x, y: state.y, xmin: state.xmin,
        xmax: state.xmax, ymin: state.ymin, ymax: state.ymax, field: whole, ...request });
      status("");
      if (whole) drawField(s, key);
      onPoint(plane, s);
    } catch (err) {
      status(err.message, true);
    }
  });

  function drawField(s, key) {
    fieldKey = key;
    plane = planeBoard(plots, "plane", box(state), `${label} f(x, y) = ${state.f}`);
    heatmap(plane, s.xs, s.ys, s.z, s.z_range);
    contourLines(plane, s.contours, COLORS.f);
    onField(plane, s);
    pt = dragPoint(plane, state.x, state.y, xInput, yInput, (x, y) => {
      state.x = x; state.y = y;
      writeState(state);  // the URL follows the point at once; the answer comes after
      update(false);  // live while dragging: one request at a time, the newest wins
    });
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
  return { state, main, readout };
}
