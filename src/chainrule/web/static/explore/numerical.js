// The `numerical` explorer: the step-size trade-off. Errors of forward and central differences
// against h on log-log axes; truncation (right) and round-off (left) regions; the best h.
// State in the URL: f, x.
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";

const state = readState({ f: "e^x", x: 1 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const xInput = control(controls, { id: "x", label: "x =", type: "number", value: state.x, step: 0.1 });
const readout = element(main, "div", { className: "readout", id: "best" });
readout.setAttribute("aria-live", "polite");
element(main, "p", { textContent: "Axes: log₁₀ h (across) and log₁₀ |error| (up). Right of the best h the truncation error dominates (slope 1 forward, 2 central); left of it, round-off (slope −1)." });
const plots = element(main, "div");
let latest = 0;

const log = (v) => (v === null || v <= 0 ? null : Math.log10(v));

async function update() {
  const mine = ++latest;  // answers can arrive out of order: draw only the newest
  writeState(state);
  try {
    const s = await api("step_errors", { expr: state.f, at: state.x });
    if (mine !== latest) return;
    status(`f′(x) = ${s.derivative} = ${fmt(s.slope)}`);
    const rows = [...s.rows].reverse();  // small h on the left, as the axis reads
    const lx = rows.map((r) => Math.log10(r.h));
    const fw = rows.map((r) => log(r.forward));
    const ce = rows.map((r) => log(r.central));
    const b = board(plots, "step-board", lx, [fw, ce], "log-log plot of the error against h");
    curve(b, lx, fw, [], "#1a5fb4", "forward");
    curve(b, lx, ce, [], "#c01c28", "central");
    readout.replaceChildren();
    for (const [name, color] of [["forward", "#1a5fb4"], ["central", "#c01c28"]]) {
      const best = s.best[name];
      const p = element(readout, "p", { id: `best-${name}`,
        textContent: `${name}: best h = ${fmt(best.h)}, error ${fmt(best.error)}` });
      Object.assign(p.dataset, { h: String(best.h), error: String(best.error), slope: String(s.slope) });
      if (best.h && best.error > 0) {
        b.create("point", [Math.log10(best.h), Math.log10(best.error)], { fixed: true, name: `best ${name}`, color });
        b.create("text", [Math.log10(best.h) + 0.3, Math.log10(best.error) + 1,
          name === "forward" ? "← round-off | truncation →" : ""], { fixed: true });
      }
    }
  } catch (err) {
    status(err.message, true);
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
xInput.addEventListener("change", () => { state.x = Number(xInput.value); update(); });
window.addEventListener("load", update);
