// The app state and a pure reducer: the backend's overview, then one action per event.
import type { Activity, ApiError, ConfigView, LoginProgress, Overview, RolePicker, Status, TrustQuestion } from "./api";

export const MAX_ACTIVITY = 100;

export interface AppState {
  /** Null until the first `overview` answer. */
  overview: Overview | null;
  config: ConfigView | null;
  picker: RolePicker | null;
  /** A sign-in held until the user trusts its new issuer or account. */
  trust: TrustQuestion | null;
  /** Sign-in progress per profile (absent when nothing runs). */
  progress: Record<string, LoginProgress>;
  error: ApiError | null;
}

export type Action =
  | { type: "overview"; overview: Overview }
  | { type: "session"; status: Status }
  | { type: "activity"; activity: Activity }
  | { type: "picker"; picker: RolePicker }
  | { type: "picker-closed"; profile: string }
  | { type: "trust"; trust: TrustQuestion }
  | { type: "trust-closed"; profile: string }
  | { type: "progress"; progress: LoginProgress }
  | { type: "progress-clear"; profile: string }
  | { type: "config"; config: ConfigView }
  | { type: "select"; profile: string }
  | { type: "error"; error: ApiError | null };

export const initialState: AppState = { overview: null, config: null, picker: null, trust: null, progress: {}, error: null };

const emptyOverview = (): Overview => ({ profiles: [], selected: null, sessions: [], roles: {}, activity: [], warnings: [], picker: null, trust: null, progress: [] });

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case "overview": {
      const o = action.overview;
      // A pending sign-in's picker or trust question comes with the overview when its event had
      // no listener yet.
      // Sign-ins under way when the window opened: their last progress (a later event wins).
      const running = Object.fromEntries(o.progress.map((p) => [p.profile, p]));
      return {
        ...state,
        picker: o.picker ?? state.picker,
        trust: o.trust ?? state.trust,
        progress: { ...running, ...state.progress },
        overview: { ...o, activity: o.activity.slice(0, MAX_ACTIVITY) },
      };
    }
    case "session": {
      const o = state.overview ?? emptyOverview();
      const s = action.status;
      const i = o.sessions.findIndex((x) => x.profile === s.profile);
      const sessions = i < 0 ? [...o.sessions, s] : o.sessions.map((x, j) => (j === i ? s : x));
      return { ...state, overview: { ...o, sessions } };
    }
    case "activity": {
      const o = state.overview ?? emptyOverview();
      return { ...state, overview: { ...o, activity: [action.activity, ...o.activity].slice(0, MAX_ACTIVITY) } };
    }
    case "picker":
      return { ...state, picker: action.picker };
    case "picker-closed":
      return state.picker && state.picker.profile === action.profile ? { ...state, picker: null } : state;
    case "trust":
      return { ...state, trust: action.trust };
    case "trust-closed":
      return state.trust && state.trust.profile === action.profile ? { ...state, trust: null } : state;
    case "progress": {
      const p = action.progress;
      // A finished or cancelled sign-in leaves nothing to show; the session event tells the rest.
      if (p.phase === "done" || p.phase === "cancelled") return reduce(state, { type: "progress-clear", profile: p.profile });
      return { ...state, progress: { ...state.progress, [p.profile]: p } };
    }
    case "progress-clear": {
      if (!(action.profile in state.progress)) return state;
      const progress = { ...state.progress };
      delete progress[action.profile];
      return { ...state, progress };
    }
    case "config": {
      // The profile list is the config's; keep the selection when it still exists.
      const names = action.config.profiles.map((p) => p.name);
      const o = state.overview ?? emptyOverview();
      const selected = o.selected && names.includes(o.selected) ? o.selected : (names[0] ?? null);
      return { ...state, config: action.config, overview: { ...o, profiles: names, selected } };
    }
    case "select": {
      const o = state.overview ?? emptyOverview();
      return { ...state, overview: { ...o, selected: action.profile } };
    }
    case "error":
      return { ...state, error: action.error };
  }
}

/** The selected profile: the backend's choice, else the first. */
export function selectedProfile(s: AppState): string | null {
  const o = s.overview;
  if (!o) return null;
  if (o.selected && o.profiles.includes(o.selected)) return o.selected;
  return o.profiles[0] ?? null;
}

export function sessionOf(s: AppState, profile: string): Status {
  return (
    s.overview?.sessions.find((x) => x.profile === profile) ?? {
      profile,
      state: "logged_out",
      role_arn: null,
      account: null,
      expires_at: null,
      registries: [],
      refresh_before_s: 0,
      role_name: null,
      role_path: null,
    }
  );
}

/** Phases during which a sign-in is under way. */
export const RUNNING_PHASES = new Set(["opening", "waiting_for_idp", "assuming_role", "writing_docker_config"]);
