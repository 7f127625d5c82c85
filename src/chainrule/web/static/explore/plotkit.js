// Plot features shared by every explorer: a toolbar under each board (zoom in/out, reset, a
// y-range control, log axes, export as PNG or SVG), axis labels and a legend, dark mode
// (prefers-color-scheme), "copy as LaTeX" on formulas, and a history of recent inputs.
// common.js calls decorate() on every board it makes and remember() whenever the state changes.

export const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;

// Board texts as SVG (not HTML overlays) so an SVG/PNG export holds the labels too; light ink
// on a dark page in dark mode.
if (typeof JXG !== "undefined") {
  JXG.Options.text.display = "internal";
  if (dark) {
    const ink = "#dddddd";
    JXG.Options.text.strokeColor = ink;
    for (const k of ["axis", "ticks"]) JXG.Options[k].strokeColor = ink;
    JXG.Options.axis.highlightStrokeColor = ink;
    JXG.Options.ticks.label = { ...(JXG.Options.ticks.label || {}), strokeColor: ink };
    JXG.Options.navbar.strokeColor = ink;
  }
}

function add(parent, tag, props = {}) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  parent.append(el);
  return el;
}

function button(parent, text, label, onClick) {
  const b = add(parent, "button", { type: "button", textContent: text, className: "tool" });
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

// Data curves register their samples here so log axes can re-map them.
export function register(b, c, xs, ys, name, color) {
  c.raw = { xs: xs.slice(), ys: ys.map((v) => (v === null ? NaN : v)) };
  (b.dataCurves ||= []).push(c);
  if (name) legendEntry(b, name, color);
}

export function legendEntry(b, name, color) {
  const legend = b.legend;
  if (!legend || [...legend.children].some((li) => li.dataset.name === name)) return;
  const li = add(legend, "li");
  li.dataset.name = name;
  add(li, "span", { className: "swatch-line" }).style.background = color;
  add(li, "span", { textContent: name });
}

const log10 = (v) => (v > 0 ? Math.log10(v) : NaN);

function applyLog(b) {
  for (const c of b.dataCurves || []) {
    c.dataX = c.raw.xs.map((v) => (b.logX ? log10(v) : v));
    c.dataY = c.raw.ys.map((v) => (b.logY ? log10(v) : v));
  }
  // other objects (probes, tangents) live in linear coordinates: shown on linear axes only
  for (const el of Object.values(b.objects)) {
    if (el.elType === "axis" || el.elType === "ticks" || (b.dataCurves || []).includes(el)) continue;
    if (el.elType === "text" && el.htmlStr !== undefined && el.isLabel) continue;
    if (el.elType === "point" || el.elType === "line" || el.elType === "text" || el.elType === "curve") {
      el.setAttribute({ visible: !(b.logX || b.logY) });
    }
  }
  const xs = [], ys = [];
  for (const c of b.dataCurves || []) {
    c.dataX.forEach((x, i) => { if (Number.isFinite(x) && Number.isFinite(c.dataY[i])) { xs.push(x); ys.push(c.dataY[i]); } });
  }
  if (xs.length) {
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const px = 0.05 * (x1 - x0 || 1), py = 0.08 * (y1 - y0 || 1);
    b.setBoundingBox([x0 - px, y1 + py, x1 + px, y0 - py], false);
  }
  for (const [axis, on] of [[b.defaultAxes.x, b.logX], [b.defaultAxes.y, b.logY]]) {
    const ticks = axis.defaultTicks;
    ticks.generateLabelText = on ? (tick, zero, value) => `1e${Math.round(value ?? tick.usrCoords[axis === b.defaultAxes.x ? 1 : 2])}`
      : JXG.Ticks.prototype.generateLabelText;
    ticks.setAttribute({ ticksDistance: on ? 1 : ticks.visProp.ticksdistance, insertTicks: !on });
  }
  b.fullUpdate();
}

function serialize(b) {
  const svg = b.renderer.svgRoot.cloneNode(true);
  svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  svg.setAttribute("width", String(b.canvasWidth));
  svg.setAttribute("height", String(b.canvasHeight));
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  Object.entries({ width: "100%", height: "100%", fill: dark ? "#1e1e1e" : "#ffffff" }).forEach(([k, v]) => bg.setAttribute(k, v));
  svg.insertBefore(bg, svg.firstChild);
  return new XMLSerializer().serializeToString(svg);
}

export function svgText(b) { return serialize(b); }

function download(name, href) {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

function exportSvg(b, name) {
  download(`${name}.svg`, "data:image/svg+xml;charset=utf-8," + encodeURIComponent(serialize(b)));
}

function exportPng(b, name) {
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = b.canvasWidth * 2;
    canvas.height = b.canvasHeight * 2;
    const ctx = canvas.getContext("2d");
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    download(`${name}.png`, canvas.toDataURL("image/png"));
  };
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(serialize(b));
}

// The toolbar and legend under a board; `options.log` = false for boards where log axes make
// no sense (contour plots), `options.yRange` = false to leave out the y-range control.
export function decorate(b, div, options = {}) {
  const { log = true, yRange = true } = options;
  const name = div.id;
  const home = b.getBoundingBox();
  const bar = add(div.parentNode, "div", { className: "plot-tools", id: `${name}-tools` });
  div.after(bar);
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", `plot tools for ${div.getAttribute("aria-label") || name}`);
  b.legend = add(bar, "ul", { className: "legend", id: `${name}-legend` });
  b.legend.setAttribute("aria-label", "legend");
  button(bar, "+", "zoom in", () => b.zoomIn());
  button(bar, "−", "zoom out", () => b.zoomOut());
  button(bar, "⟲", "reset the view", () => b.setBoundingBox(b.home || home, b.keepAspect || false));
  if (yRange) {
    const lo = add(bar, "input", { type: "number", step: "any", id: `${name}-ymin`, className: "yr" });
    const hi = add(bar, "input", { type: "number", step: "any", id: `${name}-ymax`, className: "yr" });
    lo.setAttribute("aria-label", "lowest y shown");
    hi.setAttribute("aria-label", "highest y shown");
    const show = () => { const [, top, , bottom] = b.getBoundingBox(); lo.value = Number(bottom.toPrecision(4)); hi.value = Number(top.toPrecision(4)); };
    show();
    b.on("boundingbox", show);
    const apply = () => {
      const [left, , right] = b.getBoundingBox();
      const y0 = Number(lo.value), y1 = Number(hi.value);
      if (Number.isFinite(y0) && Number.isFinite(y1) && y1 > y0) b.setBoundingBox([left, y1, right, y0], false);
    };
    lo.addEventListener("change", apply);
    hi.addEventListener("change", apply);
  }
  if (log) {
    for (const axis of ["x", "y"]) {
      const wrap = add(bar, "label", { className: "tool" });
      const box = add(wrap, "input", { type: "checkbox", id: `${name}-log${axis}` });
      wrap.append(` log ${axis}`);
      box.addEventListener("change", () => { b[axis === "x" ? "logX" : "logY"] = box.checked; applyLog(b); });
    }
  }
  button(bar, "PNG", "export the plot as PNG", () => exportPng(b, name));
  button(bar, "SVG", "export the plot as SVG", () => exportSvg(b, name));
  return bar;
}

// A formula shown as MathML (from our server's printer) with a "copy as LaTeX" button.
export function formula(parent, { mathml, latex, text }, label = "") {
  const box = add(parent, "span", { className: "formula" });
  if (label) add(box, "span", { className: "formula-label", textContent: label });
  const shown = add(box, "span", { className: "formula-math" });
  if (mathml) shown.innerHTML = mathml; else shown.textContent = text || "";
  box.dataset.latex = latex || "";
  box.dataset.text = text || "";
  const copy = button(box, "copy LaTeX", `copy ${label || text || "the formula"} as LaTeX`, async () => {
    const done = await copyText(latex || text || "");
    copy.textContent = done ? "copied ✓" : "select and copy";
    setTimeout(() => { copy.textContent = "copy LaTeX"; }, 1500);
  });
  copy.classList.add("copy-latex");
  return box;
}

// The inside of a <math> element (to compose several of the server's formulas into one).
export function mathInner(ml) {
  return ml ? ml.replace(/^\s*<math[^>]*>/, "").replace(/<\/math>\s*$/, "") : null;
}

// `<math>` around MathML pieces; null when any piece is missing.
export function mathOf(...pieces) {
  return pieces.every((p) => p !== null) ? `<math>${pieces.join("")}</math>` : null;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = add(document.body, "textarea", { value: text });
    area.select();
    const ok = document.execCommand && document.execCommand("copy");
    area.remove();
    return Boolean(ok);
  }
}

