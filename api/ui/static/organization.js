// One organisation: overview (records, domains, parent, subsidiaries, opportunities), contacts, engagement, the
// buying committee and the account graph. Each part is its own query, so one failing leaves the others shown.

import { query } from "./api.js";
import { clear, h, link, message, percent, personName, show, table, when } from "./dom.js";
import { drawAccountGraph, graphLegend } from "./graph.js";
import {
  ACCOUNT_GRAPH,
  BUYING_COMMITTEE,
  ORGANIZATION_CONTACTS,
  ORGANIZATION_ENGAGEMENT,
  ORGANIZATION_OVERVIEW,
} from "./queries.js";

const ROLE_NAMES = {
  DECISION_MAKER: "decision maker",
  ECONOMIC_BUYER: "economic buyer",
  CHAMPION: "champion",
  INFLUENCER: "influencer",
  USER: "user",
  GATEKEEPER: "gatekeeper",
  UNKNOWN: "unknown",
};
const SOURCE_NAMES = { opportunity_role: "CRM deal role", title: "job title" };

function role(name) {
  return ROLE_NAMES[name] || name;
}

function profileLink(profile) {
  return link(`/profile/${encodeURIComponent(profile.id)}`, personName(profile.traits, profile.id));
}

function section(id, title, ...rest) {
  return h("section", { id, class: "panel" }, h("h2", {}, title), ...rest);
}

// Runs one query into one part of the page; true when it was shown.
async function fill(body, document, variables, render) {
  clear(body, message("Loading…"));
  try {
    const data = await query(document, variables);
    if (!data.organization) {
      clear(body, message("No organisation has this ID.", "error"));
      return false;
    }
    clear(body, render(data.organization));
    return true;
  } catch (error) {
    clear(body, message(error.message, "error"));
    return false;
  }
}

function controls() {
  const depth = h("select", { id: "graph-depth" }, [0, 1, 2, 3].map((d) => h("option", { value: d, selected: d === 1 }, String(d))));
  const windowDays = h("input", { id: "window-days", type: "number", min: 1, max: 3650, placeholder: "rules' default" });
  const asOf = h("input", { id: "as-of", type: "date" });
  const opportunity = h("select", { id: "committee-opportunity" }, h("option", { value: "" }, "all deals"));
  return { depth, windowDays, asOf, opportunity };
}

export function organizationView(view, id) {
  const c = controls();
  const heading = h("h1", {}, "Organisation");
  const overview = h("div", { class: "body" });
  const engagement = h("div", { class: "body" });
  const committee = h("div", { class: "body" });
  const graph = h("div", { class: "body graph" });
  const contacts = h("div", { class: "body" });
  const opportunities = h("div", { class: "body" }, message("Loading…"));
  const records = h("div", { class: "body" }, message("Loading…"));

  const timing = () => ({
    windowDays: c.windowDays.value ? Number(c.windowDays.value) : null,
    asOf: c.asOf.value ? `${c.asOf.value}T23:59:59Z` : null,
  });
  const loadEngagement = () => fill(engagement, ORGANIZATION_ENGAGEMENT, { id, ...timing() }, renderEngagement);
  const loadCommittee = () =>
    fill(committee, BUYING_COMMITTEE, { id, opportunityId: c.opportunity.value || null, ...timing() }, renderCommittee);
  const loadGraph = () =>
    fill(graph, ACCOUNT_GRAPH, { id, depth: Number(c.depth.value) }, (org) => renderGraph(org, id));

  c.depth.addEventListener("change", loadGraph);
  c.opportunity.addEventListener("change", loadCommittee);
  for (const input of [c.windowDays, c.asOf]) {
    input.addEventListener("change", () => {
      loadEngagement();
      loadCommittee();
    });
  }

  clear(
    view,
    h("p", {}, link("/", "← organisations")),
    heading,
    section("overview", "Overview", overview),
    h(
      "form",
      { class: "controls", onsubmit: (event) => event.preventDefault() },
      h("label", {}, "engagement window (days) ", c.windowDays),
      h("label", {}, "as of ", c.asOf),
    ),
    section("engagement", "Engagement", engagement),
    section("committee", "Buying committee", h("label", {}, "deal ", c.opportunity), committee),
    section("graph", "Account graph", h("label", {}, "depth ", c.depth), graphLegend(), graph),
    section("contacts", "Contacts", contacts),
    section("opportunities", "Opportunities", opportunities),
    section("records", "Records", records),
  );

  fill(overview, ORGANIZATION_OVERVIEW, { id }, (org) => {
    heading.textContent = org.name || org.id;
    clear(records, renderRecords(org));
    clear(opportunities, renderOpportunities(org));
    for (const deal of org.opportunities) {
      c.opportunity.append(h("option", { value: deal.id }, deal.name || `${deal.source}/${deal.sourceId}`));
    }
    return renderOverview(org);
  }).then((shown) => {
    if (!shown) for (const body of [records, opportunities]) clear(body, message("Not available: see the overview.", "error"));
  });
  loadContacts(contacts, id, null, []);
  loadEngagement();
  loadCommittee();
  loadGraph();
}

