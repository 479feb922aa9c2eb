// The main window: profiles on the left; the selected profile's session, registries and activity,
// or its settings, on the right.
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";
import { api, toApiError, type ApiError, type Profile } from "./api";
import { connect, type Connection } from "./backend";
import { ActivityList } from "./components/ActivityList";
import { ErrorBanner } from "./components/ErrorBanner";
import { IconClock, IconSettings } from "./components/icons";
import { Registries } from "./components/Registries";
import { RepositoriesSection } from "./components/Repositories";
import { RolePicker } from "./components/RolePicker";
import { SessionCard } from "./components/SessionCard";
import { AppSettings } from "./components/AppSettings";
import { SettingsForm } from "./components/SettingsForm";
import { Setup } from "./components/Setup";
import { Sidebar } from "./components/Sidebar";
import { TrustDialog } from "./components/TrustDialog";
import { reportFirstPaint } from "./paint";
import { initialState, reduce, selectedProfile, sessionOf, type Action } from "./state";
import { refreshBeforeMs } from "./status";

type Tab = "session" | "settings";

export function App() {
  const [state, dispatch] = useReducer(reduce, initialState);
  const [tab, setTab] = useState<Tab>("session");
  const [adding, setAdding] = useState(false);
  /** The first-run setup runs (no profile yet); it stays until the user leaves it. */
  const [setup, setSetup] = useState(false);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const conn = useRef<Connection | null>(null);

  // A layout effect: the backend is asked at once, not after the first (empty) frame is painted.
  useLayoutEffect(() => {
    const c = connect(dispatch as (a: Action) => void);
    conn.current = c;
    c.ready.catch((e) => setLoadError(toApiError(e)));
    return c.close;
  }, []);

  const fail = (e: unknown) => dispatch({ type: "error", error: toApiError(e) });
  /** Runs a command; a failure shows in the banner. */
  const run = (p: () => Promise<unknown>) => {
    dispatch({ type: "error", error: null });
    p().catch(fail);
  };

  const o = state.overview;
  const config = state.config;
  const profiles = o?.profiles ?? [];
  const selected = selectedProfile(state);
  const profileConf = (name: string): Profile | undefined => config?.profiles.find((p) => p.name === name);
  const thresholdOf = (name: string) => refreshBeforeMs(sessionOf(state, name));

  const loaded = o !== null && config !== null;
  useEffect(() => {
    if (loaded && profiles.length === 0) setSetup(true);
  }, [loaded, profiles.length]);
  useEffect(() => {
    if (loaded) reportFirstPaint();
  }, [loaded]);
  const inSetup = loaded && (setup || profiles.length === 0);

  const select = (p: string) => {
    setAdding(false);
    setSetup(false);
    if (p === selected) return;
    dispatch({ type: "select", profile: p });
    run(() => api.selectProfile(p));
  };

  const save = async (list: Profile[], saved: Profile): Promise<boolean> => {
    dispatch({ type: "error", error: null });
    try {
      const view = await api.configSave(list);
      dispatch({ type: "config", config: view });
      if (saved.name !== selected) {
        dispatch({ type: "select", profile: saved.name });
        api.selectProfile(saved.name).catch(fail);
      }
      if (adding) {
        setAdding(false);
        setSetup(false);
        setTab("session");
      }
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  };

  const remove = async (list: Profile[]): Promise<boolean> => {
    dispatch({ type: "error", error: null });
    try {
      dispatch({ type: "config", config: await api.configSave(list) });
      setTab("session");
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  };

  const [configErrorSeen, setConfigErrorSeen] = useState(false);
  // No config file yet is what the first-run setup is for, not an error to show.
  const configError = config && !config.exists ? null : (o?.config_error ?? null);
  const shownError = state.error ?? (configErrorSeen ? null : configError);
  const dismiss = () => (state.error ? dispatch({ type: "error", error: null }) : setConfigErrorSeen(true));
  const banner = (
    <>
      {shownError && <ErrorBanner error={shownError} onDismiss={dismiss} />}
      {(o?.warnings ?? []).map((w) => (
        <p class="warning-line muted" data-testid="warning" key={w}>
          {w}
        </p>
      ))}
    </>
  );

  let content;
  if (loadError) {
    content = (
      <div class="center-state">
        <ErrorBanner error={loadError}>
          <button
            type="button"
            class="btn small"
            onClick={() => {
              setLoadError(null);
              conn.current?.reload().catch((e) => setLoadError(toApiError(e)));
            }}
          >
            Try again
          </button>
        </ErrorBanner>
      </div>
    );
  } else if (!o || !config) {
    content = (
      <div class="center-state muted" role="status">
        <span class="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  } else if (adding) {
    content = (
      <>
        <header class="content-head">
          <div class="title-block">
            <h1>New profile</h1>
            <p class="muted">Saved to <span class="mono">{config.path}</span></p>
          </div>
        </header>
        {banner}
        <div class="content-scroll">
          <SettingsForm key="new" config={config} original={null} knownRoles={[]} onSave={save} onDelete={remove} onCancel={() => setAdding(false)} />
        </div>
      </>
    );
  } else if (inSetup) {
    content = (
      <Setup
        config={config}
        statusOf={(p) => sessionOf(state, p)}
        picking={state.picker?.profile ?? null}
        replacesBroken={config.exists && !!o.config_error && profiles.length === 0}
        banner={shownError ? <ErrorBanner error={shownError} onDismiss={dismiss} /> : undefined}
        warnings={o.warnings ?? []}
        onConfig={(view) => {
          dispatch({ type: "config", config: view });
          setConfigErrorSeen(true); // saved: the file is readable now
        }}
        onAdvanced={() => {
          dispatch({ type: "error", error: null });
          setAdding(true);
        }}
        onFinish={(p) => {
          setSetup(false);
          setTab("session");
          if (p && p !== selected) {
            dispatch({ type: "select", profile: p });
            run(() => api.selectProfile(p));
          }
        }}
      />
    );
  } else if (selected) {
    const status = sessionOf(state, selected);
    const threshold = thresholdOf(selected);
    const roles = o.roles[selected] ?? [];
    const conf = profileConf(selected);
    content = (
      <>
        <header class="content-head">
          <div class="title-block">
            <h1>{selected}</h1>
            {conf && <p class="muted head-sub">{describeProfile(conf)}</p>}
          </div>
          <div class="tabs" role="tablist" aria-label="Profile views">
            <button type="button" role="tab" id="tab-session" aria-selected={tab === "session"} aria-controls="panel" class={tab === "session" ? "tab on" : "tab"} data-testid="tab-session" onClick={() => setTab("session")}>
              <IconClock /> Session
            </button>
            <button type="button" role="tab" id="tab-settings" aria-selected={tab === "settings"} aria-controls="panel" class={tab === "settings" ? "tab on" : "tab"} data-testid="tab-settings" onClick={() => setTab("settings")}>
              <IconSettings /> Settings
            </button>
          </div>
        </header>
        {banner}
        <div class="content-scroll" id="panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          {tab === "session" ? (
            <div class="stack">
              <SessionCard
                status={status}
                thresholdMs={threshold}
                progress={state.progress[selected]}
                knownRoles={roles.length}
                onSignIn={() => run(() => api.login(selected))}
                onCancel={() => run(() => api.cancelLogin(selected))}
                onSwitchRole={() => run(() => api.switchRole(selected))}
                onSignOut={() => run(() => api.logout(selected))}
              />
              <Registries registries={status.registries} thresholdMs={threshold} signedIn={status.state !== "logged_out"} />
              <RepositoriesSection status={status} />
              <ActivityList items={o.activity} showProfile={profiles.length > 1} />
            </div>
          ) : conf ? (
            <SettingsForm key={selected} config={config} original={conf} knownRoles={roles} onSave={save} onDelete={remove} appSection={<AppSettings />} />
          ) : (
            <p class="muted">This profile is not in the config file any more.</p>
          )}
        </div>
      </>
    );
  }

  const picker = state.picker;
  const trust = state.trust;
  return (
    <div class="app">
      <Sidebar
        profiles={profiles}
        selected={selected}
        adding={adding}
        sessionOf={(p) => sessionOf(state, p)}
        thresholdOf={thresholdOf}
        configPath={config?.path ?? null}
        onSelect={select}
        onAdd={() => {
          dispatch({ type: "error", error: null });
          setAdding(true);
        }}
      />
      <main class="content">{content}</main>
      {picker && (
        <RolePicker
          key={`${picker.profile}\n${picker.roles.map((r) => r.role_arn).join(",")}`}
          picker={picker}
          onPick={(profile, arn) => {
            dispatch({ type: "picker-closed", profile });
            dispatch({ type: "error", error: null });
            // A failed sign-in is reported by the backend's login-progress and session events,
            // which the session card shows; a banner would say it twice.
            api.pickRole(profile, arn).catch((e) => console.warn("pick_role", e));
          }}
          onCancel={(profile) => {
            dispatch({ type: "picker-closed", profile });
            run(() => api.cancelPick(profile));
          }}
        />
      )}
      {/* After the picker: a held sign-in's question is the one to answer first. */}
      {trust && (
        <TrustDialog
          key={`${trust.profile}\n${trust.role_arn}\n${trust.issuer ?? ""}`}
          question={trust}
          onConfirm={(profile) => {
            dispatch({ type: "trust-closed", profile });
            run(() => api.confirmTrust(profile));
          }}
          onReject={(profile) => {
            dispatch({ type: "trust-closed", profile });
            run(() => api.rejectTrust(profile));
          }}
        />
      )}
    </div>
  );
}

/** `us-east-1 · corp.example.okta.com` or `us-west-2 · AWS profile sandbox-saml`. */
function describeProfile(p: Profile): string {
  let source = "";
  if (p.idp_url) {
    try {
      source = new URL(p.idp_url).host;
    } catch {
      source = p.idp_url;
    }
  } else if (p.aws_profile) {
    source = `AWS profile ${p.aws_profile}`;
  }
  return source ? `${p.region} · ${source}` : p.region;
}
