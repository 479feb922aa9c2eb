import { describe, expect, it } from "vitest";
import {
  formatAbsolute,
  formatBytes,
  formatClock,
  countdownNext,
  dayNext,
  earliest,
  formatCountdown,
  formatDate,
  formatDay,
  formatDuration,
  formatEventTime,
  formatRelative,
  formatSince,
  parseTime,
  relativeNext,
  sinceNext,
} from "./format";

describe("formatDuration", () => {
  it("formats like the backend", () => {
    expect(formatDuration(40)).toBe("40s");
    expect(formatDuration(720)).toBe("12m");
    expect(formatDuration(3600)).toBe("1h");
    expect(formatDuration(3900)).toBe("1h 5m");
  });
});

describe("formatCountdown", () => {
  it("shows whole minutes while more than 10 minutes are left", () => {
    expect(formatCountdown(3599_000)).toBe("59m");
    expect(formatCountdown(3599_999)).toBe("59m");
    expect(formatCountdown(601_000)).toBe("10m");
  });
  it("shows minutes and seconds in the last 10 minutes", () => {
    expect(formatCountdown(600_999)).toBe("10m 00s");
    expect(formatCountdown(599_000)).toBe("9m 59s");
    expect(formatCountdown(61_000)).toBe("1m 01s");
  });
  it("shows seconds only under a minute", () => {
    expect(formatCountdown(9_500)).toBe("9s");
    expect(formatCountdown(0)).toBe("0s");
    expect(formatCountdown(-5000)).toBe("0s");
  });
  it("shows hours with padded minutes", () => {
    expect(formatCountdown((7 * 3600 + 5 * 60 + 9) * 1000)).toBe("7h 05m");
    expect(formatCountdown(3600_000)).toBe("1h 00m");
  });
  it("shows days for long spans", () => {
    expect(formatCountdown((26 * 3600 + 3 * 60) * 1000)).toBe("1d 2h 03m");
  });
});

/**
 * Walks time from `from` to `to` as the clock does (a wake at each `next`, nothing between) and
 * checks at every `step` that what it would show is what `show` says now: never stale. Returns
 * the number of wakes, each of which changed what is shown (unless not `exact`).
 */
function walk(show: (t: number) => string, next: (t: number) => number | null, from: number, to: number, step: number, exact = true): number {
  let shown = show(from);
  let due = next(from);
  let wakes = 0;
  for (let t = from; t <= to; t += step) {
    while (due !== null && due <= t) {
      expect(due).toBeGreaterThan(from - 1);
      const was = shown;
      shown = show(due);
      if (exact) expect(shown, `a wake at ${due} that changes nothing`).not.toBe(was);
      const n = next(due);
      expect(n === null || n > due).toBe(true);
      due = n;
      wakes++;
    }
    expect(shown, `at ${t} (${(to - t) / 1000}s before the end)`).toBe(show(t));
  }
  return wakes;
}

