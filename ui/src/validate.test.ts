import { describe, expect, it } from "vitest";
import {
  checkAccount,
  checkAliases,
  checkDuration,
  checkName,
  checkRegion,
  checkRoleArn,
  checkRoleSelector,
  checkUrl,
  draftFromProfile,
  isRegion,
  newDraft,
  profileFromDraft,
  validateDraft,
  type ProfileDraft,
} from "./validate";

const good = (): ProfileDraft => ({ ...newDraft(), name: "corp", idp_url: "https://idp.example.com/app", region: "us-east-1" });

describe("single rules", () => {
  it("name: letters, digits, ._- and unique", () => {
    expect(checkName("corp-1.a_b", [])).toBeNull();
    expect(checkName("", [])).toMatch(/name/);
    expect(checkName("dev team", [])).toMatch(/letters, digits/);
    expect(checkName("ümlaut", [])).toMatch(/letters, digits/);
    expect(checkName("corp", ["staging", "corp"])).toMatch(/already exists/);
  });
  it("http(s) URLs", () => {
    expect(checkUrl("https://idp.example.com/x")).toBeNull();
    expect(checkUrl("http://127.0.0.1:8080")).toBeNull();
    expect(checkUrl("idp.example.com")).toMatch(/http/);
    expect(checkUrl("ftp://x")).toMatch(/http/);
    expect(checkUrl("https://")).toMatch(/http/);
    expect(checkUrl("https://a b")).toMatch(/http/);
  });
  it("regions like the backend's is_region", () => {
    for (const r of ["us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eu-central-2"]) expect(isRegion(r)).toBe(true);
    for (const r of ["us-east", "US-EAST-1", "useast1", "us--1", "us-east-1a", ""]) expect(isRegion(r)).toBe(false);
    expect(checkRegion("", true)).toMatch(/region/);
    expect(checkRegion("", false)).toBeNull();
  });
  it("12-digit accounts", () => {
    expect(checkAccount("123456789012")).toBeNull();
    expect(checkAccount("")).toBeNull();
    expect(checkAccount("12345678901")).toMatch(/12 digits/);
    expect(checkAccount("12345678901a")).toMatch(/12 digits/);
  });
  it("durations with minimums", () => {
    expect(checkDuration("", 900, "15m")).toBeNull();
    expect(checkDuration("8h", 900, "15m")).toBeNull();
    expect(checkDuration("900", 900, "15m")).toBeNull();
    expect(checkDuration("14m", 900, "15m")).toMatch(/at least 15m/);
    expect(checkDuration("59s", 60, "1m")).toMatch(/at least 1m/);
    expect(checkDuration("soon", 60, "1m")).toMatch(/duration/);
  });
  it("aliases are host[:port], without scheme or path", () => {
    expect(checkAliases("registry.corp.example, 127.0.0.1:5000")).toBeNull();
    expect(checkAliases("")).toBeNull();
    expect(checkAliases("https://registry.corp.example")).toMatch(/scheme/);
    expect(checkAliases("registry.corp.example/v2")).toMatch(/path/);
  });
  it("role ARNs", () => {
    expect(checkRoleArn("arn:aws:iam::210987654321:role/EcrReader")).toBeNull();
    expect(checkRoleArn("arn:aws-cn:iam::210987654321:role/team/EcrReader")).toBeNull();
    expect(checkRoleArn("")).toMatch(/role ARN/);
    expect(checkRoleArn("EcrReader")).toMatch(/arn:aws:iam/);
    expect(checkRoleArn("arn:gcp:iam::210987654321:role/X")).toMatch(/partition/);
    expect(checkRoleArn("arn:aws:sts::210987654321:role/X")).toMatch(/IAM/);
    expect(checkRoleArn("arn:aws:iam::2109:role/X")).toMatch(/12-digit/);
    expect(checkRoleArn("arn:aws:iam::210987654321:user/X")).toMatch(/role ARN/);
    expect(checkRoleArn("arn:aws:iam::210987654321:role/")).toMatch(/role name/);
  });
  it("role selector: ARN, ACCOUNT/NAME or NAME", () => {
    expect(checkRoleSelector("")).toBeNull();
    expect(checkRoleSelector("Developer")).toBeNull();
    expect(checkRoleSelector("123456789012/Developer")).toBeNull();
    expect(checkRoleSelector("arn:aws:iam::123456789012:role/Developer")).toBeNull();
    expect(checkRoleSelector("arn:aws:iam::1:role/Developer")).toMatch(/12-digit/);
    expect(checkRoleSelector("Dev eloper")).toMatch(/without spaces/);
  });
});

