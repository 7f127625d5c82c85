// The `integration` explorer (seed 003): Monte Carlo integration. Random points fall in a box
// around the curve; those between the axis and the curve count +1 (above the axis) or −1
// (below), so the box's area × the mean count estimates ∫f. The running estimate with its 95 %
// error bar closes in on the exact value as n grows. The numbers are chainrule.mc.integrate's
// (POST /api/mc_integrate). State in the URL: f, from, to, n, seed.
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";
import { useStyle } from "./walkthrough.js";

useStyle();
const state = readState({ f: "sin(x)", from: 0, to: 3.14159, n: 1000, seed: 0 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const fromInput = control(controls, { id: "from", label: "from", type: "number", value: state.from, step: 0.5 });
const toInput = control(controls, { id: "to", label: "to", type: "number", value: state.to, step: 0.5 });
const nWrap = element(controls, "label", { textContent: "n " });
const nPick = element(nWrap, "select", { id: "n" });
for (const n of [100, 300, 1000, 3000, 10000, 30000, 100000]) nPick.append(new Option(n.toLocaleString("en"), String(n)));
nPick.value = String(state.n);
const seedInput = control(controls, { id: "seed", label: "seed", type: "number", value: state.seed, step: 1, min: 0 });
const again = element(controls, "button", { type: "button", id: "again", textContent: "new points" });
const play = element(controls, "button", { type: "button", id: "play", textContent: "▶ drop the points" });
const readout = element(main, "p", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
const legend = element(main, "p", { className: "legend",
  textContent: "blue: under the curve (+1) · orange: between a negative curve and the axis (−1) · grey: outside (0)" });
let data = null, timer = null, latest = 0, dotBoard = null;
const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

async function update() {
  const mine = ++latest;
  clearInterval(timer);
  writeState(state);
  try {
    const d = await api("mc_integrate", { expr: state.f, from: state.from, to: state.to, n: state.n, seed: state.seed });
    if (mine !== latest) return;
    data = d;
    status("");
    drawDots(d.dots.length);
    drawRunning();
    showEstimate(d.running.length - 1);
  } catch (err) {
    status(err.message, true);
  }
}

function drawDots(k) {
  const d = data;
  const [x0, y0, x1, y1] = d.box;
  dotBoard = board(plots, "dots-board", [x0, x1], [[y0, y1]], `${k} random points and the curve f(x) = ${state.f}`);
  dotBoard.suspendUpdate();
  curve(dotBoard, d.x, d.f, [], "#1d2126", "f");
  dotBoard.create("polygon", [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
    { fillOpacity: 0, borders: { strokeColor: "#8893a0", dash: 2 }, vertices: { visible: false }, fixed: true, highlight: false });
  const colors = { 1: "#1a5fb4", "-1": "#e66100", 0: "#9aa1a9" };
  for (const [x, y, s] of d.dots.slice(0, k)) {
    dotBoard.create("point", [x, y], { size: 1, fixed: true, withLabel: false, showInfobox: false,
      strokeColor: colors[s], fillColor: colors[s], highlight: false });
  }
  dotBoard.unsuspendUpdate();
}

function drawRunning() {
  const r = data.running.filter((p) => p.stderr !== null);
  const xs = r.map((p) => Math.log10(p.n));
  const lo = r.map((p) => p.estimate - 1.96 * p.stderr), hi = r.map((p) => p.estimate + 1.96 * p.stderr);
  // the y range from the later half (the first few n swing widely), and the exact value
  const late = Math.floor(r.length / 3);
  const b = board(plots, "running-board", xs, [lo.slice(late), hi.slice(late), [data.exact]],
    "running estimate against log10 n, with its 95% error bar, and the exact value");
  b.suspendUpdate();
  b.create("line", [[0, data.exact], [1, data.exact]], { strokeColor: "#0a7d27", dash: 2, fixed: true, name: "exact", withLabel: false, highlight: false });
  r.forEach((p, i) => {
    b.create("segment", [[xs[i], lo[i]], [xs[i], hi[i]]], { strokeColor: "#8893a0", fixed: true, highlight: false });
    b.create("point", [xs[i], p.estimate], { size: 2, fixed: true, withLabel: false, color: "#1a5fb4", highlight: false });
  });
  b.create("text", [xs[0], data.exact, "exact"], { fixed: true, color: "#0a7d27" });
  b.unsuspendUpdate();
}

// The readout after running[i].n points (the last one: all n, chainrule.mc.integrate's result).
function showEstimate(i) {
  const p = data.running[i];
  const last = i === data.running.length - 1;
  const value = last ? data.estimate : p.estimate, err = last ? data.stderr : p.stderr;
  readout.replaceChildren();
  const e = element(readout, "span", { id: "estimate",
    textContent: `n = ${p.n.toLocaleString("en")}: estimate ${fmt(value)} ± ${fmt(1.96 * (err ?? NaN))} (95 %)` });
  e.dataset.value = String(value);
  e.dataset.stderr = String(err);
  e.dataset.n = String(p.n);
  const x = element(readout, "span", { id: "exact", textContent: `;  exact ∫ = ${fmt(data.exact)}` });
  x.dataset.value = String(data.exact);
  const off = Math.abs(value - data.exact);
  element(readout, "span", { id: "off", textContent: `;  off by ${fmt(off)}${err ? ` = ${fmt(off / err)} standard errors` : ""}` });
}

play.addEventListener("click", () => {
  if (!data) return;
  clearInterval(timer);
  if (reduced) { drawDots(data.dots.length); showEstimate(data.running.length - 1); return; }
  let i = 0;
  timer = setInterval(() => {
    const n = data.running[i].n;
    drawDots(Math.min(n, data.dots.length));
    showEstimate(i);
    i += 1;
    if (i >= data.running.length) clearInterval(timer);
  }, 120);
});
fInput.addEventListener("change", () => { state.f = fInput.value; update(); });
for (const [input, key] of [[fromInput, "from"], [toInput, "to"], [seedInput, "seed"]]) {
  input.addEventListener("change", () => { state[key] = Number(input.value); update(); });
}
nPick.addEventListener("change", () => { state.n = Number(nPick.value); update(); });
again.addEventListener("click", () => { state.seed += 1; seedInput.value = String(state.seed); update(); });
window.addEventListener("load", update);
