// Where the user signs in at the IdP (the profile's `login`): Dockpass's window, their own
// browser with the Dockpass extension, or their browser posting to a loopback ACS URL. The
// setup and the settings editor both show it; for the browser it says whether the extension
// can reach Dockpass (the backend's `browser_readiness`), for the loopback the URL to add.
import { useEffect, useState } from "preact/hooks";
import { api, toApiError, type ApiError, type BrowserReadiness, type LoginMode } from "../api";
import { ErrorBanner } from "./ErrorBanner";

interface Props {
  mode: LoginMode;
  port: string;
  portError?: string;
  onMode: (m: LoginMode) => void;
  onPort: (p: string) => void;
  /** Prefix of the element ids and test ids ("setup" or "settings"). */
  id: string;
}

const CHOICES: { mode: LoginMode; title: string; text: string }[] = [
  { mode: "window", title: "Dockpass's window", text: "Sign in in a window of Dockpass; nothing to install." },
  {
    mode: "browser",
    title: "Your browser",
    text: "For security keys, passkeys, Okta FastPass, device trust or Google: sign in in your own browser; the Dockpass extension hands the sign-in back.",
  },
  {
    mode: "loopback",
    title: "Your browser, loopback URL",
    text: "No extension: your IdP's AWS app posts to this computer. Needs an admin to add the URL below at the IdP and in the roles' trust.",
  },
];

function ago(s: number): string {
  if (s < 90) return "just now";
  if (s < 5400) return `${Math.round(s / 60)} minutes ago`;
  if (s < 129600) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** The extension's state on this machine, and the button that registers Dockpass with the browsers. */
export function BrowserReadinessPanel({ id }: { id: string }) {
  const [ready, setReady] = useState<BrowserReadiness | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const load = (ask: () => Promise<BrowserReadiness>) => {
    setBusy(true);
    setError(null);
    ask()
      .then(setReady)
      .catch((e) => setError(toApiError(e)))
      .finally(() => setBusy(false));
  };
  useEffect(() => load(api.browserReadiness), []);
  const unreachable = ready?.browsers.filter((b) => b.problem) ?? [];
  return (
    <div class="browser-ready" data-testid={`${id}-browser-ready`} aria-busy={busy}>
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {!ready ? (
        <p class="muted">Looking at your browsers…</p>
      ) : (
        <>
          {ready.host_problem && (
            <p class="field-error" data-testid={`${id}-browser-host-problem`}>
              {ready.host_problem}
            </p>
          )}
          <ol class="browser-steps">
            <li>
              {ready.browsers.length === 0 ? (
                <span>No Chromium, Chrome, Edge, Brave or Firefox found here.</span>
              ) : (
                <span data-testid={`${id}-browser-list`}>
                  {ready.browsers.map((b, i) => (
                    <span key={b.name} data-browser={b.name} data-ready={b.problem ? "no" : "yes"}>
                      {i > 0 && ", "}
                      {b.name} {b.problem ? "cannot reach Dockpass yet" : "can reach Dockpass"}
                    </span>
                  ))}
                </span>
              )}{" "}
              {unreachable.length > 0 && (
                <button type="button" class="btn small" data-testid={`${id}-browser-install`} disabled={busy} onClick={() => load(api.browserInstall)}>
                  Register Dockpass with {unreachable.length === 1 ? unreachable[0].name : "these browsers"}
                </button>
              )}
            </li>
            <li>
              Load the extension: open <span class="mono">chrome://extensions</span>, turn on Developer mode, <em>Load unpacked</em>, and choose{" "}
              <span class="mono" data-testid={`${id}-extension-dir`}>
                {ready.extension_dir ?? "the folder `dockpass browser extension-path` prints"}
              </span>{" "}
              (Firefox: <span class="mono">about:debugging</span>, <em>Load Temporary Add-on</em>).
            </li>
            <li data-testid={`${id}-extension-seen`} data-seen={ready.last_seen ? "yes" : "no"}>
              {ready.last_seen
                ? `The extension ${ready.last_seen.extension_version} answered from ${ready.last_seen.browser} ${ago(ready.last_seen.seconds_ago)}.`
                : "The extension has not answered yet: it does when the browser starts with it."}{" "}
              <button type="button" class="btn small ghost" data-testid={`${id}-browser-check`} disabled={busy} onClick={() => load(api.browserReadiness)}>
                Check again
              </button>
            </li>
          </ol>
        </>
      )}
    </div>
  );
}

export function SignInPlace({ mode, port, portError, onMode, onPort, id }: Props) {
  const shownPort = port.trim() || "8733";
  return (
    <div class="field">
      <span class="label" id={`${id}-login-label`}>
        Where you sign in
      </span>
      <div class="choices three" role="radiogroup" aria-labelledby={`${id}-login-label`}>
        {CHOICES.map((c) => (
          <label key={c.mode} class={mode === c.mode ? "choice on" : "choice"}>
            <input type="radio" name={`${id}-login`} value={c.mode} data-testid={`${id}-login-${c.mode}`} checked={mode === c.mode} onChange={() => onMode(c.mode)} />
            <span>
              <strong>{c.title}</strong>
              <span class="muted">{c.text}</span>
            </span>
          </label>
        ))}
      </div>
      {mode === "browser" && <BrowserReadinessPanel id={id} />}
      {mode === "loopback" && (
        <div class="loopback">
          <label class="label" for={`${id}-loopback-port`}>
            Port
          </label>
          <input
            id={`${id}-loopback-port`}
            name="loopback_port"
            data-testid={`${id}-loopback-port`}
            class="mono"
            inputMode="numeric"
            autoComplete="off"
            placeholder="8733"
            value={port}
            aria-invalid={portError ? true : undefined}
            onInput={(e) => onPort(e.currentTarget.value)}
          />
          {portError ? (
            <div class="field-error" data-testid="field-error" data-field="loopback_port">
              {portError}
            </div>
          ) : (
            <div class="field-hint">
              Add <span class="mono">http://127.0.0.1:{shownPort}/saml</span> as an ACS (reply) URL of your IdP's AWS app, and to the roles' trust (SAML:aud).
            </div>
          )}
        </div>
      )}
    </div>
  );
}
