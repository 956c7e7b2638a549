// The GraphQL client: the API key lives in sessionStorage (gone when the tab closes) and goes out as
// `Authorization: Bearer <key>`, the only way the API accepts it. Requests go to this origin's /graphql by POST.

const KEY_ITEM = "idgraph.apiKey";
const ENDPOINT = new URL("../graphql", document.baseURI).pathname;

export class ApiError extends Error {
  constructor(message, kind) {
    super(message);
    this.kind = kind; // "no-key", "bad-key", "http", "network", "graphql"
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_ITEM) || "";
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
}

function describe(errors) {
  return errors
    .map((error) => {
      const code = error.extensions && error.extensions.code;
      if (code === "FORBIDDEN") {
        const scope = error.extensions.scope;
        return `not allowed: this key lacks the ${scope ? `"${scope}" ` : ""}scope`;
      }
      return error.message;
    })
    .join("; ");
}

// The `data` of a query; throws ApiError when there is no key, the key is refused, or the answer holds errors.
export async function query(document, variables = {}) {
  const key = apiKey();
  if (!key) throw new ApiError("Enter an API key above to browse the graph.", "no-key");
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: document, variables }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("The API cannot be reached: is the server running?", "network");
  }
  if (response.status === 401) {
    throw new ApiError("The API refused this key (unknown, revoked or mistyped): enter a valid one above.", "bad-key");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The API answered HTTP ${response.status} without a readable body.`, "http");
  }
  if (!response.ok && !body.errors) {
    throw new ApiError(`The API answered HTTP ${response.status}: ${body.detail || "error"}`, "http");
  }
  if (body.errors && body.errors.length) throw new ApiError(describe(body.errors), "graphql");
  return body.data;
}
