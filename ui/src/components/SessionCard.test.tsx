import { act, fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Status } from "../api";
import { active, loggedOut } from "../test/fixtures";
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

  it("counts down every second from expires_at, without asking the backend", () => {
    card(active("corp", at(3599)));
    expect(screen.getByTestId("session-countdown").textContent).toBe("59m 59s");
    tick(1000);
    expect(screen.getByTestId("session-countdown").textContent).toBe("59m 58s");
    tick(60_000);
    expect(screen.getByTestId("session-countdown").textContent).toBe("58m 58s");
    expect(screen.getByTestId("session-state").dataset.state).toBe("active");
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
    card(active("corp", at(3600), { role_arn: "arn:aws:iam::123456789012:role/team/Developer", subject: "dev@example.com" }));
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
    card({ ...loggedOut("corp"), state: "error", error: { code: "aws", message: "STS said no" } });
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
