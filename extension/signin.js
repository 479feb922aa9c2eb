// The Dockpass extension's logic, kept apart from the browser's APIs so that Node's test
// runner can check it (test/signin.test.js): which requests carry an AWS sign-in, what goes
// to the native messaging host, and what the tab shows afterwards. The AWS sign-in URLs
// and the host's name come from Rust (generated/contract.js), the same list the login
// window refuses; the waiting Dockpass checks every hand-over again in Rust.
import { ACS_PATHS, ACS_PREFIX, AWS_SIGNIN_HOSTS, HOST_NAME } from "./generated/contract.js";

/** The webRequest URL filters: every AWS sign-in host and its regional forms. */
export const URL_FILTERS = AWS_SIGNIN_HOSTS.flatMap((h) => [`*://${h}/*`, `*://*.${h}/*`]);

/** True for AWS sign-in SAML endpoints (ACS URLs) of every partition. */
export function isAwsAcs(href) {
  let u;
  try {
    u = new URL(href);
  } catch {
    return false;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return false;
  let host = u.hostname.toLowerCase();
  while (host.endsWith(".")) host = host.slice(0, -1);
  const aws = AWS_SIGNIN_HOSTS.some((b) => host === b || host.endsWith(`.${b}`));
  if (!aws) return false;
  let path = u.pathname.toLowerCase();
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return ACS_PATHS.includes(path) || path.startsWith(ACS_PREFIX);
}

/** The origin of a URL (`https://host[:port]`), or null. */
export function originOf(href) {
  if (typeof href !== "string" || href === "") return null;
  try {
    const o = new URL(href).origin;
    return o === "null" ? null : o;
  } catch {
    return null;
  }
}

/** One field of a posted form, from webRequest's `requestBody` (parsed or raw). */
export function formValue(body, name) {
  if (!body) return null;
  const parsed = body.formData?.[name];
  if (Array.isArray(parsed) && typeof parsed[0] === "string") return parsed[0];
  if (Array.isArray(body.raw)) {
    const parts = body.raw.filter((p) => p && p.bytes).map((p) => new Uint8Array(p.bytes));
    const size = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new URLSearchParams(new TextDecoder().decode(all)).get(name);
  }
  return null;
}

/** The extension's page for an answer of the host. */
export function donePage(base, answer) {
  const q = new URLSearchParams({
    kind: String(answer.kind ?? "failed"),
    message: String(answer.message ?? ""),
    close: answer.close ? "1" : "0",
  });
  return `${base}?${q}`;
}

/**
 * The extension's behaviour over a browser API object (`chrome` or `browser`).
 * `committed` remembers which page each tab shows, since Chromium does not name the page
 * behind a top-level form POST; `request` hands an AWS sign-in POST to the host and, when a
 * Dockpass sign-in took it, shows the extension's page in that tab instead of the console.
 */
/** The most tabs whose page is remembered (the oldest go first). */
export const MAX_TABS = 500;

export function createSignin(api) {
  const pages = new Map();
  const doneBase = api.runtime.getURL("done.html");
  const version = api.runtime.getManifest().version;

  function committed(d) {
    if (d.frameId !== 0) return;
    pages.delete(d.tabId); // re-inserted last: the map's order is the tabs' recency
    pages.set(d.tabId, originOf(d.url));
    while (pages.size > MAX_TABS) pages.delete(pages.keys().next().value);
  }

  function forget(tabId) {
    pages.delete(tabId);
  }

  function pageOf(d) {
    for (const u of [d.originUrl, d.documentUrl, d.initiator]) {
      const o = originOf(u);
      if (o) return o;
    }
    return pages.get(d.tabId) ?? null;
  }

  async function request(d) {
    if (d.method !== "POST" || !isAwsAcs(d.url)) return null;
    const response = formValue(d.requestBody, "SAMLResponse");
    if (!response) return null;
    const message = {
      type: "handover",
      response,
      relay_state: formValue(d.requestBody, "RelayState") ?? "",
      action: d.url,
      page: pageOf(d),
    };
    let answer;
    try {
      answer = await api.runtime.sendNativeMessage(HOST_NAME, message);
    } catch (e) {
      // No host installed, or it failed: the browser goes on as without the extension.
      console.warn("Dockpass: the native host did not answer:", e?.message ?? e);
      return { kind: "unreachable", message: String(e?.message ?? e) };
    }
    if (!answer || answer.kind === "none") return answer ?? null;
    if (d.tabId >= 0) await api.tabs.update(d.tabId, { url: donePage(doneBase, answer) });
    return answer;
  }

  async function ping() {
    let result;
    try {
      result = { answer: await api.runtime.sendNativeMessage(HOST_NAME, { type: "ping", version }) };
    } catch (e) {
      result = { error: String(e?.message ?? e) };
    }
    result.at = Date.now();
    try {
      await api.storage.local.set({ lastPing: result });
    } catch {
      // Storage is a convenience for the popup-less status; nothing depends on it.
    }
    return result;
  }

  return { committed, forget, pageOf, request, ping, tabsKnown: () => pages.size };
}