describe("validateDraft", () => {
  it("accepts a minimal profile", () => {
    expect(validateDraft(good(), ["staging"])).toEqual({});
  });
  it("requires idp_url or aws_profile, by the chosen source", () => {
    expect(validateDraft({ ...good(), idp_url: "" }, [])).toHaveProperty("idp_url");
    expect(validateDraft({ ...good(), source: "aws_profile", idp_url: "" }, [])).toHaveProperty("aws_profile");
    expect(validateDraft({ ...good(), source: "aws_profile", aws_profile: "saml" }, [])).toEqual({});
  });
  it("keys nested problems by path", () => {
    const d: ProfileDraft = {
      ...good(),
      registry: [{ account: "12", region: "eu-west-1", aliases: "" }, { account: "", region: "EU", aliases: "https://x" }],
      chain: [{ role_arn: "nope", registry: [{ account: "", region: "moon-1", aliases: "" }] }],
      sts_endpoint: "sts.amazonaws.com",
      session_duration: "10m",
      refresh_before: "30s",
    };
    expect(Object.keys(validateDraft(d, [])).sort()).toEqual([
      "chain.0.registry.0.region",
      "chain.0.role_arn",
      "refresh_before",
      "registry.0.account",
      "registry.1.aliases",
      "registry.1.region",
      "session_duration",
      "sts_endpoint",
    ]);
  });
});

describe("profileFromDraft", () => {
  it("trims and leaves empty optional fields out", () => {
    const p = profileFromDraft({ ...good(), name: " corp ", role: "  ", session_duration: " 8h ", aws_profile: "ignored" });
    expect(p).toEqual({ name: "corp", idp_url: "https://idp.example.com/app", region: "us-east-1", session_duration: "8h", docker: "config" });
  });
  it("keeps registries and chains, splits aliases, drops a chained registry's account", () => {
    const p = profileFromDraft({
      ...good(),
      docker: "helper",
      registry: [
        { account: "123456789012", region: "", aliases: "a.example, b.example:5000  c" },
        { account: "", region: "", aliases: "" },
      ],
      chain: [{ role_arn: " arn:aws:iam::210987654321:role/EcrReader ", registry: [{ account: "999999999999", region: "us-east-1", aliases: "" }] }, { role_arn: "arn:aws:iam::210987654321:role/X", registry: [] }],
    });
    expect(p.docker).toBe("helper");
    expect(p.registry).toEqual([{ account: "123456789012", aliases: ["a.example", "b.example:5000", "c"] }, {}]);
    expect(p.chain).toEqual([{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ region: "us-east-1" }] }, { role_arn: "arn:aws:iam::210987654321:role/X" }]);
  });
  it("round-trips a profile", () => {
    const p = {
      name: "corp",
      aws_profile: "testSAML",
      region: "us-east-1",
      role: "123456789012/Developer",
      refresh_before: "10m",
      docker: "config" as const,
      sts_endpoint: "https://vpce-1.sts.us-east-1.vpce.amazonaws.com",
      registry: [{ account: "123456789012", region: "eu-west-1", aliases: ["registry.corp.example"] }],
      chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ region: "us-east-1" }] }],
    };
    const d = draftFromProfile(p);
    expect(d.source).toBe("aws_profile");
    expect(profileFromDraft(d)).toEqual(p);
  });
});
