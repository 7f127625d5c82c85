// The `derivative` explorer: f and f′ together, a probe with its tangent line, critical points.
// State in the URL: f (the function), x (the probe), from, to (the range).
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";

const state = readState({ f: "x^3 - 3x", x: 0.5, from: -3, to: 3 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const xInput = control(controls, { id: "x", label: "probe x =", type: "number", value: state.x, step: 0.01 });
const fromInput = control(controls, { id: "from", label: "from", type: "number", value: state.from });
const toInput = control(controls, { id: "to", label: "to", type: "number", value: state.to });
const readout = element(main, "p", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
const critical = element(main, "ul", { id: "critical" });

let fBoard = null, probe = null, tangent = null, latest = 0;

async function redraw() {
  writeState(state);
  try {
    const data = await api("plot", { expr: state.f, from: state.from, to: state.to, points: 401 });
    fBoard = board(plots, "f-board", data.x, [data.f], `graph of f(x) = ${state.f}`);
    curve(fBoard, data.x, data.f, data.breaks.f, "#1a5fb4", "f");
    const dBoard = board(plots, "df-board", data.x, [data.df], `graph of f′(x) = ${data.derivative}`);
    curve(dBoard, data.x, data.df, data.breaks.df, "#c01c28", "f′");
    critical.replaceChildren();
    for (const c of data.critical_points) {
      fBoard.create("point", [c.x, c.f], { name: c.kind, fixed: true, size: 3, color: "#0a7d27" });
      const li = element(critical, "li");
      const b = element(li, "button", { type: "button", textContent: `${c.kind} at x = ${fmt(c.x)}` });
      b.addEventListener("click", () => { xInput.value = String(c.x); moveProbe(c.x); });
    }
    status(`f′(x) = ${data.derivative}`);
    probe = null; tangent = null;
    await moveProbe(state.x);
  } catch (err) {
    status(err.message, true);
  }
}

async function moveProbe(x) {
  state.x = x;
  writeState(state);
  const mine = ++latest;  // answers can arrive out of order: draw only the newest
  try {
    const c = await api("check", { expr: state.f, at: x });
    if (mine !== latest) return;
    const slope = c.symbolic;
    const kink = slope === null || (c.numeric.status || "").startsWith("not differentiable");
    readout.replaceChildren();
    element(readout, "span", { textContent: `x = ${fmt(x)}, f(x) = ${fmt(c.f)}, ` });
    const s = element(readout, "span", { id: "slope" });
    if (kink) {
      s.textContent = "f′(x): not differentiable here";
      s.className = "nondiff";
    } else {
      s.textContent = `f′(x) = ${fmt(slope)}`;
      s.className = Math.abs(slope) < 1e-9 ? "zero" : "";
      s.dataset.value = String(slope);
    }
    if (probe) { fBoard.removeObject(tangent); fBoard.removeObject(probe); tangent = null; }
    probe = fBoard.create("point", [x, c.f], { name: "probe", fixed: true, color: "#000" });
    if (!kink) {
      tangent = fBoard.create("line", [[x, c.f], [x + 1, c.f + slope]],
        { strokeColor: "#e66100", dash: 2, fixed: true, name: "tangent" });
    }
  } catch (err) {
    readout.textContent = err.message;
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; redraw(); });
xInput.addEventListener("change", () => moveProbe(Number(xInput.value)));
for (const [input, key] of [[fromInput, "from"], [toInput, "to"]]) {
  input.addEventListener("change", () => { state[key] = Number(input.value); redraw(); });
}
window.addEventListener("load", redraw);
