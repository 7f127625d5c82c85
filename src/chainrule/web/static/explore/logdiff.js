// The `logdiff` explorer (seed 000): x^x, x^(sin x), (sin x)^x, x^(1/x) or any typed function;
// f, ln f (on its own axis: it stays tame while f explodes) and f′; a probe to drag onto the
// minimum of x^x at 1/e or the maximum of x^(1/x) at e. State in the URL: f, x, from, to.
import { api, board, control, curve, element, fmt, readState, status, writeState } from "./common.js";

const PICKS = ["x^x", "x^(sin x)", "(sin x)^x", "x^(1/x)"];
const state = readState({ f: "x^x", x: 1, from: 0.05, to: 4 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const pickWrap = element(controls, "label", { textContent: "function " });
const pick = element(pickWrap, "select", { id: "pick" });
for (const p of [...PICKS, "typed…"]) pick.append(new Option(p, p));
pick.value = PICKS.includes(state.f) ? state.f : "typed…";
const fInput = control(controls, { id: "f", label: "f(x) =", value: state.f });
const xInput = control(controls, { id: "x", label: "probe x =", type: "range", value: state.x,
  step: 0.001, min: state.from, max: state.to });
const readout = element(main, "p", { className: "readout", id: "readout" });
readout.setAttribute("aria-live", "polite");
const plots = element(main, "div");
const extrema = element(main, "ul", { id: "extrema" });
let boards = [], probes = [], data = null, latest = 0;

async function redraw() {
  const mine = ++latest;
  writeState(state);
  try {
    const d = await api("plot", { expr: state.f, from: state.from, to: state.to, points: 601 });
    if (mine !== latest) return;
    data = d;
    status(`f′(x) = ${d.derivative}   (logarithmic differentiation: ln f, then d/dx, then × f)`);
    boards = [["f", d.f, "#1a5fb4"], ["lnf", d.lnf, "#613583"], ["df", d.df, "#c01c28"]].map(
      ([key, ys, color]) => {
        const b = board(plots, `board-${key}`, d.x, [ys], `${key === "lnf" ? "ln f" : key === "df" ? "f′" : "f"} of ${state.f}`);
        curve(b, d.x, ys, d.breaks[key], color, key);
        return [b, ys];
      });
    extrema.replaceChildren();
    for (const c of d.critical_points) {
      element(extrema, "li", { textContent: `${c.kind} at x = ${fmt(c.x)} (${c.exact || ""})` });
    }
    probes = [];
    moveProbe(state.x);
  } catch (err) {
    status(err.message, true);
  }
}

function moveProbe(x) {
  state.x = x;
  writeState(state);
  if (!data) return;
  // the nearest sample: the plot's own numbers, computed by the server
  let i = 0;
  data.x.forEach((xi, k) => { if (Math.abs(xi - x) < Math.abs(data.x[i] - x)) i = k; });
  for (const [b, p] of probes) b.removeObject(p);
  probes = boards.filter(([, ys]) => ys[i] !== null).map(([b, ys]) =>
    [b, b.create("point", [data.x[i], ys[i]], { fixed: true, name: "", color: "#000" })]);
  readout.replaceChildren();
  element(readout, "span", { textContent: `x = ${fmt(data.x[i])}, f = ${fmt(data.f[i])}, ln f = ${fmt(data.lnf[i])}, ` });
  const s = element(readout, "span", { id: "slope", textContent: `f′ = ${fmt(data.df[i])}` });
  s.dataset.value = String(data.df[i]);
  s.dataset.x = String(data.x[i]);
  s.className = data.df[i] !== null && Math.abs(data.df[i]) < 5e-3 ? "zero" : "";
}

pick.addEventListener("change", () => {
  if (pick.value !== "typed…") { state.f = pick.value; fInput.value = pick.value; redraw(); }
});
fInput.addEventListener("change", () => { state.f = fInput.value; pick.value = PICKS.includes(state.f) ? state.f : "typed…"; redraw(); });
xInput.addEventListener("input", () => moveProbe(Number(xInput.value)));
window.addEventListener("load", redraw);
