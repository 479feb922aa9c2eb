// Pure formatting of durations, countdowns and times. No DOM, no clock of its own: callers pass `now`.

/** Like the backend's `duration::format`: `1h 5m`, `12m`, `40s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h === 0 && m === 0) return `${sec}s`;
  if (h === 0) return `${m}m`;
  if (m === 0) return `${h}h`;
  return `${h}h ${m}m`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** The countdown shows seconds only in its last 10 minutes (where they matter); before, minutes. */
export const SECONDS_SHOWN_MS = 10 * 60_000;

/**
 * A live countdown: `7h 05m`, `59m`, `12m` while more than 10 minutes are left (it changes once a
 * minute), then to the second: `10m 00s`, `9m 59s`, `9s`; days for long spans (`1d 2h 03m`).
 * Units after the first are zero-padded so the text does not jump while it ticks.
 * {@link countdownNext} says when it next changes.
 */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${h}h ${pad2(m)}m`;
  if (total > SECONDS_SHOWN_MS / 1000) return h > 0 ? `${h}h ${pad2(m)}m` : `${m}m`;
  if (m > 0) return `${m}m ${pad2(s)}s`;
  return `${s}s`;
}

function coarse(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${total}s`;
}

/** `in 11h 42m`, `in 40s`, `5m ago`, `just now`. */
export function formatRelative(target: number, now: number): string {
  const diff = target - now;
  if (Math.abs(diff) < 1000) return diff > 0 ? "in a moment" : "just now";
  return diff > 0 ? `in ${coarse(diff)}` : `${coarse(diff)} ago`;
}

/** Milliseconds since the epoch of an RFC 3339 time, or null when absent or unreadable. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** `14:02:09` in local time. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `2025-11-26 14:02:09` in local time, with the zone (for tooltips). */
export function formatAbsolute(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0 ? "UTC" : `UTC${off > 0 ? "+" : "-"}${pad2(Math.floor(Math.abs(off) / 60))}:${pad2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(ms)} ${zone}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayDiff(a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  const ua = Date.UTC(da.getFullYear(), da.getMonth(), da.getDate());
  const ub = Date.UTC(db.getFullYear(), db.getMonth(), db.getDate());
  return Math.round((ua - ub) / 86400000);
}

/** `today 21:14`, `tomorrow 09:00`, `yesterday 18:30`, `Nov 24 18:30` (local time, minutes). */
export function formatDay(ms: number, now: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  switch (dayDiff(ms, now)) {
    case 0:
      return `today ${hm}`;
    case 1:
      return `tomorrow ${hm}`;
    case -1:
      return `yesterday ${hm}`;
    default:
      return `${MONTHS[d.getMonth()]} ${d.getDate()} ${hm}`;
  }
}

/** Activity times: `14:02:09` today, else `Nov 24 18:30`. */
export function formatEventTime(ms: number, now: number): string {
  if (dayDiff(ms, now) === 0) return formatClock(ms);
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** `Nov 24, 2025` in local time. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}`;
}

const SIZE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Decimal units as docker prints them: `512 B`, `12.3 MB`, `123 MB`, `1.2 GB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let i = 0;
  let v = bytes;
  // Step up while the rounded figure would read 1000 or more (999.6 kB is 1.0 MB).
  while (i < SIZE_UNITS.length - 1 && v >= 999.5) {
    v /= 1000;
    i++;
  }
  return v < 99.95 ? `${v.toFixed(1)} ${SIZE_UNITS[i]}` : `${Math.round(v)} ${SIZE_UNITS[i]}`;
}

/** Past times: `just now`, `5m ago`, `3d 4h ago` within a week, else `Nov 24, 2025`. */
export function formatSince(ms: number, now: number): string {
  const diff = now - ms;
  if (diff < 60_000) return "just now";
  if (diff < 7 * 86400_000) return formatRelative(ms, now);
  return formatDate(ms);
}

// -- When what is shown next changes ---------------------------------------------------------
// Each formatter of a time relative to `now` has a companion giving the first moment after `now`
// at which its text changes (null: never, as far as `now` goes), so the window's clock
// (clock.ts) wakes only then, on the boundary, and never shows a stale value.

/** The first t > now at which floor((target - t) / unit) changes; target > now. */
function stepDown(target: number, now: number, unit: number): number {
  return target - Math.floor((target - now) / unit) * unit + 1;
}

/** The first t > now at which floor((t - origin) / unit) changes; now >= origin. */
function stepUp(origin: number, now: number, unit: number): number {
  return origin + (Math.floor((now - origin) / unit) + 1) * unit;
}

/** The earliest of `candidates` after `now`, or null. */
export function earliest(now: number, ...candidates: (number | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const c of candidates) {
    if (c !== null && c !== undefined && c > now && (best === null || c < best)) best = c;
  }
  return best;
}

/**
 * When `formatCountdown(target - t)` next changes after `now`: the next minute boundary while more
 * than 10 minutes are left (or the switch to seconds), then every second; null once it shows `0s`
 * (the caller's own change at `target` is the caller's to add).
 */
export function countdownNext(target: number, now: number): number | null {
  const total = Math.floor((target - now) / 1000);
  if (total <= 0) return null;
  if (total <= SECONDS_SHOWN_MS / 1000) return stepDown(target, now, 1000);
  // Minutes shown; seconds from the moment no more than SECONDS_SHOWN_MS are left in whole seconds.
  return earliest(now, stepDown(target, now, 60_000), target - SECONDS_SHOWN_MS - 1000 + 1);
}

/** When `formatRelative(target, t)` next changes after `now`. */
export function relativeNext(target: number, now: number): number {
  const diff = target - now;
  if (diff >= 1000) return stepDown(target, now, diff >= 86400_000 ? 3600_000 : diff >= 60_000 ? 60_000 : 1000);
  if (diff > 0) return target; // "in a moment" until "just now"
  const ago = -diff;
  return stepUp(target, now, ago >= 86400_000 ? 3600_000 : ago >= 60_000 ? 60_000 : 1000);
}

/** When `formatSince(ms, t)` next changes after `now` (null: it shows a date from now on). */
export function sinceNext(ms: number, now: number): number | null {
  const diff = now - ms;
  if (diff < 60_000) return ms + 60_000;
  if (diff < 7 * 86400_000) return Math.min(relativeNext(ms, now), ms + 7 * 86400_000);
  return null;
}

/** The next local midnight after `now`: when `formatDay` and `formatEventTime` may change. */
export function dayNext(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}
