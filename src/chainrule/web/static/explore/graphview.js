// A computation graph (POST /api/graph) drawn in SVG: nodes in columns by depth, each showing
// its operator, formula, value and adjoint; edges drawn over the nodes (never hidden behind
// one) and labelled with their local derivative, and with the adjoint flowing back once the
// backward pass reaches them. Used by the chain-rule explorer.

const SVG = "http://www.w3.org/2000/svg";
export const NODE_W = 150, NODE_H = 66;
const GAP_X = 96, GAP_Y = 26, PAD = 16;

function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function fmt(v) {
  if (v === null || v === undefined) return "undefined";
  return Math.abs(v) < 1e-12 ? "0" : Number(v.toPrecision(5)).toString();
}

// Column = longest path from an input; rows in forward order. Returns positions and size.
export function layout(res) {
  const depth = new Map(res.nodes.map((n) => [n.id, 0]));
  for (const n of res.nodes) {  // forward (topological) order
    for (const e of res.edges) {
      if (e.target === n.id) depth.set(n.id, Math.max(depth.get(n.id), depth.get(e.source) + 1));
    }
  }
  const columns = [];
  for (const n of res.nodes) (columns[depth.get(n.id)] ||= []).push(n);
  const rows = Math.max(...columns.map((c) => c.length));
  const pos = new Map();
  columns.forEach((col, c) => col.forEach((n, r) => {
    // centre short columns vertically, so edges run mostly level
    const top = (rows - col.length) * (NODE_H + GAP_Y) / 2;
    pos.set(n.id, { x: PAD + c * (NODE_W + GAP_X), y: PAD + 18 + top + r * (NODE_H + GAP_Y) });
  }));
  const width = 2 * PAD + columns.length * (NODE_W + GAP_X) - GAP_X;
  const height = 2 * PAD + 18 + rows * (NODE_H + GAP_Y) - GAP_Y;
  return { pos, width, height };
}

// Draw `res` into `svg`. `shown` = { forward: k (nodes 0..k-1 show their value),
// backward: m (the last m edges in backward order show their flow, and their sources'
// adjoints) }.
export function draw(svg, res, shown) {
  const { pos, width, height } = layout(res);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  // shrink a wide graph to the page, but not below 60 % (then it scrolls): text stays legible
  svg.style.width = `max(${Math.round(0.6 * width)}px, min(100%, ${width}px))`;
  svg.style.height = "auto";
  const defs = el("defs", {});
  for (const [id, color] of [["arrow-fwd", "#5e6670"], ["arrow-back", "#c01c28"]]) {
    const m = el("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: "auto-start-reverse" });
    m.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: color }));
    defs.append(m);
  }
  svg.append(defs);
  const back = backwardOrder(res);
  const flowing = new Set(back.slice(0, shown.backward));
  const adjointKnown = new Set([res.nodes.find((n) => n.output)?.id]);
  if (shown.backward > 0) for (const e of flowing) adjointKnown.add(e.source);
  const nodeLayer = el("g", { class: "nodes" });
  const edgeLayer = el("g", { class: "edges" });
  for (const n of res.nodes) {
    const p = pos.get(n.id);
    const known = n.id < shown.forward;
    const g = el("g", { class: `node${n.input ? " input" : ""}${n.output ? " output" : ""}${known ? " known" : ""}`,
      "data-id": n.id, "data-name": n.name });
    g.append(el("rect", { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: n.input ? 26 : 8 }));
    const head = n.input ? n.name : `${n.name} = ${n.formula}`;
    g.append(el("text", { x: p.x + NODE_W / 2, y: p.y + 19, class: "formula" },
      head.length > 24 ? `${head.slice(0, 23)}…` : head));
    g.append(el("text", { x: p.x + NODE_W / 2, y: p.y + 38, class: "value" },
      known ? `= ${fmt(n.value)}` : "= ?"));
    g.append(el("text", { x: p.x + NODE_W / 2, y: p.y + 57, class: "adjoint" },
      adjointKnown.has(n.id) && shown.backward > 0 ? `∂${res.output}/∂${n.name} = ${fmt(n.adjoint)}` : ""));
    const title = el("title", {}, `${head}: value ${fmt(n.value)}, adjoint ${fmt(n.adjoint)}`);
    g.append(title);
    nodeLayer.append(g);
  }
  for (const e of res.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    const isFlowing = flowing.has(e);
    const path = `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`;
    edgeLayer.append(el("path", { d: path, class: `edge${isFlowing ? " flowing" : ""}`,
      "marker-end": "url(#arrow-fwd)", "data-source": e.source, "data-target": e.target }));
    const src = res.nodes[e.source].name, dst = res.nodes[e.target].name;
    // the label sits on the curve, in a gap between columns (the middle of the edge, or just
    // after the source for an edge that skips columns), on a background so it stays readable
    const [lx, ly] = x2 - x1 > GAP_X + 1 ? pointAtX(x1, y1, mx, x2, y2, x1 + GAP_X / 2) : [mx, (y1 + y2) / 2];
    const local = `∂${dst}/∂${src} = ${fmt(e.local)}`;
    const label = el("g", { class: "edge-label" });
    const lines = isFlowing ? [local, `← ${fmt(e.flow)}`] : [local];
    label.append(el("rect", { x: lx - 46, y: ly - 12, width: 92, height: 15 * lines.length + 4, rx: 3 }));
    lines.forEach((t, i) => label.append(el("text", { x: lx, y: ly + 2 + 15 * i,
      class: i ? "flow" : "local" }, t)));
    edgeLayer.append(label);
  }
  svg.append(nodeLayer, edgeLayer);  // edges last: on top of any node they pass
}

// The point of the edge's cubic Bézier (x1,y1) (mx,y1) (mx,y2) (x2,y2) whose x is nearest `x`.
function pointAtX(x1, y1, mx, x2, y2, x) {
  let best = [x1, y1];
  for (let i = 0; i <= 64; i++) {
    const t = i / 64, u = 1 - t;
    const px = u * u * u * x1 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x2;
    const py = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2;
    if (Math.abs(px - x) < Math.abs(best[0] - x)) best = [px, py];
  }
  return best;
}

// Edges in the order the backward pass uses them: from the output back (reverse topological
// order of their targets).
export function backwardOrder(res) {
  return [...res.edges].sort((p, q) => q.target - p.target || q.source - p.source);
}
