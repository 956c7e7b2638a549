// DOM helpers: every piece of data goes in as a text node or an attribute value, never as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// h("a", {href: "#/x"}, "text", otherNode): an HTML element.
export function h(tag, attributes, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

// s("circle", {r: 5}): an SVG element.
export function s(tag, attributes, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

export function clear(element, ...children) {
  element.replaceChildren();
  return fill(element, {}, children);
}

export function link(route, text) {
  return h("a", { href: `#${route}` }, text);
}

// A table with a header row; `rows` are arrays of cells (text or nodes).
export function table(headers, rows, attributes = {}) {
  return h(
    "table",
    attributes,
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))),
  );
}

export function message(text, kind = "info") {
  return h("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

// Text for a JSON value of the API (traits, properties): strings as they are, the rest as JSON.
export function show(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function when(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

export function personName(traits, fallback) {
  const byName = Object.fromEntries(traits.map((t) => [t.name, show(t.value)]));
  const name = [byName.first_name, byName.last_name].filter(Boolean).join(" ");
  return name || fallback;
}
