// One shared local clock for every time the window shows. Each user says when what it shows next
// changes (format.ts's *Next companions: a countdown's next minute, or its next second in the last
// minutes; a state's threshold), and the clock sleeps until the earliest of those moments, then
// re-renders only the users whose moment came. Nothing shown changes: no timer. The window hidden
// (minimised, another workspace): no timer; shown again, every user renders at once. Every DOM
// change costs the web view a layout and a repaint (in software on Linux), so an idle window
// must change nothing it does not have to. Nothing here talks to the backend.
import { useEffect, useRef, useState } from "preact/hooks";

/** When what the caller shows next changes after `now` (epoch ms), or null: not as time goes. */
export type NextChange = (now: number) => number | null;

/**
 * The longest sleep. Timers count time the machine was awake while the wall clock also counts a
 * suspend (and can be set): after a resume, a display that waited for a boundary hours away is
 * right again within this long. A wake with nothing due changes nothing in the DOM.
 */
export const MAX_SLEEP_MS = 60_000;

interface User {
  next: NextChange;
  /** Re-renders the user. */
  notify: () => void;
  /** When the user's display next changes; null: never. */
  due: number | null;
  /** The time its display was last computed for (to notice a wall clock set back). */
  at: number;
}

const users = new Set<User>();
let timer: ReturnType<typeof setTimeout> | null = null;
let listening = false;

function hidden(): boolean {
  return typeof document !== "undefined" && document.visibilityState === "hidden";
}

/** The next change strictly after `at`: a `next` that answers the past would spin, so it waits a second. */
function dueAfter(next: NextChange, at: number): number | null {
  const due = next(at);
  return due === null || due > at ? due : at + 1000;
}

function plan() {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  if (hidden()) return;
  let due: number | null = null;
  for (const u of users) if (u.due !== null && (due === null || u.due < due)) due = u.due;
  if (due === null) return;
  timer = setTimeout(wake, Math.min(Math.max(due - Date.now(), 0), MAX_SLEEP_MS));
}

function wake() {
  timer = null;
  const now = Date.now();
  for (const u of [...users]) {
    // Due, or the wall clock went back past what it shows.
    if ((u.due !== null && u.due <= now) || now < u.at) {
      // Until it renders and says its next change (its effect), it asks for nothing.
      u.due = null;
      u.notify();
    }
  }
  plan();
}

function onVisibility() {
  if (hidden()) {
    plan(); // stops the timer
    return;
  }
  // Shown again: what every user shows may have changed meanwhile.
  for (const u of [...users]) {
    u.due = null;
    u.notify();
  }
  plan();
}

function listen() {
  if (listening || typeof document === "undefined") return;
  listening = true;
  document.addEventListener("visibilitychange", onVisibility);
}

/**
 * A user of the clock outside a component (tests, non-Preact code): `notify` runs at each change
 * `next` announces, with the time. Returns the unsubscribe function.
 */
export function subscribeClock(next: NextChange, notify: (now: number) => void): () => void {
  listen();
  const now = Date.now();
  const u: User = {
    next,
    notify: () => {
      const t = Date.now();
      u.at = t;
      u.due = dueAfter(next, t);
      notify(t);
    },
    due: dueAfter(next, now),
    at: now,
  };
  users.add(u);
  plan();
  return () => {
    users.delete(u);
    plan();
  };
}

/**
 * The current time, for a component that shows times relative to it: it renders again when
 * `next(now)` says what it shows changes, not before. Each render reads the clock afresh, so a
 * render for another reason (new data) is right too, and says the next change again.
 */
export function useNow(next: NextChange): number {
  const [, setTick] = useState(0);
  const now = Date.now();
  const nextRef = useRef(next);
  nextRef.current = next;
  const user = useRef<User | null>(null);
  useEffect(() => {
    listen();
    const u: User = { next: (t) => nextRef.current(t), notify: () => setTick((n) => n + 1), due: null, at: now };
    user.current = u;
    users.add(u);
    return () => {
      users.delete(u);
      user.current = null;
      plan();
    };
  }, []);
  // After every render: the next change of what this render showed.
  useEffect(() => {
    const u = user.current;
    if (!u) return;
    u.at = now;
    u.due = dueAfter(nextRef.current, now);
    plan();
  });
  return now;
}

/** For tests: whether the clock has a timer set. */
export function clockArmed(): boolean {
  return timer !== null;
}
