// Search organisations by name or domain, a page at a time.

import { query } from "./api.js";
import { clear, h, link, message, table } from "./dom.js";
import { SEARCH_ORGANIZATIONS } from "./queries.js";

const PAGE = 20;

export function searchView(view, text) {
  const input = h("input", { id: "org-search", type: "search", placeholder: "company name or domain", value: text });
  const results = h("div", { id: "search-results" });
  const form = h(
    "form",
    { class: "search", role: "search" },
    h("label", { for: "org-search" }, "Organisations"),
    input,
    h("button", { type: "submit", id: "org-search-go" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = `#/search?q=${encodeURIComponent(input.value.trim())}`;
    if (location.hash === next) load(results, input.value.trim(), null);
    else location.hash = next;
  });
  clear(view, h("h1", {}, "Organisations"), form, results);
  load(results, text, null);
}

async function load(results, text, after, rows = []) {
  if (!after) clear(results, message("Searching…"));
  let page;
  try {
    const data = await query(SEARCH_ORGANIZATIONS, { search: text || null, first: PAGE, after });
    page = data.organizations;
  } catch (error) {
    clear(results, message(error.message, "error"));
    return;
  }
  const all = rows.concat(
    page.edges.map(({ node }) => [
      link(`/org/${encodeURIComponent(node.id)}`, node.name || node.id),
      node.domains.join(", "),
      h("code", {}, node.id),
    ]),
  );
  const more = page.pageInfo.hasNextPage
    ? h("button", { type: "button", class: "more", onclick: () => load(results, text, page.pageInfo.endCursor, all) }, "More")
    : null;
  clear(
    results,
    h("p", { class: "count" }, `${page.totalCount} organisation${page.totalCount === 1 ? "" : "s"}`),
    all.length ? table(["name", "domains", "ID"], all, { class: "results" }) : message("Nothing matches."),
    more,
  );
}
