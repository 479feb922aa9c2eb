// First run: a short setup. 1 Connect (IdP login URL, name, region, docker mode, start at login),
// 2 Sign in (saves the profile, opens the login window), 3 Registries (the assertion's other
// accounts), 4 Done (how to use docker). The result is the ordinary config file.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, on, toApiError, type ApiError, type ConfigView, type DockerMode, type LoginMode, type LoginPhase, type Profile, type RegistryProposal, type Status } from "../api";
import { copyText } from "../clipboard";
import { useBackendCheck } from "../checks";
import { IDPS, idpInfo, REGIONS, type IdpId } from "../idp";
import { ErrorBanner } from "./ErrorBanner";
import { IconAlert, IconCheck, IconCopy, IconLogin, IconServer, Logo } from "./icons";
import { SignInPlace } from "./SignInPlace";

export type SetupStep = "connect" | "signin" | "registries" | "done";

const STEPS: { id: SetupStep; label: string }[] = [
  { id: "connect", label: "Connect" },
  { id: "signin", label: "Sign in" },
  { id: "registries", label: "Registries" },
  { id: "done", label: "Done" },
];

const PHASE_TEXT: Partial<Record<LoginPhase, string>> = {
  opening: "Opening the sign-in window…",
  waiting_for_idp: "Waiting for you to sign in at your identity provider…",
  assuming_role: "Getting AWS credentials…",
  writing_docker_config: "Writing docker credentials…",
};

const OTHER_REGION = "other";

interface Props {
  config: ConfigView;
  /** The session of a profile (from the app state, kept current by events). */
  statusOf: (profile: string) => Status;
  /** The profile whose role picker is open, if any. */
  picking: string | null;
  /** The config file exists but could not be read: saving replaces it. */
  replacesBroken?: boolean;
  /** The app's error banner, shown under the header. */
  banner?: JSX.Element;
  /** The backend's one-line warnings (e.g. no keychain), shown when the setup is done. */
  warnings?: string[];
  onConfig: (view: ConfigView) => void;
  /** Leave the setup for the main view of `profile` (null: nothing was saved). */
  onFinish: (profile: string | null) => void;
  /** Open the full settings editor instead. */
  onAdvanced: () => void;
}

interface Connect {
  name: string;
  /** False while the name follows the URL. */
  nameEdited: boolean;
  idp_url: string;
  /** The IdP whose hints the user chose (null: the one recognised from the URL). */
  picked: IdpId | null;
  region: string;
  /** The region select's value: a listed region or OTHER_REGION. */
  regionChoice: string;
  docker: DockerMode;
  /** Where the user signs in, and the loopback port as typed. */
  login: LoginMode;
  loopback_port: string;
  /** IAM Identity Center's region as typed (null until typed: the portal's, else the AWS region). */
  sso_region: string | null;
  autostart: boolean;
}

type Sel = Record<number, { on: boolean; region: string }>;

