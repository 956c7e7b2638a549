// One person's profile: traits (golden values and where they came from), identifiers, records, organisations and
// recent events. The API masks PII for a key without pii:read; the page shows what it gets.

import { query } from "./api.js";
import { clear, h, link, message, personName, show, table, when } from "./dom.js";
import { PROFILE } from "./queries.js";

const EVENTS = 20;

export async function profileView(view, id) {
  clear(view, h("p", {}, link("/", "← organisations")), h("h1", {}, "Profile"), message("Loading…"));
  let profile;
  try {
    profile = (await query(PROFILE, { id, events: EVENTS })).profile;
  } catch (error) {
    clear(view, h("p", {}, link("/", "← organisations")), h("h1", {}, "Profile"), message(error.message, "error"));
    return;
  }
  if (!profile) {
    clear(view, h("p", {}, link("/", "← organisations")), h("h1", {}, "Profile"), message("No profile has this ID.", "error"));
    return;
  }
  const masked = profile.traits.some((t) => show(t.value).includes("***")) || profile.identifiers.some((i) => i.value.includes("***"));
  const events = profile.events.edges.map(({ node }) => node);
  clear(
    view,
    h("p", {}, link("/", "← organisations")),
    h("h1", { id: "profile-name" }, personName(profile.traits, profile.id)),
    h("p", {}, "profile ", h("code", {}, profile.id), ` · created ${when(profile.createdAt)}`),
    masked ? message("Personal data is masked: this key lacks the pii:read scope.", "warning") : null,
    h(
      "section",
      { class: "panel", id: "profile-organizations" },
      h("h2", {}, "Organisations"),
      profile.organizations.length
        ? h("ul", {}, profile.organizations.map((o) => h("li", {}, link(`/org/${encodeURIComponent(o.id)}`, o.name || o.id))))
        : message("None."),
    ),
    h(
      "section",
      { class: "panel", id: "profile-traits" },
      h("h2", {}, "Traits"),
      profile.traits.length
        ? table(["trait", "value", "source", "policy"], profile.traits.map((t) => [t.name, show(t.value), t.source, t.policy || ""]))
        : message("No traits."),
    ),
    h(
      "section",
      { class: "panel", id: "profile-identifiers" },
      h("h2", {}, "Identifiers"),
      profile.identifiers.length
        ? table(["kind", "value", "system"], profile.identifiers.map((i) => [i.kind, i.value, i.system || ""]))
        : message("No identifiers."),
    ),
    h(
      "section",
      { class: "panel", id: "profile-events" },
      h("h2", {}, `Recent events (newest ${EVENTS})`),
      events.length
        ? table(
            ["when", "type", "channel", "source", "amount"],
            events.map((e) => [e.timestamp ? when(e.timestamp) : "", e.type, e.channel || "", e.source, e.amount === null ? "" : `${e.amount} ${e.currency || ""}`]),
          )
        : message("No events."),
    ),
    h(
      "section",
      { class: "panel", id: "profile-records" },
      h("h2", {}, "Records"),
      table(["kind", "source", "source ID"], profile.records.map((r) => [r.kind, r.source, h("code", {}, r.sourceId)])),
    ),
  );
}
