import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clockArmed, MAX_SLEEP_MS, subscribeClock } from "./clock";

const T0 = Date.parse("2025-11-26T12:00:00Z");
/** Every whole minute after `t`. */
const minutes = (t: number) => (Math.floor(t / 60_000) + 1) * 60_000;

function setVisibility(v: DocumentVisibilityState) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => v });
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("the shared clock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0 + 30_000);
  });
  afterEach(() => {
    delete (document as { visibilityState?: unknown }).visibilityState;
  });

  it("wakes a user only at the changes it announces", () => {
    const seen: number[] = [];
    const stop = subscribeClock(minutes, (t) => seen.push(t));
    vi.advanceTimersByTime(5 * 60_000);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((m) => T0 + m * 60_000));
    stop();
    expect(clockArmed()).toBe(false);
  });

  it("wakes for the earliest user, and only the users due", () => {
    const a: number[] = [];
    const b: number[] = [];
    const stopA = subscribeClock(minutes, (t) => a.push(t));
    const stopB = subscribeClock((t) => t + 1000, (t) => b.push(t));
    vi.advanceTimersByTime(60_000);
    expect(a).toEqual([T0 + 60_000]);
    expect(b).toHaveLength(60);
    stopB();
    vi.advanceTimersByTime(60_000);
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(60);
    stopA();
  });

  it("has no timer when nothing changes", () => {
    const stop = subscribeClock(() => null, () => {});
    expect(clockArmed()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });

  it("sleeps at most MAX_SLEEP_MS and a wake with nothing due notifies nobody", () => {
    const seen: number[] = [];
    const far = T0 + 3 * 3600_000;
    const stop = subscribeClock((t) => (t < far ? far : null), (t) => seen.push(t));
    vi.advanceTimersByTime(MAX_SLEEP_MS);
    expect(seen).toEqual([]);
    expect(clockArmed()).toBe(true);
    stop();
  });

  it("catches up after the wall clock jumped forward (a suspend) within MAX_SLEEP_MS", () => {
    const seen: number[] = [];
    const stop = subscribeClock((t) => t + 3600_000, (t) => seen.push(t));
    // Timers count awake time: the wall clock moves two hours, the pending timer does not.
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    vi.advanceTimersByTime(MAX_SLEEP_MS);
    expect(seen).toHaveLength(1);
    stop();
  });

  it("renders again at once when the wall clock is set back", () => {
    const seen: number[] = [];
    const stop = subscribeClock((t) => t + 3600_000, (t) => seen.push(t));
    vi.setSystemTime(Date.now() - 600_000);
    vi.advanceTimersByTime(MAX_SLEEP_MS);
    expect(seen).toHaveLength(1);
    stop();
  });

  it("a next change in the past does not spin", () => {
    let calls = 0;
    const stop = subscribeClock((t) => t - 5, () => calls++);
    vi.advanceTimersByTime(10_000);
    expect(calls).toBe(10);
    stop();
  });

  it("stops while the window is hidden and notifies everyone when it is shown", () => {
    const seen: number[] = [];
    const stop = subscribeClock((t) => t + 1000, (t) => seen.push(t));
    vi.advanceTimersByTime(3000);
    expect(seen).toHaveLength(3);
    setVisibility("hidden");
    expect(clockArmed()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3600_000);
    expect(seen).toHaveLength(3);
    vi.advanceTimersByTime(250);
    setVisibility("visible");
    expect(seen).toHaveLength(4);
    expect(seen[3]).toBe(Date.now());
    expect(clockArmed()).toBe(true);
    stop();
  });
});