export function Setup({ config, statusOf, picking, replacesBroken, banner, warnings = [], onConfig, onFinish, onAdvanced }: Props) {
  const [step, setStep] = useState<SetupStep>("connect");
  const [form, setForm] = useState<Connect>({
    name: "default",
    nameEdited: false,
    idp_url: "",
    picked: null,
    region: "us-east-1",
    regionChoice: "us-east-1",
    docker: "config",
    login: "window",
    loopback_port: "",
    sso_region: null,
    autostart: false,
  });
  const [touched, setTouched] = useState<Record<string, true>>({});
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  /** The profile this setup saved (its name), once saved. */
  const [saved, setSaved] = useState<string | null>(null);
  const [autostartOn, setAutostartOn] = useState(false);
  const [autostartError, setAutostartError] = useState<ApiError | null>(null);

  // sign-in
  const [phase, setPhase] = useState<LoginPhase | null>(null);
  const [loginError, setLoginError] = useState<ApiError | null>(null);
  const signing = useRef<string | null>(null);

  // registries
  const [proposals, setProposals] = useState<RegistryProposal[] | null>(null);
  const [proposeError, setProposeError] = useState<ApiError | null>(null);
  const [sel, setSel] = useState<Sel>({});
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [added, setAdded] = useState(0);

  const stepRef = useRef(step);
  stepRef.current = step;

  useEffect(() => {
    const unlisten = on("login-progress", (p) => {
      if (p.profile !== signing.current || stepRef.current !== "signin") return;
      setPhase(p.phase);
      if (p.phase === "failed") setLoginError({ code: "internal", message: p.message ?? "The sign-in failed." });
      if (p.phase === "done") {
        setStep("registries");
        void loadProposals(p.profile);
      }
    });
    return () => void unlisten.then((u) => u()).catch(() => {});
  }, []);

  // ---------- step 1 ----------
  // The backend says what the link is (check_link) and what is wrong with the profile (check_profile).
  const url = form.idp_url;
  const link = useBackendCheck(url, () => api.checkLink(url));
  const recognized = link.value?.idp ?? null;
  const idp = form.picked ?? recognized;
  const urlProblem = link.value?.problem ?? null;
  // An IAM Identity Center access portal: the profile signs in there (docs/identity-center.md).
  const portal = url.trim() !== "" ? (link.value?.portal ?? null) : null;
  const ssoRegionShown = form.sso_region ?? (portal?.region || form.region.trim());
  const ssoRegion = ssoRegionShown.trim();
  const name = form.nameEdited ? form.name : (link.value?.suggested_name ?? "default");
  const candidate = profile();
  const checked = useBackendCheck(JSON.stringify([config.profiles.map((p) => p.name), saved, candidate]), () => api.checkProfile(candidate, saved));
  const errors: Record<string, string> = {};
  const problems = checked.value?.errors ?? {};
  if (problems.name) errors.name = problems.name;
  if (urlProblem?.severity === "error") errors.idp_url = urlProblem.message;
  if (problems.region) errors.region = problems.region;
  if (problems.loopback_port) errors.loopback_port = problems.loopback_port;
  if (portal && problems.sso_start_url) errors.idp_url = problems.sso_start_url;
  if (portal && problems.sso_region) errors.sso_region = problems.sso_region;
  const valid = Object.keys(errors).length === 0;
  // A save asked for while the backend's answers are on their way waits for them (below).
  const pending = !link.current || !checked.current;
  const [wantSave, setWantSave] = useState(false);
  const show = (k: string) => (tried || touched[k] ? errors[k] : undefined);
  // The URL's problems show as soon as something is there; "missing" only after a try.
  const urlShown = urlProblem && (url.trim() !== "" || tried || touched.idp_url) ? urlProblem : null;

  const set = (patch: Partial<Connect>) => {
    setForm((f) => ({ ...f, ...patch }));
    setSaveError(null);
  };
  const touch = (k: string) => !touched[k] && setTouched((t) => ({ ...t, [k]: true }));

  function profile(): Profile {
    const prev = config.profiles.find((p) => p.name === saved);
    // Saved before (the user came back to change it): keep what else the file has for it.
    const p: Profile = { ...(prev ?? {}), name: name.trim(), idp_url: url.trim(), region: form.region.trim(), docker: form.docker };
    delete p.login;
    delete p.loopback_port;
    delete p.sso_start_url;
    delete p.sso_region;
    if (portal) {
      // A role saved for a SAML IdP (the user came back and pasted a portal link) is not a
      // portal role.
      if (prev?.idp_url) delete p.role;
      delete p.idp_url;
      p.sso_start_url = portal.start_url;
      p.sso_region = ssoRegion;
      return p;
    }
    if (form.login !== "window") p.login = form.login;
    const port = form.loopback_port.trim();
    if (form.login === "loopback" && port) p.loopback_port = (/^\d+$/.test(port) ? Number(port) : port) as number;
    return p;
  }

  const startLogin = (p: string) => {
    signing.current = p;
    setLoginError(null);
    setPhase("opening");
    api.login(p).catch((e) => {
      setPhase("failed");
      setLoginError(toApiError(e));
    });
  };

  const submit = (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (pending) setWantSave(true);
    else void saveAndSignIn();
  };
  useEffect(() => {
    if (wantSave && !pending) {
      setWantSave(false);
      void saveAndSignIn();
    }
  }, [wantSave, pending]);

  const saveAndSignIn = async () => {
    if (!valid) {
      const first = ["idp_url", "name", "region", "sso_region"].find((k) => errors[k]);
      document.querySelector<HTMLElement>(`[data-setup-field="${first}"]`)?.focus();
      return;
    }
    if (saving) return;
    const p = profile();
    const list = saved !== null && config.profiles.some((x) => x.name === saved)
      ? config.profiles.map((x) => (x.name === saved ? p : x))
      : [...config.profiles, p];
    setSaving(true);
    setSaveError(null);
    try {
      const view = await api.configSave(list);
      onConfig(view);
      setSaved(p.name);
    } catch (err) {
      setSaveError(toApiError(err));
      setSaving(false);
      return;
    }
    setAutostartError(null);
    if (form.autostart !== autostartOn) {
      try {
        setAutostartOn(await api.autostartSet(form.autostart));
      } catch (err) {
        setAutostartError(toApiError(err));
      }
    }
    setSaving(false);
    setStep("signin");
    startLogin(p.name);
  };

  // ---------- step 3 ----------
  async function loadProposals(p: string) {
    setProposals(null);
    setProposeError(null);
    try {
      const list = await api.proposeRegistries(p);
      setProposals(list);
      setSel(Object.fromEntries(list.map((x, i) => [i, { on: x.configured, region: x.region }])));
    } catch (err) {
      setProposeError(toApiError(err));
    }
  }

  const chosen = (proposals ?? [])
    .map((x, i) => ({ x, s: sel[i] }))
    .filter(({ x, s }) => !x.configured && s?.on)
    .map(({ x, s }) => ({ account: x.account, region: s.region.trim() }));
  // Each proposal's registry host (or why there is none) for the region as typed, from the backend.
  const rows = (proposals ?? []).map((x, i) => ({ account: x.account, region: (sel[i]?.region ?? x.region).trim() }));
  const hosts = useBackendCheck(JSON.stringify(rows), () => (rows.length ? api.registryHosts(rows) : Promise.resolve([])));
  const hostOf = (i: number) => (hosts.value && hosts.value.length === rows.length ? hosts.value[i] : undefined);
  const regionProblem = (proposals ?? []).some((x, i) => !x.configured && sel[i]?.on && !!hostOf(i)?.problem);
  const regionsOk = hosts.current && !regionProblem;

  const addRegistries = async () => {
    if (!saved || chosen.length === 0 || !regionsOk || adding) return;
    setAdding(true);
    setAddError(null);
    try {
      onConfig(await api.addRegistries(saved, chosen));
      setAdded(chosen.length);
      setStep("done");
    } catch (err) {
      setAddError(toApiError(err));
    } finally {
      setAdding(false);
    }
  };

  // ---------- render ----------
  let body: JSX.Element;
  if (step === "connect") {
    const info = idp ? idpInfo(idp) : null;
    body = (
      <form class="setup-form" data-testid="setup-connect" onSubmit={submit} noValidate>
        <div class="setup-intro">
          <Logo size={36} />
          <div>
            <h2>Welcome to Dockpass</h2>
            <p class="muted">
              Sign in at your company's identity provider once; Dockpass keeps AWS credentials and Amazon ECR logins for docker fresh.
            </p>
          </div>
        </div>

        <section class="form-section">
          <h3>Identity provider</h3>
          <div class="idp-chips" role="group" aria-label="Your identity provider">
            {IDPS.map((i) => (
              <button
                type="button"
                key={i.id}
                class={idp === i.id ? "idp-chip on" : "idp-chip"}
                aria-pressed={idp === i.id}
                data-testid="idp-choice"
                data-idp={i.id}
                title={i.label}
                onClick={() => set({ picked: form.picked === i.id ? null : i.id })}
              >
                {i.short}
              </button>
            ))}
          </div>
          <div class={`field${show("idp_url") ? " invalid" : ""}`}>
            <label for="s-idp_url">Login URL of the AWS app</label>
            <input
              id="s-idp_url"
              name="idp_url"
              data-setup-field="idp_url"
              data-testid="setup-idp-url"
              type="url"
              autoComplete="off"
              spellcheck={false}
              class="mono"
              placeholder={info ? info.examples[0] : "https://…"}
              value={url}
              aria-invalid={urlShown?.severity === "error" ? true : undefined}
              aria-describedby="s-idp_url-msg"
              onInput={(e) => set({ idp_url: e.currentTarget.value, picked: null })}
              onBlur={() => touch("idp_url")}
            />
            {urlShown ? (
              <div
                id="s-idp_url-msg"
                class={urlShown.severity === "error" ? "field-error url-problem" : "field-warning url-problem"}
                data-testid="setup-url-problem"
                data-severity={urlShown.severity}
                role={urlShown.severity === "error" ? "alert" : undefined}
              >
                <IconAlert size={14} />
                <span>{urlShown.message}</span>
                {urlShown.fix && (
                  <button type="button" class="link" data-testid="setup-url-fix" onClick={() => set({ idp_url: urlShown.fix!, picked: null })}>
                    Use {urlShown.fix.length > 48 ? `${urlShown.fix.slice(0, 46)}…` : urlShown.fix}
                  </button>
                )}
              </div>
            ) : (
              <div id="s-idp_url-msg" class="field-hint">
                {portal ? (
                  <span class="url-ok" data-testid="setup-url-recognized" data-idp="identity-center">
                    <IconCheck size={14} /> AWS access portal (IAM Identity Center)
                  </span>
                ) : recognized && url.trim() !== "" ? (
                  <span class="url-ok" data-testid="setup-url-recognized" data-idp={recognized}>
                    <IconCheck size={14} /> {idpInfo(recognized).label} link
                  </span>
                ) : (
                  "The link that starts your sign-in to AWS at your IdP (Dockpass opens it in its login window), or your AWS access portal."
                )}
              </div>
            )}
          </div>
          <div class="idp-hint" data-testid="setup-idp-hint" data-idp={portal ? "identity-center" : (info?.id ?? "")}>
            {portal ? (
              <p>
                <strong>IAM Identity Center:</strong> Dockpass signs you in at this access portal in your browser (or with a code on any device:{" "}
                <code>dockpass login --no-browser</code>), shares the sign-in with the AWS CLI, and lists your accounts and roles.
              </p>
            ) : info ? (
              <>
                <p>
                  <strong>{info.label}:</strong> {info.where}
                </p>
                <div class="idp-examples">
                  <span class="muted">{info.examples.length > 1 ? "Looks like one of" : "Looks like"}</span>
                  {info.examples.map((x) => (
                    <code key={x} class="idp-example">
                      {x}
                    </code>
                  ))}
                </div>
              </>
            ) : (
              <p class="muted">Choose your identity provider above to see where its AWS app link is and what it looks like.</p>
            )}
          </div>
        </section>

        <section class="form-section">
          <h3>Profile</h3>
          <div class="grid">
            <div class={`field${show("name") ? " invalid" : ""}`}>
              <label for="s-name">Name</label>
              <input
                id="s-name"
                name="name"
                data-setup-field="name"
                data-testid="setup-name"
                autoComplete="off"
                spellcheck={false}
                value={name}
                aria-invalid={show("name") ? true : undefined}
                aria-describedby="s-name-msg"
                onInput={(e) => set({ name: e.currentTarget.value, nameEdited: true })}
                onBlur={() => touch("name")}
              />
              {show("name") ? (
                <div class="field-error" id="s-name-msg" data-testid="field-error" data-field="name">
                  {show("name")}
                </div>
              ) : (
                <div class="field-hint" id="s-name-msg">
                  {form.nameEdited ? "Letters, digits, '.', '_' and '-'" : "From the URL; change it if you like"}
                </div>
              )}
            </div>
            <div class={`field${show("region") ? " invalid" : ""}`}>
              <label for="s-region">AWS region</label>
              <div class="region-pick">
                <select
                  id="s-region"
                  name="region-choice"
                  data-testid="setup-region"
                  value={form.regionChoice}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    set(v === OTHER_REGION ? { regionChoice: v, region: "" } : { regionChoice: v, region: v });
                  }}
                >
                  {REGIONS.map((r) => (
                    <option key={r.code} value={r.code}>
                      {r.code} · {r.name}
                    </option>
                  ))}
                  <option value={OTHER_REGION}>Other region…</option>
                </select>
                {form.regionChoice === OTHER_REGION && (
                  <input
                    name="region"
                    data-setup-field="region"
                    data-testid="setup-region-other"
                    aria-label="Region code"
                    autoComplete="off"
                    spellcheck={false}
                    placeholder="ap-southeast-3"
                    value={form.region}
                    aria-invalid={show("region") ? true : undefined}
                    onInput={(e) => set({ region: e.currentTarget.value })}
                    onBlur={() => touch("region")}
                  />
                )}
              </div>
              {show("region") ? (
                <div class="field-error" data-testid="field-error" data-field="region">
                  {show("region")}
                </div>
              ) : (
                <div class="field-hint">Where you sign in to AWS and your ECR registries are</div>
              )}
            </div>
          </div>
          {portal && (
            <div class={`field${show("sso_region") ? " invalid" : ""}`}>
              <label for="s-sso_region">IAM Identity Center region</label>
              <input
                id="s-sso_region"
                name="sso_region"
                data-setup-field="sso_region"
                data-testid="setup-sso-region"
                list="s-sso_region-list"
                autoComplete="off"
                spellcheck={false}
                class="mono"
                value={ssoRegionShown}
                aria-invalid={show("sso_region") ? true : undefined}
                onInput={(e) => set({ sso_region: e.currentTarget.value })}
                onBlur={() => touch("sso_region")}
              />
              <datalist id="s-sso_region-list">
                {REGIONS.map((r) => (
                  <option key={r.code} value={r.code} />
                ))}
              </datalist>
              {show("sso_region") ? (
                <div class="field-error" data-testid="field-error" data-field="sso_region">
                  {show("sso_region")}
                </div>
              ) : (
                <div class="field-hint">
                  {portal.region ? "From the portal's address" : "Where your administrator set up IAM Identity Center (ask them, or see the portal's settings)"}
                </div>
              )}
            </div>
          )}
          {!portal && (
          <SignInPlace
            id="setup"
            mode={form.login}
            port={form.loopback_port}
            portError={show("loopback_port")}
            onMode={(login) => set({ login })}
            onPort={(loopback_port) => {
              set({ loopback_port });
              touch("loopback_port");
            }}
          />
          )}
          <div class="field">
            <span class="label" id="s-docker-label">
              Docker credentials
            </span>
            <div class="choices" role="radiogroup" aria-labelledby="s-docker-label">
              <label class={form.docker === "config" ? "choice on" : "choice"}>
                <input type="radio" name="docker" value="config" data-testid="setup-docker-config" checked={form.docker === "config"} onChange={() => set({ docker: "config" })} />
                <span>
                  <strong>Docker config</strong>
                  <span class="muted">Writes the tokens where docker login would (~/.docker/config.json or your credsStore); every tool reads them.</span>
                </span>
              </label>
              <label class={form.docker === "helper" ? "choice on" : "choice"}>
                <input type="radio" name="docker" value="helper" data-testid="setup-docker-helper" checked={form.docker === "helper"} onChange={() => set({ docker: "helper" })} />
                <span>
                  <strong>Credential helper</strong>
                  <span class="muted">docker asks docker-credential-dockpass, which answers from the live session; no token on disk.</span>
                </span>
              </label>
            </div>
          </div>
          <label class="check-line">
            <input type="checkbox" name="autostart" data-testid="setup-autostart" checked={form.autostart} onChange={(e) => set({ autostart: e.currentTarget.checked })} />
            <span>
              Start Dockpass when I log in
              <span class="muted"> · in the tray, so docker logins stay fresh</span>
            </span>
          </label>
        </section>

        {replacesBroken && (
          <p class="field-warning url-problem" data-testid="setup-replaces-broken">
            <IconAlert size={14} />
            <span>
              Saving replaces the config file that could not be read (see above); fix <span class="mono">{config.path}</span> by hand instead to keep it.
            </span>
          </p>
        )}

        {saveError && (
          <div class="setup-error" data-testid="setup-save-error">
            <ErrorBanner error={saveError} onDismiss={() => setSaveError(null)} />
          </div>
        )}

        <footer class="settings-foot">
          <button type="button" class="btn ghost" data-testid="setup-advanced" onClick={onAdvanced}>
            All settings…
          </button>
          <span class="spacer" />
          <span class="foot-status muted" aria-live="polite">
            {saving ? "Saving…" : tried && !valid ? `${Object.keys(errors).length === 1 ? "One field needs" : "Some fields need"} attention` : ""}
          </span>
          <button type="submit" class="btn primary" data-testid="setup-save" disabled={saving}>
            <IconLogin /> Save and sign in
          </button>
        </footer>
      </form>
    );
  } else if (step === "signin") {
    const p = saved ?? "";
    const running = phase !== null && PHASE_TEXT[phase] !== undefined;
    const host = urlHost(url);
    body = (
      <div class="setup-panel" data-testid="setup-signin" data-phase={phase ?? ""}>
        <section class="card setup-card">
          {picking === p ? (
            <div class="setup-status" role="status">
              <span class="spinner" aria-hidden="true" />
              <div>
                <h2>Choose the role to use</h2>
                <p class="muted">Your sign-in offers several roles; Dockpass remembers the one you pick.</p>
              </div>
            </div>
          ) : running ? (
            <div class="setup-status" role="status" data-testid="setup-progress">
              <span class="spinner" aria-hidden="true" />
              <div>
                <h2>{PHASE_TEXT[phase!]}</h2>
                <p class="muted">
                  {phase === "opening" || phase === "waiting_for_idp"
                    ? form.login === "window"
                      ? `Sign in at ${host || "your identity provider"} in the window that opened, as you always do; Dockpass closes it when your IdP hands over.`
                      : `Sign in at ${host || "your identity provider"} in your browser, as you always do; ${form.login === "browser" ? "the Dockpass extension hands the sign-in back" : "your IdP posts it back to Dockpass on this computer"}.`
                    : "Almost there."}
                </p>
              </div>
            </div>
          ) : phase === "failed" ? (
            <div class="setup-status failed" role="alert" data-testid="setup-login-failed">
              <IconAlert size={20} />
              <div>
                <h2>The sign-in did not work</h2>
                <p>{loginError?.message}</p>
                <p class="code mono">{loginError?.code}</p>
              </div>
            </div>
          ) : (
            <div class="setup-status" data-testid="setup-login-cancelled">
              <IconLogin size={20} />
              <div>
                <h2>Not signed in yet</h2>
                <p class="muted">The sign-in window was closed before your IdP answered. Sign in again, or change the URL.</p>
              </div>
            </div>
          )}
          {autostartError && (
            <p class="warning-line muted" data-testid="setup-autostart-error">
              Could not turn on start at login: {autostartError.message}
            </p>
          )}
          <div class="setup-saved muted">
            Profile <strong>{p}</strong> saved to <span class="mono">{config.path}</span>
          </div>
        </section>
        {!running && picking !== p && (
          <footer class="setup-actions">
            <button type="button" class="btn" data-testid="setup-back" onClick={() => setStep("connect")}>
              Change settings
            </button>
            <span class="spacer" />
            <button type="button" class="btn primary" data-testid="setup-retry" onClick={() => startLogin(p)}>
              <IconLogin /> Sign in
            </button>
          </footer>
        )}
      </div>
    );
  } else if (step === "registries") {
    const status = statusOf(saved ?? "");
    const role = status.role_name ? { name: status.role_name, account: status.account ?? "" } : null;
    const extra = (proposals ?? []).filter((x) => !x.configured).length;
    body = (
      <div class="setup-panel" data-testid="setup-registries">
        <section class="card setup-card">
          <div class="setup-status ok">
            <IconCheck size={20} />
            <div>
              <h2 data-testid="setup-signed-in">
                Signed in{role ? ` as ${role.name} @ ${status.account ?? role.account}` : ""}
              </h2>
              <p class="muted">
                {proposals === null
                  ? "Looking at the accounts of your sign-in…"
                  : extra > 0
                    ? "Your sign-in also has roles in other accounts. Log docker in to their registries too?"
                    : "Docker is logged in to the registries of this profile."}
              </p>
            </div>
          </div>
          {proposeError ? (
            <div class="setup-error">
              <ErrorBanner error={proposeError}>
                <button type="button" class="btn small" onClick={() => saved && void loadProposals(saved)}>
                  Try again
                </button>
              </ErrorBanner>
            </div>
          ) : proposals === null ? (
            <div class="loading-line muted setup-loading">
              <span class="spinner small" aria-hidden="true" /> Loading…
            </div>
          ) : proposals.length > 0 ? (
            <div class="proposals" role="group" aria-label="Registries to add">
              <div class="proposal proposal-head" aria-hidden="true">
                <span />
                <span>Account</span>
                <span>Region</span>
                <span>Registry</span>
              </div>
              {proposals.map((x, i) => {
                const s = sel[i] ?? { on: x.configured, region: x.region };
                const host = hostOf(i);
                const regionBad = s.on && !x.configured && !!host?.problem;
                return (
                  <div
                    class={`proposal${x.configured ? " configured" : ""}${s.on ? " on" : ""}`}
                    key={`${x.account}-${i}`}
                    data-testid="proposal"
                    data-account={x.account}
                    data-configured={x.configured ? "true" : "false"}
                  >
                    <input
                      type="checkbox"
                      id={`p-${i}`}
                      data-testid="proposal-check"
                      checked={x.configured || s.on}
                      disabled={x.configured || adding}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setSel((m) => ({ ...m, [i]: { ...s, on } }));
                      }}
                    />
                    <label for={`p-${i}`} class="proposal-account">
                      <span class="mono">{x.account}</span>
                      <span class="proposal-roles">
                        {x.roles.map((r) => (
                          <span class="chip" key={r}>
                            {r}
                          </span>
                        ))}
                      </span>
                    </label>
                    <input
                      class="proposal-region"
                      data-testid="proposal-region"
                      aria-label={`Region for ${x.account}`}
                      aria-invalid={regionBad ? true : undefined}
                      list="setup-regions"
                      autoComplete="off"
                      spellcheck={false}
                      value={s.region}
                      disabled={x.configured || adding}
                      onInput={(e) => {
                        const region = e.currentTarget.value;
                        setSel((m) => ({ ...m, [i]: { ...s, region, on: true } }));
                      }}
                    />
                    <span class="proposal-host" title={host?.host ?? host?.problem ?? ""}>
                      <span class="mono muted" data-testid="proposal-host">{host?.host ?? ""}</span>
                      {x.configured && <span class="tag">in profile</span>}
                    </span>
                  </div>
                );
              })}
              <datalist id="setup-regions">
                {REGIONS.map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.name}
                  </option>
                ))}
              </datalist>
            </div>
          ) : null}
          {addError && (
            <div class="setup-error" data-testid="setup-add-error">
              <ErrorBanner error={addError} onDismiss={() => setAddError(null)} />
            </div>
          )}
        </section>
        <footer class="setup-actions">
          {regionProblem && <span class="field-error">Enter an AWS region such as us-east-1 for each registry</span>}
          <span class="spacer" />
          {extra > 0 || proposeError ? (
            <>
              <button type="button" class="btn" data-testid="setup-skip" disabled={adding} onClick={() => setStep("done")}>
                Skip
              </button>
              <button type="button" class="btn primary" data-testid="setup-add" disabled={adding || chosen.length === 0 || !regionsOk} onClick={addRegistries}>
                <IconServer /> {adding ? "Adding…" : chosen.length > 1 ? `Add ${chosen.length} registries` : "Add registry"}
              </button>
            </>
          ) : (
            <button type="button" class="btn primary" data-testid="setup-continue" disabled={proposals === null} onClick={() => setStep("done")}>
              Continue
            </button>
          )}
        </footer>
      </div>
    );
  } else {
    const status = statusOf(saved ?? "");
    body = <DoneStep status={status} docker={form.docker} added={added} configPath={config.path} warnings={warnings} onFinish={() => onFinish(saved)} />;
  }

  const index = STEPS.findIndex((s) => s.id === step);
  return (
    <>
      <header class="content-head setup-head">
        <div class="title-block">
          <h1>Set up Dockpass</h1>
        </div>
        <ol class="stepper" aria-label="Setup steps" data-testid="setup-steps">
          {STEPS.map((s, i) => (
            <li key={s.id} class={i < index ? "done" : i === index ? "current" : ""} aria-current={i === index ? "step" : undefined}>
              <span class="step-num">{i < index ? <IconCheck size={12} /> : i + 1}</span>
              {s.label}
            </li>
          ))}
        </ol>
      </header>
      {banner}
      <div class="content-scroll setup" data-testid="setup" data-step={step}>
        {body}
      </div>
    </>
  );
}

