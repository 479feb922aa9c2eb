import { act, fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Status } from "../api";
import { active, chained, loggedOut } from "../test/fixtures";
import { formatCountdown, formatRelative } from "../format";
import { SessionCard } from "./SessionCard";

const T0 = Date.parse("2025-11-26T12:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const noop = () => {};

function card(status: Status, extra: Partial<Parameters<typeof SessionCard>[0]> = {}) {
  return render(
    <SessionCard status={status} thresholdMs={600_000} knownRoles={3} onSignIn={noop} onSwitchRole={noop} onSignOut={noop} {...extra} />,
  );
}

const tick = (ms: number) => act(() => void vi.advanceTimersByTime(ms));

describe("countdown", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });

  const shown = () => screen.getByTestId("session-countdown").textContent;

  it("counts down from expires_at, without asking the backend: by the minute, then by the second in the last 10 minutes", () => {
    card(active("corp", at(3599)));
    expect(shown()).toBe("59m");
    tick(1000);
    expect(shown()).toBe("59m"); // 59m 58s left
    tick(60_000);
    expect(shown()).toBe("58m");
    expect(screen.getByTestId("session-state").dataset.state).toBe("active");
    tick((58 * 60 + 58 - 601) * 1000);
    expect(shown()).toBe("10m"); // 601 s left
    tick(1000);
    expect(shown()).toBe("10m 00s");
    tick(1000);
    expect(shown()).toBe("9m 59s");
  });

  it("wakes once a minute, on the minute, while more than 10 minutes are left; then every second, on the second", () => {
    const exp = T0 + 70 * 60_000 + 437; // not on a whole second
    card(active("corp", new Date(exp).toISOString()));
    expect(shown()).toBe("1h 10m");
    let wakes = 0;
    while (Date.now() < exp - 601_000) {
      act(() => void vi.advanceTimersToNextTimer());
      wakes++;
      // On the boundary (1 ms past it: the value shown is floored), and right.
      expect((exp - Date.now()) % 60_000 === 59_999 || exp - Date.now() === 600_999).toBe(true);
      expect(shown()).toBe(formatCountdown(exp - Date.now()));
    }
    expect(wakes).toBe(61); // 1h 10m -> 10m: 60 minutes, then the switch to seconds
    expect(shown()).toBe("10m 00s");
    wakes = 0;
    while (Date.now() < exp - 1000) {
      act(() => void vi.advanceTimersToNextTimer());
      wakes++;
      if (exp - Date.now() === 600_000) {
        // The refresh_before threshold: the state turns expiring on the millisecond.
        expect(screen.getByTestId("session-state").dataset.state).toBe("expiring");
        continue;
      }
      expect((exp - Date.now()) % 1000).toBe(999);
      expect(shown()).toBe(formatCountdown(exp - Date.now()));
    }
    expect(wakes).toBe(600 + 1);
    expect(shown()).toBe("0s");
    act(() => void vi.advanceTimersToNextTimer());
    expect(Date.now()).toBe(exp);
    expect(shown()).toBe("just now");
    expect(screen.getByTestId("session-state").dataset.state).toBe("expired");
  });

  it("is right to the second in the last minutes, whenever one looks", () => {
    const exp = T0 + 12 * 60_000 + 250;
    card(active("corp", new Date(exp).toISOString()));
    while (Date.now() < exp + 2000) {
      tick(50);
      const left = exp - Date.now();
      expect(shown()).toBe(left > 0 ? formatCountdown(left) : formatRelative(exp, Date.now()));
    }
    expect(screen.getByTestId("session-state").dataset.state).toBe("expired");
  });

  it("sets no timer while hidden and catches up when shown again", () => {
    const setVisibility = (v: DocumentVisibilityState) =>
      act(() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => v });
        document.dispatchEvent(new Event("visibilitychange"));
      });
    try {
      card(active("corp", at(300)));
      expect(shown()).toBe("5m 00s");
      expect(vi.getTimerCount()).toBe(1);
      setVisibility("hidden");
      expect(vi.getTimerCount()).toBe(0);
      tick(42_500);
      expect(shown()).toBe("5m 00s"); // nobody sees it
      setVisibility("visible");
      expect(shown()).toBe("4m 17s");
      expect(vi.getTimerCount()).toBe(1);
      tick(1000);
      expect(shown()).toBe("4m 16s");
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
    }
  });

  it("sets no timer when nothing shown changes with time", () => {
    card(loggedOut("corp"));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("turns expiring at the refresh_before threshold", () => {
    card(active("corp", at(601)));
    expect(screen.getByTestId("session-state").textContent).toBe("Active");
    tick(1000);
    expect(screen.getByTestId("session-state").textContent).toBe("Expiring");
    expect(screen.getByTestId("session").dataset.state).toBe("expiring");
    expect(screen.getByTestId("session-countdown").textContent).toBe("10m 00s");
  });

  it("turns expired at expiry and offers to sign in again", () => {
    card(active("corp", at(2)));
    expect(screen.queryByTestId("sign-in")).toBeNull();
    expect(screen.getByTestId("switch-role")).toBeTruthy();
    tick(2000);
    expect(screen.getByTestId("session-state").textContent).toBe("Expired");
    expect(screen.getByTestId("session-countdown").textContent).toBe("just now");
    expect(screen.getByTestId("sign-in").textContent).toContain("Sign in again");
    expect(screen.queryByTestId("switch-role")).toBeNull();
    expect(screen.getByTestId("sign-out")).toBeTruthy();
    tick(180_000);
    expect(screen.getByTestId("session-countdown").textContent).toBe("3m ago");
  });

  it("stops ticking when unmounted", () => {
    const r = card(active("corp", at(3599)));
    r.unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("session card", () => {
  it("shows identity, role, path and account", () => {
    card(active("corp", at(3600), { role_arn: "arn:aws:iam::123456789012:role/team/Developer", role_name: "Developer", role_path: "/team/", subject: "dev@example.com" }));
    expect(screen.getByTestId("session-role").textContent).toBe("Developer");
    expect(screen.getByText("/team/")).toBeTruthy();
    expect(screen.getByTestId("session-account").textContent).toBe("123456789012");
    expect(screen.getByText("dev@example.com")).toBeTruthy();
  });

  it("logged out: a clear call to sign in, no countdown", () => {
    const onSignIn = vi.fn();
    card(loggedOut("corp"), { onSignIn });
    expect(screen.getByTestId("session-state").textContent).toBe("Signed out");
    expect(screen.getByText("You're not signed in")).toBeTruthy();
    expect(screen.queryByTestId("session-countdown")).toBeNull();
    expect(screen.queryByTestId("sign-out")).toBeNull();
    fireEvent.click(screen.getByTestId("sign-in"));
    expect(onSignIn).toHaveBeenCalledOnce();
  });

  it("error: shows the last error message", () => {
    card({ ...loggedOut("corp"), state: "error", error: { code: "sts_failed", message: "STS said no" } });
    expect(screen.getByTestId("session-state").dataset.state).toBe("error");
    expect(screen.getByTestId("session-error").textContent).toContain("STS said no");
    expect(screen.getByTestId("sign-in")).toBeTruthy();
  });

  it("shows sign-in progress and disables the buttons while it runs", () => {
    card(loggedOut("corp"), { progress: { profile: "corp", phase: "waiting_for_idp" } });
    expect(screen.getByTestId("login-progress").textContent).toMatch(/identity provider/);
    expect((screen.getByTestId("sign-in") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows a failed sign-in's message", () => {
    card(loggedOut("corp"), { progress: { profile: "corp", phase: "failed", message: "The IdP refused the login" } });
    expect(screen.getByTestId("login-progress").textContent).toContain("The IdP refused the login");
    expect((screen.getByTestId("sign-in") as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("chained roles", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });

  const rowsOf = () => screen.getAllByTestId("chain-row");

  it("lists them under the session: role name, account and a quiet expiry that ticks", () => {
    card(active("corp", at(7 * 3600), { chain: [chained("210987654321", "EcrReader", at(42 * 60)), chained("555566667777", "ci/Pusher", at(17 * 60 + 30))] }));
    const list = screen.getByTestId("chain-list");
    expect(list.textContent).toContain("Chained roles");
    expect(list.textContent).toMatch(/renewed automatically/);
    expect(rowsOf().map((r) => r.dataset.roleArn)).toEqual(["arn:aws:iam::210987654321:role/EcrReader", "arn:aws:iam::555566667777:role/ci/Pusher"]);
    const [first, second] = rowsOf();
    expect(first.querySelector(".chain-role")!.textContent).toBe("EcrReader");
    expect(first.textContent).toContain("210987654321");
    expect(first.querySelector('[data-testid="chain-expiry"]')!.textContent).toBe("expires in 42m");
    expect(first.querySelector('[data-testid="chain-expiry"]')!.getAttribute("title")).toMatch(/^Expires \d{4}-\d{2}-\d{2} /);
    expect(second.querySelector(".chain-role")!.textContent).toBe("Pusher");
    expect(second.textContent).toContain("/ci/");
    expect(second.textContent).toContain("555566667777");
    expect(second.querySelector('[data-testid="chain-expiry"]')!.textContent).toBe("expires in 17m");
    tick(5 * 60_000);
    expect(first.querySelector('[data-testid="chain-expiry"]')!.textContent).toBe("expires in 37m");
  });

  it("names a chained role's account when the backend knows its name", () => {
    card(active("corp", at(7 * 3600), { chain: [{ ...chained("210987654321", "EcrReader", at(42 * 60)), account_name: "shared services" }] }));
    const row = rowsOf()[0];
    expect(row.querySelector('[data-testid="chain-account-name"]')!.textContent).toBe("shared services");
    expect(row.textContent).toContain("210987654321");
  });

  it("shows the other roles of the sign-in apart from the chained ones", () => {
    card(
      active("corp", at(7 * 3600), {
        chain: [{ ...chained("210987654321", "Deployer", at(3600)), sign_in: true }, chained("555566667777", "EcrReader", at(42 * 60))],
      }),
    );
    const signIn = screen.getByTestId("signin-roles");
    expect(signIn.textContent).toContain("Also signed in");
    expect(signIn.textContent).toContain("Deployer");
    expect(signIn.textContent).not.toContain("EcrReader");
    const chainList = screen.getByTestId("chain-list");
    expect(chainList.textContent).toContain("EcrReader");
    expect(chainList.textContent).not.toContain("Deployer");
  });

  it("a near expiry is not a warning: the session stays active, no alert", () => {
    card(active("corp", at(7 * 3600), { chain: [chained("210987654321", "EcrReader", at(90))] }));
    expect(screen.getByTestId("session-state").dataset.state).toBe("active");
    expect(screen.getByTestId("session").dataset.state).toBe("active");
    expect(screen.queryByRole("alert")).toBeNull();
    const exp = screen.getByTestId("chain-expiry");
    expect(exp.textContent).toBe("expires in 1m");
    expect(exp.className).toContain("muted");
  });

  it("past its expiry it says so, quietly", () => {
    card(active("corp", at(3600), { chain: [chained("210987654321", "EcrReader", at(-180))] }));
    expect(screen.getByTestId("chain-expiry").textContent).toBe("expired 3m ago");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("nothing is shown without a chain", () => {
    card(active("corp", at(3600)));
    expect(screen.queryByTestId("chain-list")).toBeNull();
    card(active("staging", at(3600), { chain: [] }));
    expect(screen.queryByTestId("chain-list")).toBeNull();
    expect(screen.queryByTestId("chain-row")).toBeNull();
  });

  it("nothing is shown when signed out", () => {
    card({ ...loggedOut("corp"), chain: [chained("210987654321", "EcrReader", at(600))] });
    expect(screen.queryByTestId("chain-list")).toBeNull();
  });
});

describe("a sign-in under way", () => {
  it("offers Cancel while it waits for the IdP, not once AWS is asked", async () => {
    const cancelled: string[] = [];
    const { rerender } = render(
      <SessionCard
        status={loggedOut("corp")}
        thresholdMs={600_000}
        knownRoles={0}
        progress={{ profile: "corp", phase: "waiting_for_idp", message: "Sign in in your browser; the Dockpass extension hands the sign-in back." }}
        onSignIn={() => {}}
        onCancel={() => cancelled.push("corp")}
        onSwitchRole={() => {}}
        onSignOut={() => {}}
      />,
    );
    expect(screen.getByTestId("login-progress").textContent).toContain("Sign in in your browser");
    fireEvent.click(screen.getByTestId("cancel-sign-in"));
    expect(cancelled).toEqual(["corp"]);
    rerender(
      <SessionCard
        status={loggedOut("corp")}
        thresholdMs={600_000}
        knownRoles={0}
        progress={{ profile: "corp", phase: "assuming_role" }}
        onSignIn={() => {}}
        onCancel={() => cancelled.push("corp")}
        onSwitchRole={() => {}}
        onSignOut={() => {}}
      />,
    );
    expect(screen.queryByTestId("cancel-sign-in")).toBeNull();
  });
});
