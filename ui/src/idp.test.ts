import { describe, expect, it } from "vitest";
import type { IdpKind } from "./api";
import { IDPS, idpInfo, REGIONS } from "./idp";

// Which IdP a link belongs to, and what is wrong with it, is the backend's (idp::link, tested in
// Rust with these guides' examples); here only the guides themselves.
describe("IdP guides", () => {
  it("one guide per IdP the backend recognises, each with a hint and examples", () => {
    // Type-checked against the generated IdpKind: a kind added in Rust fails to compile here.
    const kinds: Record<IdpKind, true> = { okta: true, entra: true, adfs: true, google: true, keycloak: true, ping: true, onelogin: true, jumpcloud: true };
    expect(IDPS.map((i) => i.id).sort()).toEqual(Object.keys(kinds).sort());
    for (const i of IDPS) {
      expect(i.where.length).toBeGreaterThan(20);
      expect(idpInfo(i.id)).toBe(i);
      expect(i.examples.length).toBeGreaterThan(0);
      for (const ex of i.examples) expect(ex).toMatch(/^https:\/\//);
    }
  });
});

describe("regions", () => {
  it("lists unique regions, us-east-1 first", () => {
    const codes = REGIONS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]).toBe("us-east-1");
  });
});