// Recent inputs, per explorer, in localStorage (the browser's own storage; nothing is sent).
const HISTORY_SIZE = 12;
const key = (name) => `chainrule-history-${name}`;

export function recent(name) {
  try { return JSON.parse(localStorage.getItem(key(name)) || "[]"); } catch { return []; }
}

// What was typed (the fields that are not numbers: f, u, v): a change of it is a new input;
// a change of numbers only (a dragged point, a slider) replaces the entry still pending.
const typed = (search) => [...new URLSearchParams(search)].filter(([, v]) => !Number.isFinite(Number(v))).join("&");

function save(name, search) {
  const list = recent(name).filter((e) => e.search !== search);
  list.unshift({ search, label: decodeURIComponent(search.replace(/^\?/, "").replace(/\+/g, " ")).replace(/&/g, ", ") });
  try { localStorage.setItem(key(name), JSON.stringify(list.slice(0, HISTORY_SIZE))); } catch { /* storage full or off */ }
  showHistory(name);
}

let pending = null, timer = null;
export function remember(name, search, delay = 800) {
  clearTimeout(timer);
  if (pending !== null && typed(pending) !== typed(search)) save(name, pending);
  pending = search;
  timer = setTimeout(() => { save(name, pending); pending = null; }, delay);
}

export function showHistory(name) {
  const main = document.getElementById("main");
  if (!main) return;
  let box = document.getElementById("history");
  if (!box) {
    box = add(main, "details", { id: "history", className: "history" });
    add(box, "summary", { textContent: "Recent inputs" });
    add(box, "ol");
  }
  const list = box.querySelector("ol");
  list.replaceChildren();
  for (const e of recent(name)) {
    const li = add(list, "li");
    add(li, "a", { href: `${location.pathname}${e.search}`, textContent: e.label });
  }
  const clear = box.querySelector("button") || button(box, "clear", "clear the recent inputs", () => {
    localStorage.removeItem(key(name));
    showHistory(name);
  });
  clear.hidden = list.children.length === 0;
}
