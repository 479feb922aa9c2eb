// The Dockpass extension's background: it listens for AWS sign-in SAML posts (read only:
// it never blocks or changes a request, and injects nothing into any page) and hands them
// to the Dockpass native messaging host (signin.js).
import { createSignin, URL_FILTERS } from "./signin.js";

const api = globalThis.browser ?? globalThis.chrome;
const signin = createSignin(api);

api.webNavigation.onCommitted.addListener(signin.committed);
api.tabs.onRemoved.addListener((tabId) => signin.forget(tabId));
api.webRequest.onBeforeRequest.addListener(
  (d) => {
    signin.request(d).catch((e) => console.warn("Dockpass:", e));
  },
  { urls: URL_FILTERS, types: ["main_frame", "sub_frame"] },
  ["requestBody"],
);
api.runtime.onInstalled.addListener(() => signin.ping());
api.runtime.onStartup.addListener(() => signin.ping());
