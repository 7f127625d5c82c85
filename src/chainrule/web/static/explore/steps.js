// The `steps` explorer (seed 000's walkthrough): logarithmic differentiation of any expression
// as its four steps — take ln of both sides, differentiate both sides, simplify, multiply by y —
// shown one at a time with "next step". The steps are the engine's own (POST /api/log_steps);
// at the end, f′ at x, with the plain rules' value where the recipe's answer divides by zero.
// State in the URL: f, x, step (0 … the number of steps).
import { api, control, element, fmt, readState, status, writeState } from "./common.js";
import { setMath, useStyle } from "./walkthrough.js";

useStyle();
// The recipe's reason for each step, by the engine's step class (its JSON `kind`; the engine
// leaves out step 3 when the right side is already tidy, so there may be three steps).
const WHY = {
  TakeLog: "Logarithms turn powers into products and products into sums, so a variable exponent comes down.",
  DifferentiateBothSides: "The left side by the chain rule: d/dx ln|y| = y′/y. The right side is now a sum of simpler terms.",
  SimplifyRight: "Tidy the right side; it still equals y′/y.",
  SolveForDerivative: "Multiply both sides by y and put y = f(x) back: that is f′(x).",
};
const LAST = "SolveForDerivative";
const PICKS = ["x^x", "x^(sin x)", "(sin x)^x", "x^(1/x)", "x^2 (x+1)^3 sin(x)"];
const state = readState({ f: "x^x", x: 2, step: 1 });
const count = () => (data ? data.stages.length : 4);
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const pickWrap = element(controls, "label", { textContent: "example " });
const pick = element(pickWrap, "select", { id: "pick" });
for (const p of [...PICKS, "typed…"]) pick.append(new Option(p, p));
pick.value = PICKS.includes(state.f) ? state.f : "typed…";
const fInput = control(controls, { id: "f", label: "y = f(x) =", value: state.f });
const xInput = control(controls, { id: "x", label: "evaluate at x =", type: "number", value: state.x, step: 0.5 });
const nav = element(main, "div", { className: "controls" });
const prev = element(nav, "button", { type: "button", id: "prev", textContent: "◀ previous step" });
const next = element(nav, "button", { type: "button", id: "next", textContent: "next step ▶" });
const all = element(nav, "button", { type: "button", id: "all", textContent: "show all" });
const progress = element(nav, "output", { id: "progress" });
const stages = element(main, "ol", { id: "stages" });
stages.setAttribute("aria-live", "polite");
const result = element(main, "p", { className: "readout", id: "result" });
let data = null, latest = 0;

async function load() {
  const mine = ++latest;
  writeState(state);
  try {
    const d = await api("log_steps", { expr: state.f, at: state.x });
    if (mine !== latest) return;
    data = d;
    status("");
    show();
  } catch (err) {
    data = null;
    stages.replaceChildren();
    result.textContent = "";
    status(err.message, true);
  }
}

function substeps(parent, node) {
  const subs = node.substeps || [];
  if (!subs.length) return;
  const details = element(parent, "details");
  element(details, "summary", { textContent: "how the right side is differentiated" });
  const list = element(details, "ul");
  const walk = (n, into) => {
    const li = element(into, "li");
    element(li, "span", { className: "rule", textContent: `${n.rule}: ` });
    setMath(element(li, "span"), n.mathml, n.statement);
    if (n.substeps?.length) { const ul = element(li, "ul"); n.substeps.forEach((s) => walk(s, ul)); }
  };
  subs.forEach((s) => walk(s, list));
}

function show() {
  if (!data) return;
  state.step = Math.max(0, Math.min(count(), state.step));
  writeState(state);
  progress.textContent = `step ${state.step} of ${count()}`;
  prev.disabled = state.step === 0;
  next.disabled = state.step === count();
  stages.replaceChildren();
  const y = element(stages, "li", { className: "stage", value: 0 });
  element(y, "h2", { textContent: "Start" });
  element(y, "p", { textContent: `y = ${data.expr}` });
  data.stages.slice(0, state.step).forEach((s, i) => {
    const li = element(stages, "li", { className: "stage" });
    li.dataset.step = String(i + 1);
    element(li, "h2", { textContent: `Step ${i + 1}: ${s.rule}` });
    setMath(element(li, "div", { className: "statement" }), s.mathml, s.statement);
    // the engine's own note where it has one (step 4's names y), else the recipe's reason
    const why = !s.note ? WHY[s.kind] : s.kind === LAST ? `${WHY[s.kind]} Here ${s.note}.` : s.note;
    element(li, "p", { className: "why", textContent: why });
    substeps(li, s);
  });
  result.replaceChildren();
  if (state.step < count()) { result.textContent = "press “next step”"; return; }
  const v = element(result, "span", { id: "value", textContent: `f′(${fmt(data.at)}) = ${fmt(data.value)}` });
  v.dataset.value = String(data.value);
  if (data.note) element(result, "span", { id: "note", className: "warning", textContent: ` — ${data.note}` });
}

prev.addEventListener("click", () => { state.step -= 1; show(); });
next.addEventListener("click", () => { state.step += 1; show(); });
all.addEventListener("click", () => { state.step = count(); show(); });
pick.addEventListener("change", () => {
  if (pick.value !== "typed…") { state.f = pick.value; fInput.value = pick.value; state.step = 1; load(); }
});
fInput.addEventListener("change", () => { state.f = fInput.value; pick.value = PICKS.includes(state.f) ? state.f : "typed…"; state.step = 1; load(); });
xInput.addEventListener("change", () => { state.x = Number(xInput.value); load(); });
window.addEventListener("load", load);
