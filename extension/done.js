// The extension's page after a hand-over: what Dockpass did with the sign-in. Shown
// instead of the AWS console when a Dockpass sign-in was waiting.
const api = globalThis.browser ?? globalThis.chrome;
const q = new URLSearchParams(location.search);
const kind = q.get("kind") ?? "failed";
const TEXT = {
  signed_in: ["Signed in", "You can close this tab."],
  taken: ["Almost there", "Continue in Dockpass."],
  refused: ["Not taken", "Dockpass did not use this sign-in."],
  failed: ["Sign-in failed", "Try again from Dockpass."],
};
const [title, next] = TEXT[kind] ?? TEXT.failed;
document.body.className = kind;
document.title = `Dockpass: ${title}`;
document.getElementById("title").textContent = title;
document.getElementById("message").textContent = q.get("message") ?? "";
document.getElementById("next").textContent = next;
if (q.get("close") === "1") {
  // A renewal nobody needed to see: the tab goes away by itself.
  document.getElementById("next").textContent = "This tab closes by itself.";
  setTimeout(async () => {
    const tab = await api.tabs.getCurrent();
    if (tab?.id !== undefined) api.tabs.remove(tab.id);
  }, 1500);
}
