// Pure rules for what the UI shows about a session and its registry tokens at a given moment.
import type { SessionState, Status } from "./api";
import { earliest, parseTime } from "./format";

/** How long before expiry a session or token counts as expiring: the backend says, per profile
 *  (`refresh_before_s`, the profile's refresh_before or its default). */
export function refreshBeforeMs(status: Status | undefined): number {
  return (status?.refresh_before_s ?? 0) * 1000;
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

