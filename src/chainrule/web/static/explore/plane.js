// Drawing helpers of the explorers of two variables (partials, gradient, jacobian, hessian,
// optimization): a board over a region of the plane, a heat map, contour lines, arrows, a
// draggable point kept in step with two number inputs. The numbers all come from the API.
import { element } from "./common.js";
import { dark, decorate, legendEntry } from "./plotkit.js";

export const COLORS = dark
  ? { f: "#8cb4ff", x: "#ff8a80", y: "#69db7c", point: "#ffffff", arrow: "#cccccc", accent: "#ffb347", q: "#ff8a80" }
  : { f: "#1a5fb4", x: "#c01c28", y: "#26a269", point: "#000000", arrow: "#555555", accent: "#e66100", q: "#c01c28" };

export function planeBoard(parent, id, box, label, names = ["x", "y"], features = { log: false, yRange: false }) {
  const old = document.getElementById(id);
  if (old) { JXG.JSXGraph.freeBoard(old.board); old.remove(); document.getElementById(`${id}-tools`)?.remove(); }
  const div = element(parent, "div", { id, className: "board square jxgbox" });
  div.setAttribute("role", "img");
  div.setAttribute("aria-label", label);
  const [x0, x1, y0, y1] = box;
  const b = JXG.JSXGraph.initBoard(id, {
    boundingbox: [x0, y1, x1, y0], axis: true, keepaspectratio: false, showCopyright: false,
    showNavigation: true, pan: { enabled: true, needShift: false },
    zoom: { wheel: true, needShift: false },
    defaultAxes: { x: { name: names[0], withLabel: true, label: { position: "rt", offset: [-15, 12] } },
      y: { name: names[1], withLabel: true, label: { position: "rt", offset: [8, -8] } } },
  });
  div.board = b;
  b.home = [x0, y1, x1, y0];
  decorate(b, div, features);
  return b;
}

// A colour for t in [0, 1]: blue (low) through white-ish to orange (high).
function shade(t) {
  const stops = dark
    ? [[20, 40, 90], [40, 110, 140], [120, 160, 90], [200, 140, 50]]
    : [[60, 90, 190], [150, 200, 230], [245, 240, 200], [240, 150, 70]];
  const s = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(s), stops.length - 2), f = s - i;
  return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
}

// The grid z (rows over ys) as an image under everything else.
export function heatmap(b, xs, ys, z, range) {
  const n = xs.length, m = ys.length;
  const canvas = document.createElement("canvas");
  canvas.width = n; canvas.height = m;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, m);
  const [lo, hi] = range;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const v = z[j][i], k = 4 * ((m - 1 - j) * n + i);  // row 0 of the image is the top
      if (v === null || !(hi > lo)) { img.data[k + 3] = 0; continue; }
      const [r, g, bl] = shade((v - lo) / (hi - lo));
      img.data.set([r, g, bl, 200], k);
    }
  }
  ctx.putImageData(img, 0, 0);
  const dx = (xs[n - 1] - xs[0]) / (n - 1) / 2, dy = (ys[m - 1] - ys[0]) / (m - 1) / 2;
  return b.create("image", [canvas.toDataURL(), [xs[0] - dx, ys[0] - dy],
    [xs[n - 1] - xs[0] + 2 * dx, ys[m - 1] - ys[0] + 2 * dy]], { fixed: true, highlight: false, layer: 0 });
}

const nan = (v) => (v === null ? NaN : v);

// Contour lines from the API (segments separated by null), one curve per level.
export function contourLines(b, contours, color, name = "contours of f", dash = 0) {
  const out = [];
  for (const c of contours) {
    if (!c.x.length) continue;
    out.push(b.create("curve", [c.x.map(nan), c.y.map(nan)], { strokeColor: color, strokeWidth: 1.2,
      strokeOpacity: 0.85, dash, fixed: true, highlight: false, name: "" }));
  }
  legendEntry(b, name, color);
  return out;
}

// Arrows at (x, y) along (gx, gy), scaled so the longest is `size` long.
export function arrowField(b, a, size, color = COLORS.arrow, name = "∇f") {
  const lengths = a.gx.map((g, i) => (g === null || a.gy[i] === null ? 0 : Math.hypot(g, a.gy[i])));
  const longest = Math.max(...lengths) || 1;
  const out = [];
  a.x.forEach((x, i) => {
    if (!lengths[i]) return;
    const s = size / longest;
    out.push(b.create("arrow", [[x, a.y[i]], [x + s * a.gx[i], a.y[i] + s * a.gy[i]]],
      { strokeColor: color, strokeWidth: 1, fixed: true, highlight: false, lastArrow: { type: 2, size: 4 } }));
  });
  legendEntry(b, name, color);
  return out;
}

// A point to drag, kept in step with the inputs xInput and yInput; `onMove(x, y, final)`.
export function dragPoint(b, x, y, xInput, yInput, onMove, name = "(x₀, y₀)") {
  const p = b.create("point", [x, y], { name, size: 5, color: COLORS.accent, withLabel: true,
    showInfobox: false });
  const round = (v) => Number(v.toFixed(3));
  p.on("drag", () => { xInput.value = round(p.X()); yInput.value = round(p.Y()); onMove(round(p.X()), round(p.Y()), false); });
  p.on("up", () => onMove(round(p.X()), round(p.Y()), true));
  return p;
}

// Send requests one at a time: while one is out, only the newest wish is kept.
export function serial(fn) {
  let busy = false, next = null;
  const run = async (args) => {
    busy = true;
    try { await fn(...args); } finally {
      busy = false;
      if (next) { const a = next; next = null; run(a); }
    }
  };
  return (...args) => { if (busy) next = args; else run(args); };
}

export function box(state) { return [state.xmin, state.xmax, state.ymin, state.ymax]; }

export function fmtMatrix(m) { return m.map((row) => row.map((v) => fmt4(v)).join("  ")).join("\n"); }

export function fmt4(v) {
  if (v === null || v === undefined) return "undefined";
  return Math.abs(v) < 1e-12 ? "0" : Number(v.toPrecision(4)).toString();
}
