import { describe, expect, it } from "vitest";
import { flatten, groupRoles, matchesRole } from "./picker";
import { role, ROLES } from "./test/fixtures";

describe("groupRoles", () => {
  it("groups by account in first-seen order", () => {
    const g = groupRoles(ROLES, "");
    expect(g.map((x) => x.account)).toEqual(["123456789012", "210987654321"]);
    expect(g[0].roles.map((r) => r.name)).toEqual(["Developer", "ReadOnly", "PlatformAdmin"]);
  });
  it("shows a role offered through two providers once", () => {
    const twice = [...ROLES, { ...ROLES[0], principal_arn: "arn:aws:iam::123456789012:saml-provider/Other" }];
    expect(flatten(groupRoles(twice, ""))).toHaveLength(ROLES.length);
  });
  it("filters by name, account, path and ARN, case-insensitively, every word", () => {
    expect(flatten(groupRoles(ROLES, "readonly")).map((r) => r.name)).toEqual(["ReadOnly"]);
    expect(flatten(groupRoles(ROLES, "2109876")).map((r) => r.name)).toEqual(["EcrReader", "BuildAgent"]);
    expect(flatten(groupRoles(ROLES, "/ci/")).map((r) => r.name)).toEqual(["BuildAgent"]);
    expect(flatten(groupRoles(ROLES, "role/platform/Platform")).map((r) => r.name)).toEqual(["PlatformAdmin"]);
    expect(flatten(groupRoles(ROLES, "123456789012 dev")).map((r) => r.name)).toEqual(["Developer"]);
    expect(groupRoles(ROLES, "nothing-like-this")).toEqual([]);
  });
  it("matchesRole with an empty filter", () => {
    expect(matchesRole(role("111111111111", "/", "X"), "  ")).toBe(true);
  });
});