function renderOverview(org) {
  const organisationLink = (o) => link(`/org/${encodeURIComponent(o.id)}`, o.name || o.id);
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, "ID"),
    h("dd", {}, h("code", {}, org.id)),
    h("dt", {}, "domains"),
    h("dd", {}, org.domains.length ? org.domains.join(", ") : "none"),
    h("dt", {}, "parent"),
    h("dd", {}, org.parent ? organisationLink(org.parent) : "none"),
    h("dt", {}, "subsidiaries"),
    h("dd", {}, org.subsidiaries.length ? org.subsidiaries.flatMap((o, i) => (i ? [", ", organisationLink(o)] : [organisationLink(o)])) : "none"),
    h("dt", {}, "created"),
    h("dd", {}, when(org.createdAt)),
    org.traits.flatMap((t) => [h("dt", {}, t.name), h("dd", {}, show(t.value), h("span", { class: "source" }, ` (${t.source})`))]),
  );
}

function renderRecords(org) {
  return org.records.length
    ? table(["kind", "source", "source ID"], org.records.map((r) => [r.kind, r.source, h("code", {}, r.sourceId)]))
    : message("No records.");
}

function renderOpportunities(org) {
  if (!org.opportunities.length) return message("No opportunities.");
  return table(
    ["deal", "stage", "amount", "close date", "contacts", "record"],
    org.opportunities.map((o) => [
      o.name || "",
      o.stage || "",
      o.amount === null ? "" : `${o.amount.toLocaleString("en")} ${o.currency || ""}`,
      o.closeDate || "",
      String(o.contactCount),
      h("code", {}, `${o.source}/${o.sourceId}`),
    ]),
  );
}

function renderEngagement(org) {
  const e = org.engagement;
  return h(
    "div",
    {},
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "score"),
      h("dd", {}, h("meter", { min: 0, max: 100, value: e.score }), ` ${e.score.toFixed(1)} / 100`),
      h("dt", {}, "engaged contacts"),
      h("dd", {}, `${e.engagedContacts} of ${e.totalContacts}`),
      h("dt", {}, "last engagement"),
      h("dd", {}, when(e.lastEngagedAt)),
      h("dt", {}, "window"),
      h("dd", {}, `${e.windowDays} days to ${when(e.asOf)}`),
    ),
    e.activities.length
      ? table(["activity", "count"], e.activities.map((a) => [a.type, String(a.count)]))
      : message("No weighted activity in the window."),
  );
}

function renderCommittee(org) {
  const b = org.buyingCommittee;
  const quiet = new Set(b.quietMembers.map((m) => m.profile.id));
  return h(
    "div",
    {},
    h(
      "p",
      { class: "completeness" },
      "completeness ",
      h("meter", { min: 0, max: 1, value: b.completeness, id: "committee-completeness" }),
      ` ${percent(b.completeness)}`,
      b.opportunity ? ` for ${b.opportunity.name || b.opportunity.id}` : " over all deals",
    ),
    h(
      "p",
      { class: "missing" },
      "missing roles: ",
      b.missingRoles.length ? b.missingRoles.map((r) => h("span", { class: "chip missing-role" }, role(r))) : "none",
    ),
    b.members.length
      ? table(
          ["member", "title", "role", "role source", "confidence", "engagement", "last engagement"],
          b.members.map((m) => [
            profileLink(m.profile),
            m.title || "",
            h("span", { class: `chip role-${m.role.toLowerCase()}` }, role(m.role)),
            SOURCE_NAMES[m.roleSource] || m.roleSource,
            percent(m.confidence),
            m.engagementScore.toFixed(1),
            quiet.has(m.profile.id) ? h("span", { class: "quiet" }, `${when(m.lastEngagedAt)} (quiet)`) : when(m.lastEngagedAt),
          ]),
          { class: "committee-members" },
        )
      : message("Nobody on the committee yet."),
    h(
      "p",
      { class: "quiet-members" },
      `gone quiet (no engagement in the ${b.windowDays} days to ${when(b.asOf)}): ${b.quietMembers.length} of ${b.members.length}`,
      b.quietMembers.length ? ": " : "",
      b.quietMembers.flatMap((q, i) => {
        const member = b.members.find((m) => m.profile.id === q.profile.id);
        const shown = member ? profileLink(member.profile) : link(`/profile/${encodeURIComponent(q.profile.id)}`, q.profile.id);
        return i ? [", ", shown] : [shown];
      }),
    ),
  );
}

function renderGraph(org, rootId) {
  const g = org.accountGraph;
  const open = (node) => {
    location.hash = node.kind === "ORGANIZATION" ? `/org/${encodeURIComponent(node.id)}` : `/profile/${encodeURIComponent(node.id)}`;
  };
  return h(
    "div",
    {},
    g.truncated ? message("The graph is larger than the API draws: it is cut.", "warning") : null,
    drawAccountGraph(g, rootId, open),
  );
}

async function loadContacts(body, id, after, rows) {
  if (!after) clear(body, message("Loading…"));
  let page;
  try {
    const data = await query(ORGANIZATION_CONTACTS, { id, first: 50, after });
    if (!data.organization) {
      clear(body, message("No organisation has this ID.", "error"));
      return;
    }
    page = data.organization.contacts;
  } catch (error) {
    clear(body, message(error.message, "error"));
    return;
  }
  const all = rows.concat(
    page.edges.map(({ node }) => [
      profileLink(node.profile),
      node.title || "",
      node.department || "",
      node.seniority || "",
      node.titleRole === "UNKNOWN" ? "" : role(node.titleRole),
    ]),
  );
  const more = page.pageInfo.hasNextPage
    ? h("button", { type: "button", class: "more", onclick: () => loadContacts(body, id, page.pageInfo.endCursor, all) }, "More")
    : null;
  clear(
    body,
    h("p", { class: "count" }, `${page.totalCount} contact${page.totalCount === 1 ? "" : "s"}`),
    all.length ? table(["person", "title", "department", "seniority", "role by title"], all) : message("No contacts."),
    more,
  );
}
