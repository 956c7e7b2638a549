// The account graph as inline SVG: a small force layout (springs on edges, repulsion between nodes, the asked-for
// organisation pinned in the middle), deterministic so the same graph is always drawn the same way.

import { h, s } from "./dom.js";

const KINDS = {
  ORGANIZATION: { label: "organisation", radius: 14 },
  PROFILE: { label: "person", radius: 8 },
  OPPORTUNITY: { label: "opportunity", radius: 10 },
};
const SIZE = 800;

function layout(nodes, edges, rootId) {
  const count = nodes.length;
  const spots = nodes.map((node, i) => {
    // Start on rings by hop distance and kind: people and deals outside their organisations.
    const ring = 120 + 60 * node.depth + (node.kind === "ORGANIZATION" ? 0 : 120);
    const angle = (2 * Math.PI * i) / Math.max(count, 1);
    return node.id === rootId ? { x: 0, y: 0 } : { x: ring * Math.cos(angle), y: ring * Math.sin(angle) };
  });
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const links = edges.filter((e) => index.has(e.source) && index.has(e.target)).map((e) => [index.get(e.source), index.get(e.target)]);
  const rounds = count > 200 ? 120 : 300;
  const ideal = 90;
  for (let round = 0; round < rounds; round++) {
    const cooling = 1 - round / rounds;
    const moves = spots.map(() => ({ x: 0, y: 0 }));
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const dx = spots[i].x - spots[j].x || 0.01;
        const dy = spots[i].y - spots[j].y || 0.01;
        const square = Math.max(dx * dx + dy * dy, 25);
        const push = (ideal * ideal) / square;
        moves[i].x += dx * push * 0.05;
        moves[i].y += dy * push * 0.05;
        moves[j].x -= dx * push * 0.05;
        moves[j].y -= dy * push * 0.05;
      }
    }
    for (const [a, b] of links) {
      const dx = spots[b].x - spots[a].x;
      const dy = spots[b].y - spots[a].y;
      const distance = Math.sqrt(dx * dx + dy * dy) || 1;
      const pull = ((distance - ideal) / distance) * 0.1;
      moves[a].x += dx * pull;
      moves[a].y += dy * pull;
      moves[b].x -= dx * pull;
      moves[b].y -= dy * pull;
    }
    for (let i = 0; i < count; i++) {
      if (nodes[i].id === rootId) continue;
      const step = Math.sqrt(moves[i].x ** 2 + moves[i].y ** 2) || 1;
      const limit = Math.min(step, 30 * cooling + 1);
      spots[i].x += (moves[i].x / step) * limit;
      spots[i].y += (moves[i].y / step) * limit;
    }
  }
  return { spots, index };
}

function shorten(text, length = 22) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

// An <svg> of the graph; `open(node)` is called when a node is clicked (or activated with the keyboard).
export function drawAccountGraph(graph, rootId, open) {
  const { nodes, edges } = graph;
  const { spots, index } = layout(nodes, edges, rootId);
  const xs = spots.map((p) => p.x);
  const ys = spots.map((p) => p.y);
  const pad = 60;
  const minX = Math.min(...xs, 0) - pad;
  const minY = Math.min(...ys, 0) - pad;
  const width = Math.max(Math.max(...xs, 0) - minX + pad, 200);
  const height = Math.max(Math.max(...ys, 0) - minY + pad, 200);
  const svg = s("svg", {
    class: "account-graph",
    viewBox: `${minX.toFixed(1)} ${minY.toFixed(1)} ${width.toFixed(1)} ${height.toFixed(1)}`,
    width: SIZE,
    height: Math.round((SIZE * height) / width),
    role: "img",
    "aria-label": `account graph: ${nodes.length} nodes, ${edges.length} edges`,
  });
  const edgeLayer = s("g", { class: "edges" });
  const nodeLayer = s("g", { class: "nodes" });
  for (const edge of edges) {
    if (!index.has(edge.source) || !index.has(edge.target)) continue;
    const a = spots[index.get(edge.source)];
    const b = spots[index.get(edge.target)];
    const label = edge.role ? `${edge.type} · ${edge.role}` : edge.type;
    edgeLayer.append(
      s(
        "g",
        { class: `edge edge-${edge.type.toLowerCase()}`, "data-type": edge.type },
        s("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1) }),
        s("text", { x: ((a.x + b.x) / 2).toFixed(1), y: ((a.y + b.y) / 2).toFixed(1), "text-anchor": "middle" }, label),
      ),
    );
  }
  nodes.forEach((node, i) => {
    const kind = KINDS[node.kind] || { label: node.kind.toLowerCase(), radius: 8 };
    const { x, y } = spots[i];
    const clickable = node.kind === "ORGANIZATION" || node.kind === "PROFILE";
    const group = s(
      "g",
      {
        class: `node node-${node.kind.toLowerCase()}${node.id === rootId ? " root" : ""}${clickable ? " clickable" : ""}`,
        "data-id": node.id,
        "data-kind": node.kind,
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
        tabindex: clickable ? 0 : null,
        role: clickable ? "link" : null,
      },
      s("title", {}, `${kind.label}: ${node.label}`),
      s("circle", { r: node.id === rootId ? kind.radius + 4 : kind.radius }),
      s("text", { y: kind.radius + 13, "text-anchor": "middle" }, shorten(node.label)),
    );
    if (clickable) {
      group.addEventListener("click", () => open(node));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") open(node);
      });
    }
    nodeLayer.append(group);
  });
  svg.append(edgeLayer, nodeLayer);
  return svg;
}

export function graphLegend() {
  return h(
    "ul",
    { class: "legend" },
    Object.entries(KINDS).map(([kind, { label }]) =>
      h("li", {}, s("svg", { width: 14, height: 14, class: `node-${kind.toLowerCase()}` }, s("circle", { cx: 7, cy: 7, r: 6 })), label),
    ),
  );
}
