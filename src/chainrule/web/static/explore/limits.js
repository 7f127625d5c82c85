// The `limits` explorer: a secant through (x, f(x)) and (x+h, f(x+h)); slide h toward 0 and the
// slope approaches f′(x). State in the URL: f, x, h.
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";

const state = readState({ f: "sin(x)", x: 1, h: 0.5 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const xInput = control(controls, { id: "x", label: "x =", type: "number", value: state.x, step: 0.1 });
// the slider moves log10(h), so equal steps take h from 1 toward 0 decade by decade
const hInput = control(controls, { id: "h", label: "h = 10^", type: "range",
  value: Math.log10(Math.abs(state.h)), step: 0.1, min: -6, max: 0 });
hInput.setAttribute("aria-label", "h, as a power of ten");
const hShown = element(controls, "output", { id: "h-value" });
const readout = element(main, "p", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
const table = element(main, "table", { id: "table" });

let b = null, plotted = null, drawn = [], latest = 0;

async function update() {
  const mine = ++latest;  // answers can arrive out of order: draw only the newest request's
  writeState(state);
  hShown.textContent = `h = ${fmt(state.h)}`;
  try {
    if (plotted !== `${state.f}|${state.x}`) {
      const data = await api("plot", { expr: state.f, from: state.x - 2, to: state.x + 2, points: 401 });
      if (mine !== latest) return;
      b = board(plots, "limits-board", data.x, [data.f], `graph of f(x) = ${state.f}`);
      curve(b, data.x, data.f, data.breaks.f, "#1a5fb4", "f");
      plotted = `${state.f}|${state.x}`;
      drawn = [];
    }
    const q = await api("quotients", { expr: state.f, at: state.x, h: state.h });
    if (mine !== latest) return;
    status(`f′(x) = ${q.derivative}`);
    readout.replaceChildren();
    element(readout, "span", { textContent: "secant slope (f(x+h) − f(x))/h = " });
    element(readout, "span", { id: "quotient", textContent: fmt(q.quotient) });
    Object.assign(readout.querySelector("#quotient").dataset, { value: String(q.quotient), h: String(q.h) });
    element(readout, "span", { textContent: ` → f′(x) = ${fmt(q.slope)}` });
    for (const el of drawn) b.removeObject(el);
    drawn = [
      b.create("line", [[state.x, q.f], [state.x + state.h, q.f_h]], { strokeColor: "#e66100", fixed: true, name: "secant" }),
      b.create("point", [state.x, q.f], { fixed: true, name: "x", color: "#000" }),
      b.create("point", [state.x + state.h, q.f_h], { fixed: true, name: "x+h", color: "#e66100" }),
    ];
    if (q.slope !== null) {
      drawn.push(b.create("line", [[state.x, q.f], [state.x + 1, q.f + q.slope]],
        { strokeColor: "#0a7d27", dash: 2, fixed: true, name: "tangent" }));
    }
    table.replaceChildren();
    const head = element(table, "tr");
    for (const t of ["h", "(f(x+h) − f(x))/h", "error"]) element(head, "th", { textContent: t });
    for (const r of q.table) {
      const tr = element(table, "tr");
      for (const v of [r.h, r.quotient, r.error]) element(tr, "td", { textContent: fmt(v) });
    }
  } catch (err) {
    status(err.message, true);
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
xInput.addEventListener("change", () => { state.x = Number(xInput.value); update(); });
hInput.addEventListener("input", () => { state.h = Number((10 ** Number(hInput.value)).toPrecision(3)); update(); });
window.addEventListener("load", update);
