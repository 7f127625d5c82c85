// The `taylor` explorer: f with its Taylor polynomial of order n about a (slider 0 … 8), and the
// error table. State in the URL: f, a (the centre), n (the order).
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";

const state = readState({ f: "sin(x)", a: 0, n: 3 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const aInput = control(controls, { id: "a", label: "centre a =", type: "number", value: state.a, step: 0.1 });
const nInput = control(controls, { id: "n", label: "order n", type: "range", value: state.n, step: 1, min: 0, max: 8 });
const nShown = element(controls, "output", { id: "n-value" });
const readout = element(main, "p", { className: "readout", id: "poly" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
const table = element(main, "table", { id: "table" });
let latest = 0;

async function update() {
  const mine = ++latest;  // answers can arrive out of order: draw only the newest
  writeState(state);
  nShown.textContent = `n = ${state.n}`;
  try {
    const t = await api("taylor", { expr: state.f, about: state.a, order: state.n });
    if (mine !== latest) return;
    status("");
    readout.textContent = `P${state.n}(x) = ${t.polynomials[state.n]}`;
    const pn = t.p[state.n];
    const b = board(plots, "taylor-board", t.x, [t.f], `f(x) = ${state.f} and its Taylor polynomial of order ${state.n}`);
    curve(b, t.x, t.f, [], "#1a5fb4", "f");
    curve(b, t.x, pn, [], "#e66100", `P${state.n}`);
    b.create("point", [state.a, t.f[Math.round((t.f.length - 1) / 2)] ?? 0], { fixed: true, name: "a", color: "#000" });
    table.replaceChildren();
    const head = element(table, "tr");
    for (const h of ["x", "f(x)", `P${state.n}(x)`, "|f − P|"]) element(head, "th", { textContent: h });
    for (const r of t.table) {
      const tr = element(table, "tr");
      tr.dataset.x = String(r.x);
      tr.dataset.p = String(r.p);
      for (const v of [r.x, r.f, r.p, r.error]) element(tr, "td", { textContent: fmt(v) });
    }
  } catch (err) {
    status(err.message, true);
  }
}

fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
aInput.addEventListener("change", () => { state.a = Number(aInput.value); update(); });
nInput.addEventListener("input", () => { state.n = Number(nInput.value); update(); });
window.addEventListener("load", update);
