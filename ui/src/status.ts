// Pure rules for what the UI shows about a session and its registry tokens at a given moment.
import type { Profile, SessionState, Status } from "./api";
import { earliest, parseDuration, parseTime } from "./format";

/** The backend's default warning and refresh lead time (config.rs DEFAULT_REFRESH_BEFORE). */
export const DEFAULT_REFRESH_BEFORE_S = 600;

/** How long before expiry a session or token counts as expiring for this profile. */
export function refreshBeforeMs(profile: Profile | undefined): number {
  const r = profile?.refresh_before ? parseDuration(profile.refresh_before) : null;
  return (r && r.ok ? r.seconds : DEFAULT_REFRESH_BEFORE_S) * 1000;
}

/**
 * The state to show now. The backend's state wins, except that a live session whose expiry
 * has come (or is within `thresholdMs`) is shown expired (or expiring) at once, without waiting
 * for the next event.
 */
export function effectiveState(s: Status, now: number, thresholdMs: number): SessionState {
  if (s.state !== "active" && s.state !== "expiring") return s.state;
  const exp = parseTime(s.expires_at);
  if (exp === null) return s.state;
  if (exp <= now) return "expired";
  if (exp - now <= thresholdMs) return "expiring";
  return s.state;
}

/** When `effectiveState(s, t, thresholdMs)` next changes after `now`: at the threshold, then at expiry. */
export function effectiveStateNext(s: Status, now: number, thresholdMs: number): number | null {
  if (s.state !== "active" && s.state !== "expiring") return null;
  const exp = parseTime(s.expires_at);
  return exp === null ? null : earliest(now, exp - thresholdMs, exp);
}

export type TokenState = "valid" | "expiring" | "expired";

export function tokenState(expiresAt: string, now: number, thresholdMs: number): TokenState {
  const exp = parseTime(expiresAt);
  if (exp === null || exp <= now) return "expired";
  return exp - now <= thresholdMs ? "expiring" : "valid";
}

/** When `tokenState(expiresAt, t, thresholdMs)` next changes after `now`. */
export function tokenStateNext(expiresAt: string, now: number, thresholdMs: number): number | null {
  const exp = parseTime(expiresAt);
  return exp === null ? null : earliest(now, exp - thresholdMs, exp);
}

export const STATE_LABEL: Record<SessionState, string> = {
  logged_out: "Signed out",
  active: "Active",
  expiring: "Expiring",
  expired: "Expired",
  error: "Error",
};

/** Role name, path and account from a role ARN (`arn:aws:iam::123456789012:role/team/Dev`). */
export function splitRoleArn(arn: string): { account: string; path: string; name: string } | null {
  const m = /^arn:[^:]+:iam::(\d{12}):role(\/.*)$/.exec(arn.trim());
  if (!m) return null;
  const rest = m[2];
  const i = rest.lastIndexOf("/");
  return { account: m[1], path: rest.slice(0, i + 1), name: rest.slice(i + 1) };
}