describe("when what is shown next changes", () => {
  const now = Date.parse("2025-11-26T12:00:00Z");

  it("countdownNext: once a minute, on the minute, until the last 10 minutes, then every second", () => {
    const exp = now + 75 * 60_000 + 437; // not on a whole second
    expect(countdownNext(exp, now)).toBe(exp - 75 * 60_000 + 1);
    expect(formatCountdown(exp - countdownNext(exp, now)!)).toBe("1h 14m");
    // Over the hour of minutes: one wake a minute, and the switch to seconds.
    expect(walk((t) => formatCountdown(exp - t), (t) => countdownNext(exp, t), now, exp - 11 * 60_000, 250)).toBe(64);
    // The last 11 minutes: 11m -> 10m, 10m -> 10m 00s, then one wake a second down to 0s.
    const wakes = walk((t) => formatCountdown(exp - t), (t) => countdownNext(exp, t), exp - 11 * 60_000, exp - 1, 50);
    expect(wakes).toBe(2 + 600);
    expect(countdownNext(exp, exp - 999)).toBeNull(); // "0s" until the caller's expiry
  });

  it("countdownNext: days tick by the minute too", () => {
    const exp = now + 2 * 86400_000 + 5_123;
    walk((t) => formatCountdown(exp - t), (t) => countdownNext(exp, t), now, now + 3 * 3600_000, 1000);
  });

  it("relativeNext: seconds, minutes, hours, both sides of the target", () => {
    for (const target of [now + 90_000 + 17, now + 2 * 86400_000 + 3_300_007, now - 3 * 3600_000 - 5]) {
      walk((t) => formatRelative(target, t), (t) => relativeNext(target, t), now, now + 3 * 3600_000, 500);
    }
    const target = now + 3000;
    expect(relativeNext(target, target - 500)).toBe(target); // "in a moment" until "just now"
    expect(formatRelative(target, target)).toBe("just now");
    expect(walk((t) => formatRelative(target, t), (t) => relativeNext(target, t), now, now + 4 * 86400_000, 60_000)).toBeLessThan(4 * 24 + 24 * 60 + 70);
  });

  it("sinceNext: minutes within the week, then never", () => {
    const at = now - 30_000;
    walk((t) => formatSince(at, t), (t) => sinceNext(at, t), now, now + 2 * 3600_000, 1000);
    expect(sinceNext(at, at + 8 * 86400_000)).toBeNull();
    walk((t) => formatSince(at, t), (t) => sinceNext(at, t), at + 6 * 86400_000, at + 8 * 86400_000, 60_000);
  });

  it("dayNext: local midnight, for the day labels", () => {
    const exp = now + 3600_000;
    // Once a day; the wakes when the label stays a date change nothing.
    expect(walk((t) => formatDay(exp, t) + formatEventTime(exp, t), dayNext, now - 86400_000, now + 3 * 86400_000, 60_000, false)).toBe(4);
  });

  it("earliest: the first candidate after now", () => {
    expect(earliest(10, null, 5, 30, 20, undefined, 10)).toBe(20);
    expect(earliest(10, null, 3)).toBeNull();
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2025-11-26T12:00:00Z");
  it("future and past", () => {
    expect(formatRelative(now + (11 * 3600 + 42 * 60) * 1000, now)).toBe("in 11h 42m");
    expect(formatRelative(now + 5 * 60_000, now)).toBe("in 5m");
    expect(formatRelative(now + 40_000, now)).toBe("in 40s");
    expect(formatRelative(now - 3 * 60_000, now)).toBe("3m ago");
    expect(formatRelative(now - 2 * 3600_000, now)).toBe("2h ago");
    expect(formatRelative(now, now)).toBe("just now");
    expect(formatRelative(now + 500, now)).toBe("in a moment");
    expect(formatRelative(now - 500, now)).toBe("just now");
  });
});

describe("times (TZ=UTC in tests)", () => {
  const now = Date.parse("2025-11-26T12:00:00Z");
  it("parseTime", () => {
    expect(parseTime("2025-11-26T12:00:00Z")).toBe(now);
    expect(parseTime(null)).toBeNull();
    expect(parseTime("not a time")).toBeNull();
  });
  it("clock and absolute", () => {
    expect(formatClock(Date.parse("2025-11-26T09:05:03Z"))).toBe("09:05:03");
    expect(formatAbsolute(Date.parse("2025-11-26T09:05:03Z"))).toBe("2025-11-26 09:05:03 UTC");
  });
  it("day labels", () => {
    expect(formatDay(Date.parse("2025-11-26T21:14:00Z"), now)).toBe("today 21:14");
    expect(formatDay(Date.parse("2025-11-27T02:30:00Z"), now)).toBe("tomorrow 02:30");
    expect(formatDay(Date.parse("2025-11-25T18:30:00Z"), now)).toBe("yesterday 18:30");
    expect(formatDay(Date.parse("2025-11-20T08:00:00Z"), now)).toBe("Nov 20 08:00");
  });
  it("event times", () => {
    expect(formatEventTime(Date.parse("2025-11-26T10:00:01Z"), now)).toBe("10:00:01");
    expect(formatEventTime(Date.parse("2025-11-24T18:30:00Z"), now)).toBe("Nov 24 18:30");
  });
});

describe("formatBytes (decimal, as docker)", () => {
  it.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [12_345_678, "12.3 MB"],
    [123_456_789, "123 MB"],
    [999_600, "1.0 MB"],
    [999_400, "999 kB"],
    [1_234_567_890, "1.2 GB"],
    [-1, "—"],
    [Number.NaN, "—"],
  ])("%d → %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe("dates (TZ=UTC in tests)", () => {
  const now = Date.parse("2025-11-26T12:00:00Z");
  it("formatDate", () => {
    expect(formatDate(Date.parse("2025-03-04T23:59:00Z"))).toBe("Mar 4, 2025");
  });
  it("formatSince: relative within a week, else the date", () => {
    expect(formatSince(now - 20_000, now)).toBe("just now");
    expect(formatSince(now + 5_000, now)).toBe("just now");
    expect(formatSince(now - 5 * 60_000, now)).toBe("5m ago");
    expect(formatSince(now - (3 * 86400_000 + 4 * 3600_000), now)).toBe("3d 4h ago");
    expect(formatSince(now - 8 * 86400_000, now)).toBe("Nov 18, 2025");
  });
});
