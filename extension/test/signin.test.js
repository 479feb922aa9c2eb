// The extension's logic under Node's test runner, against a stand-in of the browser API
// object (the real browsers run it in tests/e2e/test_browser_signin.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ACS_EXAMPLES, HOST_NAME, NOT_ACS_EXAMPLES } from "../generated/contract.js";
import { createSignin, donePage, formValue, isAwsAcs, MAX_TABS, originOf, URL_FILTERS } from "../signin.js";

test("recognises AWS sign-in exactly as Dockpass's Rust does", () => {
  for (const u of ACS_EXAMPLES) assert.equal(isAwsAcs(u), true, u);
  for (const u of NOT_ACS_EXAMPLES) assert.equal(isAwsAcs(u), false, u);
});

test("filters cover every partition and its regional hosts", () => {
  assert.ok(URL_FILTERS.includes("*://signin.aws.amazon.com/*"));
  assert.ok(URL_FILTERS.includes("*://*.signin.amazonaws.cn/*"));
  assert.equal(URL_FILTERS.length, 6);
});

test("reads a field from a parsed or a raw form body", () => {
  assert.equal(formValue({ formData: { SAMLResponse: ["PHg+"] } }, "SAMLResponse"), "PHg+");
  const raw = new TextEncoder().encode("RelayState=r&SAMLResponse=PHg%2B").buffer;
  assert.equal(formValue({ raw: [{ bytes: raw }] }, "SAMLResponse"), "PHg+");
  assert.equal(formValue({ formData: {} }, "SAMLResponse"), null);
  assert.equal(formValue(undefined, "SAMLResponse"), null);
});

test("origins", () => {
  assert.equal(originOf("https://idp.example.com:8443/a?b"), "https://idp.example.com:8443");
  assert.equal(originOf("about:blank"), null);
  assert.equal(originOf(undefined), null);
});

function fakeApi(answer) {
  const sent = [];
  const updated = [];
  const api = {
    runtime: {
      getURL: (p) => `chrome-extension://id/${p}`,
      getManifest: () => ({ version: "9.9.9" }),
      sendNativeMessage: async (host, msg) => {
        sent.push({ host, msg });
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    tabs: { update: async (tabId, props) => updated.push({ tabId, ...props }) },
    storage: { local: { set: async () => {} } },
  };
  return { api, sent, updated };
}

const POST = {
  method: "POST",
  url: "https://signin.aws.amazon.com/saml",
  tabId: 4,
  requestBody: { formData: { SAMLResponse: ["PHNhbWw+"], RelayState: ["rs"] } },
};

test("hands an AWS sign-in to the host with the page it came from", async () => {
  const { api, sent, updated } = fakeApi({ kind: "signed_in", message: "Signed in as Dev @ 1", close: true });
  const s = createSignin(api);
  s.committed({ frameId: 0, tabId: 4, url: "https://idp.example.com/sso/post" });
  s.committed({ frameId: 3, tabId: 4, url: "https://ads.example.net/frame" });
  const answer = await s.request(POST);
  assert.equal(answer.kind, "signed_in");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].host, HOST_NAME);
  assert.deepEqual(sent[0].msg, {
    type: "handover",
    response: "PHNhbWw+",
    relay_state: "rs",
    action: "https://signin.aws.amazon.com/saml",
    page: "https://idp.example.com",
  });
  assert.equal(updated.length, 1);
  const page = new URL(updated[0].url);
  assert.equal(page.pathname, "/done.html");
  assert.equal(page.searchParams.get("kind"), "signed_in");
  assert.equal(page.searchParams.get("close"), "1");
});

test("Firefox names the page itself", async () => {
  const { api, sent } = fakeApi({ kind: "none", message: "" });
  const s = createSignin(api);
  await s.request({ ...POST, originUrl: "https://login.example.org/auto-post" });
  assert.equal(sent[0].msg.page, "https://login.example.org");
});

test("nobody waiting, or no host: the tab goes on to AWS untouched", async () => {
  for (const answer of [{ kind: "none", message: "No Dockpass sign-in is waiting" }, new Error("Specified native messaging host not found.")]) {
    const { api, updated } = fakeApi(answer);
    await createSignin(api).request(POST);
    assert.equal(updated.length, 0);
  }
});

test("anything but a SAML POST to AWS sign-in is not looked at", async () => {
  const { api, sent } = fakeApi({ kind: "signed_in" });
  const s = createSignin(api);
  await s.request({ ...POST, method: "GET" });
  await s.request({ ...POST, url: "https://signin.aws.amazon.com/console" });
  await s.request({ ...POST, requestBody: { formData: { username: ["x"] } } });
  assert.equal(sent.length, 0);
});

test("the done page carries the answer", () => {
  const u = new URL(donePage("chrome-extension://id/done.html", { kind: "refused", message: "from <evil>" }));
  assert.equal(u.searchParams.get("message"), "from <evil>");
  assert.equal(u.searchParams.get("close"), "0");
});

test("a ping reaches the host with the extension's version", async () => {
  const { api, sent } = fakeApi({ kind: "pong", version: "0.1.0", waiting: false });
  const r = await createSignin(api).ping();
  assert.deepEqual(sent[0].msg, { type: "ping", version: "9.9.9" });
  assert.equal(r.answer.kind, "pong");
});

test("remembers a bounded number of tabs, and forgets closed ones", () => {
  const { api } = fakeApi({ kind: "none" });
  const s = createSignin(api);
  for (let t = 0; t < MAX_TABS + 50; t++) s.committed({ frameId: 0, tabId: t, url: `https://site${t}.example/` });
  assert.equal(s.tabsKnown(), MAX_TABS);
  assert.equal(s.pageOf({ tabId: 0 }), null, "the oldest went first");
  assert.equal(s.pageOf({ tabId: MAX_TABS + 49 }), `https://site${MAX_TABS + 49}.example`);
  s.forget(MAX_TABS + 49);
  assert.equal(s.pageOf({ tabId: MAX_TABS + 49 }), null);
});
