// The UI's entry point: the API key form and a hash router (#/, #/org/<id>, #/profile/<id>) over three views.

import { apiKey, setApiKey } from "./api.js";
import { clear, message } from "./dom.js";
import { organizationView } from "./organization.js";
import { profileView } from "./profile.js";
import { searchView } from "./search.js";

function route() {
  const view = document.getElementById("view");
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const browsing = (parts[0] === "org" || parts[0] === "profile") && parts[1];
  if (browsing && !apiKey()) clear(view, message("Enter an API key above to browse the graph.", "error"));
  else if (parts[0] === "org" && parts[1]) organizationView(view, parts[1]);
  else if (parts[0] === "profile" && parts[1]) profileView(view, parts[1]);
  else if (parts.length === 0 || parts[0] === "search") searchView(view, params.get("q") || "");
  else clear(view, message("No such page.", "error"));
}

function showKeyState() {
  document.getElementById("key-state").textContent = apiKey() ? "key set" : "no key";
}

function setUpKeyForm() {
  const form = document.getElementById("key-form");
  const input = document.getElementById("api-key");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    input.value = "";
    showKeyState();
    route();
  });
  document.getElementById("key-forget").addEventListener("click", () => {
    setApiKey("");
    showKeyState();
    route();
  });
  showKeyState();
}

setUpKeyForm();
window.addEventListener("hashchange", route);
route();
