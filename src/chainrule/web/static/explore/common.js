// Shared helpers of the explorer pages: the JSON API, the state in the URL, a JSXGraph board.
// Each explorer is one module (derivative.js, ...) that imports these. The plot features every
// board gets (toolbar, legend, log axes, export, dark mode, history) are in plotkit.js.
import { decorate, register, remember, showHistory } from "./plotkit.js";

const explorerName = () => document.getElementById("main")?.dataset.explorer || "explorer";
window.addEventListener("load", () => showHistory(explorerName()));

export async function api(name, body) {
  const r = await fetch(`/api/${name}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  return data;
}

// The page's whole state lives in the query string: read it with defaults, write it back.
export function readState(defaults) {
  const q = new URLSearchParams(location.search);
  const state = {};
  for (const [k, v] of Object.entries(defaults)) {
    const given = q.get(k);
    state[k] = given === null ? v : typeof v === "number" ? numberOr(given, v) : given;
  }
  return state;
}

export function writeState(state) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) q.set(k, String(v));
  history.replaceState(null, "", `${location.pathname}?${q}`);
  remember(explorerName(), `?${q}`);
}

function numberOr(text, fallback) {
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}

export function status(message, isError = false) {
  const el = document.getElementById("status");
  el.textContent = message;
  el.classList.toggle("error", isError);
}

// A labelled control appended to `parent`; returns the input element.
export function control(parent, { id, label, type = "text", value, step, min, max }) {
  const wrap = document.createElement("label");
  wrap.textContent = `${label} `;
  const input = document.createElement("input");
  Object.assign(input, { id, type, spellcheck: false });
  if (step !== undefined) input.step = String(step);
  if (min !== undefined) input.min = String(min);
  if (max !== undefined) input.max = String(max);
  input.value = String(value);  // after min and max: a range input clamps to them
  wrap.append(input);
  parent.append(wrap);
  return input;
}

export function element(parent, tag, props = {}) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  parent.append(el);
  return el;
}

// A JSXGraph board in a fresh container; the y range from the finite values of `ys`.
export function board(parent, id, xs, ys, label, axisNames = ["x", "y"], features = {}) {
  const old = document.getElementById(id);
  if (old) { JXG.JSXGraph.freeBoard(old.board); old.remove(); document.getElementById(`${id}-tools`)?.remove(); }
  const div = element(parent, "div", { id, className: "board jxgbox" });
  div.setAttribute("role", "img");
  div.setAttribute("aria-label", label);
  const finite = ys.flat().filter((v) => v !== null && Number.isFinite(v));
  let lo = Math.min(...finite, 0), hi = Math.max(...finite, 0);
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const pad = 0.08 * (hi - lo);
  // keep x = 0 in view (a sliver beyond it) so the y axis and its labels show
  let left = xs[0], right = xs[xs.length - 1];
  if (left > 0) left = -0.03 * right;
  if (right < 0) right = -0.03 * left;
  const b = JXG.JSXGraph.initBoard(id, {
    boundingbox: [left, hi + pad, right, lo - pad], axis: true,
    keepaspectratio: false, showCopyright: false, showNavigation: true,
    pan: { enabled: true, needShift: false }, zoom: { wheel: true, needShift: false },
    defaultAxes: { x: { name: axisNames[0], withLabel: true, label: { position: "rt", offset: [-15, 12] } },
      y: { name: axisNames[1], withLabel: true, label: { position: "rt", offset: [8, -8] } } },
  });
  div.board = b;
  decorate(b, div, features);
  return b;
}

// Curve pieces of samples (null = gap; `breaks` = do not join i to i + 1).
export function curve(b, xs, ys, breaks, color, name) {
  const cut = new Set(breaks || []);
  let px = [], py = [];
  const flush = () => {
    if (px.length > 1) {
      const c = b.create("curve", [px, py], { strokeColor: color, strokeWidth: 2,
        name, highlight: false, fixed: true });
      register(b, c, px, py, name, color);
    }
    px = []; py = [];
  };
  xs.forEach((x, i) => {
    if (ys[i] === null) { flush(); return; }
    px.push(x); py.push(ys[i]);
    if (cut.has(i)) flush();
  });
  flush();
}

export function fmt(v) {
  if (v === null || v === undefined) return "undefined";
  return Math.abs(v) < 1e-12 ? "0" : Number(v.toPrecision(6)).toString();
}
