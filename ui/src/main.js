// The session card. The full UI (Vite + TypeScript) replaces this page; it already talks
// to the core through the `status` command and renders the {code, message} errors.
const el = document.getElementById("session");

function row(label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  return [dt, dd];
}

async function render() {
  try {
    const s = await window.__TAURI__.core.invoke("status", {});
    el.replaceChildren();
    const badge = document.createElement("span");
    badge.className = `state ${s.state}`;
    badge.textContent = s.state.replace("_", " ");
    const dl = document.createElement("dl");
    dl.append(...row("Profile", s.profile));
    if (s.role_arn) dl.append(...row("Role", s.role_arn));
    if (s.expires_at) dl.append(...row("Expires", new Date(s.expires_at).toLocaleString()));
    for (const r of s.registries) dl.append(...row("Registry", r.host));
    el.append(badge, dl);
  } catch (e) {
    el.replaceChildren();
    const p = document.createElement("p");
    p.textContent = e && e.message ? `${e.message} (${e.code})` : String(e);
    el.append(p);
  }
}

render();
