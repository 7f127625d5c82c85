// The `chain-rule` explorer (seed 003): the computation graph of any expression — by default
// the neuron x → w·x + b → ReLU → L — with an animated forward pass (each node's value) and then
// the backward flow (each node's adjoint ∂L/∂node), every edge labelled with its local
// derivative. Edit w, b, x and watch the gradient; push w·x + b below 0 and the ReLU is dead.
// State in the URL: f (the expression), at (the inputs' values), step (how far the animation is).
import { api, control, element, readState, status, writeState } from "./common.js";
import { backwardOrder, draw, fmt } from "./graphview.js";
import { useStyle } from "./walkthrough.js";

useStyle();
const state = readState({ f: "(relu(w*x + b) - y)^2", at: "w=3, x=2, b=0, y=1", step: -1 });
const main = document.getElementById("main");
const controls = element(main, "div", { className: "controls" });
const fInput = control(controls, { id: "f", label: "L =", value: state.f });
const atInput = control(controls, { id: "at", label: "at", value: state.at });
const inputs = element(main, "div", { className: "controls", id: "inputs" });
const player = element(main, "div", { className: "controls", id: "player" });
const forwardButton = element(player, "button", { type: "button", id: "play-forward", textContent: "▶ forward pass" });
const backwardButton = element(player, "button", { type: "button", id: "play-backward", textContent: "◀ backward pass" });
const nextButton = element(player, "button", { type: "button", id: "next", textContent: "next step" });
const stepInput = control(player, { id: "step", label: "step", type: "range", value: 0, step: 1, min: 0, max: 1 });
const phase = element(player, "output", { id: "phase" });
const dead = element(main, "p", { id: "dead", className: "warning" });
const gradient = element(main, "p", { className: "readout", id: "gradient" });
gradient.setAttribute("aria-live", "polite");
const wrap = element(main, "div", { className: "graph-scroll" });
const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
svg.id = "graph";
svg.setAttribute("role", "img");
wrap.append(svg);
const table = element(main, "table", { id: "nodes" });

let res = null, timer = null, latest = 0;
const total = () => res.nodes.length + res.edges.length;
const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function parsePoint(text) {
  const out = [];
  for (const part of text.split(/[,;]/)) {
    const [k, v] = part.split("=").map((s) => s.trim());
    if (k && v !== undefined) out.push([k, v]);
  }
  return out;
}

async function load() {
  const mine = ++latest;
  writeState(state);
  try {
    const r = await api("graph", { expr: state.f, at: state.at });
    if (mine !== latest) return;
    res = r;
    status("");
    renderInputs();
    stepInput.max = String(total());
    if (state.step < 0 || state.step > total()) state.step = total();
    show();
  } catch (err) {
    status(err.message, true);
  }
}

function renderInputs() {
  const given = new Map(parsePoint(state.at));
  inputs.replaceChildren();
  for (const name of Object.keys(res.gradient)) {
    const input = control(inputs, { id: `var-${name}`, label: `${name} =`, type: "number",
      value: given.get(name) ?? 0, step: 0.5 });
    input.addEventListener("change", () => {
      given.set(name, input.value);
      state.at = [...given].map(([k, v]) => `${k}=${v}`).join(", ");
      atInput.value = state.at;
      load();
    });
  }
}

function show() {
  stepInput.value = String(state.step);
  writeState(state);
  const n = res.nodes.length;
  const forward = Math.min(state.step, n), backward = Math.max(0, state.step - n);
  draw(svg, res, { forward, backward });
  svg.setAttribute("aria-label", `computation graph of ${res.output} = ${res.expr}: ${res.text}`);
  phase.textContent = state.step <= n ? `forward pass: ${forward} of ${n} values`
    : `backward pass: ${backward} of ${res.edges.length} edges`;
  const edges = backwardOrder(res);
  const current = state.step > n ? edges[backward - 1] : null;
  phase.textContent += current
    ? ` — ∂${res.output}/∂${res.nodes[current.source].name} gets ${fmt(current.flow)} = `
      + `${fmt(res.nodes[current.target].adjoint)} · ${fmt(current.local)} from ${res.nodes[current.target].name}`
    : "";
  renderGradient(state.step === total());
  renderDead();
  renderTable(forward, backward);
}

function renderGradient(done) {
  gradient.replaceChildren();
  if (!done) { gradient.textContent = "play both passes to read the gradient"; return; }
  element(gradient, "span", { textContent: `${res.output} = ${fmt(res.nodes.find((x) => x.output).value)};  ` });
  for (const [name, value] of Object.entries(res.gradient)) {
    const s = element(gradient, "span", { className: "partial", textContent: `∂${res.output}/∂${name} = ${fmt(value)}  ` });
    s.dataset.name = name;
    s.dataset.value = String(value);
  }
}

// A ReLU whose input is ≤ 0 passes nothing back: its local derivative is 0.
function renderDead() {
  const off = res.nodes.filter((n) => n.op === "relu").map((n) => {
    const e = res.edges.find((x) => x.target === n.id);
    return { n, input: res.nodes[e.source] };
  }).filter(({ input }) => input.value !== null && input.value <= 0);
  dead.textContent = off.map(({ n, input }) =>
    `Dead ReLU: ${n.name} = ${n.formula} has input ${input.name} = ${fmt(input.value)} ≤ 0, so its ` +
    `local derivative is 0 and no gradient flows back through it.`).join(" ");
  dead.hidden = off.length === 0;
}

function renderTable(forward, backward) {
  table.replaceChildren();
  const head = element(table, "tr");
  for (const h of ["node", "computes", "value", `∂${res.output}/∂node`]) element(head, "th", { textContent: h });
  const known = new Set(backwardOrder(res).slice(0, backward).map((e) => e.source));
  for (const n of res.nodes) {
    const tr = element(table, "tr");
    tr.dataset.name = n.name;
    const adj = n.output || known.has(n.id) ? fmt(n.adjoint) : "";
    for (const v of [n.name, n.input ? "input" : n.formula, n.id < forward ? fmt(n.value) : "",
      backward > 0 ? adj : ""]) element(tr, "td", { textContent: v });
  }
}

function play(from, to) {
  clearInterval(timer);
  if (reduced) { state.step = to; show(); return; }
  state.step = from;
  show();
  timer = setInterval(() => {
    if (state.step >= to) { clearInterval(timer); return; }
    state.step += 1;
    show();
  }, 450);
}

forwardButton.addEventListener("click", () => play(0, res.nodes.length));
backwardButton.addEventListener("click", () => play(res.nodes.length, total()));
nextButton.addEventListener("click", () => { clearInterval(timer); state.step = Math.min(total(), state.step + 1); show(); });
stepInput.addEventListener("input", () => { clearInterval(timer); state.step = Number(stepInput.value); show(); });
fInput.addEventListener("change", () => { state.f = fInput.value; state.step = -1; load(); });
atInput.addEventListener("change", () => { state.at = atInput.value; load(); });
window.addEventListener("load", load);
