import { describe, expect, it } from "vitest";
import { effectiveState, refreshBeforeMs, tokenState } from "./status";
import { active, loggedOut } from "./test/fixtures";

const now = Date.parse("2025-11-26T12:00:00Z");
const at = (s: number) => new Date(now + s * 1000).toISOString();

describe("effectiveState", () => {
  const ten = 600_000;
  it("keeps the backend's state while far from expiry", () => {
    expect(effectiveState(active("p", at(3600)), now, ten)).toBe("active");
    expect(effectiveState(loggedOut("p"), now, ten)).toBe("logged_out");
  });
  it("turns expiring within the threshold and expired at expiry", () => {
    expect(effectiveState(active("p", at(600)), now, ten)).toBe("expiring");
    expect(effectiveState(active("p", at(0)), now, ten)).toBe("expired");
    expect(effectiveState(active("p", at(-1)), now, ten)).toBe("expired");
  });
  it("leaves error alone", () => {
    expect(effectiveState({ ...active("p", at(-100)), state: "error" }, now, ten)).toBe("error");
  });
});

describe("tokenState", () => {
  it("valid, expiring, expired", () => {
    expect(tokenState(at(3600), now, 600_000)).toBe("valid");
    expect(tokenState(at(300), now, 600_000)).toBe("expiring");
    expect(tokenState(at(-1), now, 600_000)).toBe("expired");
    expect(tokenState("garbage", now, 600_000)).toBe("expired");
  });
});

describe("refreshBeforeMs", () => {
  it("is the backend's lead time of the profile", () => {
    expect(refreshBeforeMs(undefined)).toBe(0);
    expect(refreshBeforeMs(loggedOut("p"))).toBe(600_000);
    expect(refreshBeforeMs({ ...loggedOut("p"), refresh_before_s: 300 })).toBe(300_000);
  });
});

