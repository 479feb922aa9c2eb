import { describe, expect, it } from "vitest";
import { initialState, MAX_ACTIVITY, reduce, selectedProfile, sessionOf, type AppState } from "./state";
import { active, activity, config, CORP, overview, ROLES, trustQuestion } from "./test/fixtures";

const loaded = (): AppState => reduce(initialState, { type: "overview", overview: overview() });

describe("reduce", () => {
  it("replaces one profile's session", () => {
    const s = reduce(loaded(), { type: "session", status: active("corp", "2025-11-26T20:00:00Z") });
    expect(sessionOf(s, "corp").state).toBe("active");
    expect(sessionOf(s, "staging").state).toBe("logged_out");
    expect(s.overview!.sessions).toHaveLength(2);
  });
  it("adds a session for a profile it did not know", () => {
    const s = reduce(loaded(), { type: "session", status: active("new", "2025-11-26T20:00:00Z") });
    expect(s.overview!.sessions).toHaveLength(3);
  });
  it("prepends activity and keeps at most 100", () => {
    let s = loaded();
    for (let i = 0; i < MAX_ACTIVITY + 5; i++) s = reduce(s, { type: "activity", activity: activity(`m${i}`) });
    expect(s.overview!.activity).toHaveLength(MAX_ACTIVITY);
    expect(s.overview!.activity[0].message).toBe(`m${MAX_ACTIVITY + 4}`);
  });
  it("opens and closes the picker for its profile only", () => {
    let s = reduce(loaded(), { type: "picker", picker: { profile: "corp", roles: ROLES, current: null, account_names: {} } });
    expect(reduce(s, { type: "picker-closed", profile: "staging" }).picker).not.toBeNull();
    s = reduce(s, { type: "picker-closed", profile: "corp" });
    expect(s.picker).toBeNull();
  });
  it("keeps running and failed sign-in progress; clears on done and cancelled", () => {
    let s = reduce(loaded(), { type: "progress", progress: { profile: "corp", phase: "waiting_for_idp" } });
    expect(s.progress.corp.phase).toBe("waiting_for_idp");
    s = reduce(s, { type: "progress", progress: { profile: "corp", phase: "done" } });
    expect(s.progress.corp).toBeUndefined();
    s = reduce(s, { type: "progress", progress: { profile: "corp", phase: "failed", message: "no" } });
    expect(s.progress.corp.message).toBe("no");
    s = reduce(s, { type: "progress", progress: { profile: "corp", phase: "cancelled" } });
    expect(s.progress.corp).toBeUndefined();
  });
  it("takes the profile list from the config and keeps a valid selection", () => {
    let s = reduce(loaded(), { type: "select", profile: "staging" });
    s = reduce(s, { type: "config", config: config([CORP, { name: "staging", region: "us-east-1", aws_profile: "x" }]) });
    expect(selectedProfile(s)).toBe("staging");
    s = reduce(s, { type: "config", config: config([CORP]) });
    expect(s.overview!.profiles).toEqual(["corp"]);
    expect(selectedProfile(s)).toBe("corp");
  });
  it("selects the first profile when the backend has no selection", () => {
    expect(selectedProfile(reduce(initialState, { type: "overview", overview: overview({ selected: null }) }))).toBe("corp");
    expect(selectedProfile(initialState)).toBeNull();
  });
  it("holds a trust question and closes it for its profile only", () => {
    const q = trustQuestion();
    let s = reduce(loaded(), { type: "trust", trust: q });
    expect(s.trust).toEqual(q);
    expect(s.picker).toBeNull();
    expect(reduce(s, { type: "trust-closed", profile: "staging" }).trust).toEqual(q);
    expect(reduce(s, { type: "picker-closed", profile: "corp" }).trust).toEqual(q);
    s = reduce(s, { type: "trust-closed", profile: "corp" });
    expect(s.trust).toBeNull();
    expect(reduce(s, { type: "trust-closed", profile: "corp" })).toBe(s);
  });
  it("a newer question replaces the one shown", () => {
    let s = reduce(loaded(), { type: "trust", trust: trustQuestion() });
    s = reduce(s, { type: "trust", trust: trustQuestion({ account: "888888888888" }) });
    expect(s.trust!.account).toBe("888888888888");
  });
  it("opens a trust question that came with the overview; a later overview without one keeps it", () => {
    const q = trustQuestion({ profile: "staging" });
    const s = reduce(initialState, { type: "overview", overview: overview({ trust: q }) });
    expect(s.trust).toEqual(q);
    expect(reduce(s, { type: "overview", overview: overview({ trust: null }) }).trust).toEqual(q);
    expect(reduce(initialState, { type: "overview", overview: overview() }).trust).toBeNull();
  });
  it("opens a picker that came with the overview (its event had no listener yet)", () => {
    const picker = { profile: "corp", roles: [], current: null, account_names: {} };
    const s = reduce(initialState, { type: "overview", overview: overview({ picker }) });
    expect(s.picker).toEqual(picker);
    expect(reduce(s, { type: "overview", overview: overview() }).picker).toEqual(picker);
  });
});

describe("sign-ins under way when the window opens", () => {
  it("come with the overview; an event the window heard itself wins", () => {
    const waiting = { profile: "corp", phase: "waiting_for_idp" as const, message: "Sign in in your browser" };
    let s = reduce(initialState, { type: "overview", overview: overview({ progress: [waiting] }) });
    expect(s.progress.corp?.message).toBe("Sign in in your browser");
    s = reduce(s, { type: "progress", progress: { profile: "corp", phase: "assuming_role" } });
    s = reduce(s, { type: "overview", overview: overview({ progress: [waiting] }) });
    expect(s.progress.corp?.phase).toBe("assuming_role");
  });
});