interface DoneProps {
  status: Status;
  docker: DockerMode;
  added: number;
  configPath: string;
  warnings: string[];
  onFinish: () => void;
}

function DoneStep({ status, docker, added, configPath, warnings, onFinish }: DoneProps) {
  const hosts = status.registries.map((r) => r.host);
  // A private ECR registry's host if there is one (the backend says which hosts are).
  const ecr = status.registries.find((r) => r.kind === "private")?.host ?? hosts[0] ?? "ACCOUNT.dkr.ecr.REGION.amazonaws.com";
  const cmd = `docker pull ${ecr}/REPO:TAG`;
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div class="setup-panel" data-testid="setup-done">
      <section class="card setup-card">
        <div class="setup-status ok">
          <IconCheck size={20} />
          <div>
            <h2>Dockpass is ready</h2>
            <p class="muted">
              {added > 0 ? `${added === 1 ? "One registry" : `${added} registries`} added. ` : ""}
              Docker is logged in to {hosts.length === 1 ? "one registry" : `${hosts.length} registries`}; Dockpass renews the tokens before they run out.
            </p>
          </div>
        </div>
        {hosts.length > 0 && (
          <ul class="done-hosts" data-testid="setup-done-hosts">
            {hosts.map((h) => (
              <li key={h} class="mono" data-host={h}>
                <IconServer size={14} /> {h}
              </li>
            ))}
          </ul>
        )}
        <div class="done-use">
          <p>Use docker as usual:</p>
          <button
            type="button"
            class={copied === null ? "tag-copy done-cmd" : copied ? "tag-copy done-cmd copied" : "tag-copy done-cmd copy-failed"}
            data-testid="setup-docker-cmd"
            title="Copy"
            onClick={() => copyText(cmd).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            <span class="mono">{cmd}</span>
          </button>
          <p class="muted small">
            {docker === "helper"
              ? "docker asks docker-credential-dockpass for the password; it answers while Dockpass runs (in the tray)."
              : "The tokens are in your docker config, as docker login writes them; they stay valid while Dockpass runs in the tray."}
          </p>
        </div>
        {warnings.map((w) => (
          <p class="field-warning url-problem" data-testid="warning" key={w}>
            <IconAlert size={14} />
            <span>{w}</span>
          </p>
        ))}
        <p class="setup-saved muted">
          Settings are in <span class="mono">{configPath}</span>: change them under Settings, or edit the file.
        </p>
      </section>
      <footer class="setup-actions">
        <span class="spacer" />
        <button type="button" class="btn primary large" data-testid="setup-finish" onClick={onFinish}>
          Open Dockpass
        </button>
      </footer>
    </div>
  );
}

function urlHost(u: string): string {
  try {
    return new URL(u.trim()).host;
  } catch {
    return "";
  }
}
