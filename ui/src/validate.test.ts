import { describe, expect, it } from "vitest";
import {
  checkAccount,
  checkAliases,
  checkDuration,
  checkName,
  checkPublicAccount,
  checkPublicRegion,
  checkRegion,
  checkRoleArn,
  checkRoleSelector,
  checkUrl,
  draftFromProfile,
  emptyRegistry,
  isRegion,
  newDraft,
  profileFromDraft,
  validateDraft,
  type ProfileDraft,
  type RegistryDraft,
} from "./validate";
import type { Profile } from "./api";
import { MIRROR } from "./test/fixtures";

const reg = (patch: Partial<RegistryDraft> = {}): RegistryDraft => ({ ...emptyRegistry(), ...patch });
const good = (): ProfileDraft => ({ ...newDraft(), name: "corp", idp_url: "https://idp.example.com/app", region: "us-east-1" });

describe("single rules", () => {
  it("name: letters, digits, ._- and unique", () => {
    expect(checkName("corp-1.a_b", [])).toBeNull();
    expect(checkName("", [])).toMatch(/name/);
    expect(checkName("dev team", [])).toMatch(/letters, digits/);
    expect(checkName("ümlaut", [])).toMatch(/letters, digits/);
    expect(checkName("corp", ["staging", "corp"])).toMatch(/already exists/);
  });
  it("https URLs; http only on this machine, like the backend's check_url", () => {
    expect(checkUrl("https://idp.example.com/x")).toBeNull();
    expect(checkUrl("HTTPS://idp.example.com/x")).toBeNull();
    for (const u of ["http://127.0.0.1:8080", "http://127.1.2.3/x", "http://localhost:3000/aws", "http://LOCALHOST/", "http://[::1]:8080/"]) expect(checkUrl(u), u).toBeNull();
    for (const u of ["http://idp.example.com/x", "http://10.0.0.5/", "http://app.localhost/", "http://127.0.0.1.nip.io/", "http://[::2]/"]) {
      expect(checkUrl(u), u).toMatch(/clear text; use https:\/\//);
    }
    expect(checkUrl("idp.example.com")).toMatch(/https:\/\//);
    expect(checkUrl("ftp://x")).toMatch(/https:\/\//);
    expect(checkUrl("https://")).toMatch(/https:\/\//);
    expect(checkUrl("https://a b")).toMatch(/https:\/\//);
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
      registry: [reg({ account: "12", region: "eu-west-1" }), reg({ region: "EU", aliases: "https://x" })],
      chain: [{ role_arn: "nope", registry: [reg({ region: "moon-1" })] }],
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
        reg({ account: "123456789012", aliases: "a.example, b.example:5000  c" }),
        reg(),
      ],
      chain: [{ role_arn: " arn:aws:iam::210987654321:role/EcrReader ", registry: [reg({ account: "999999999999", region: "us-east-1" })] }, { role_arn: "arn:aws:iam::210987654321:role/X", registry: [] }],
    });
    expect(p.docker).toBe("helper");
    expect(p.registry).toEqual([{ account: "123456789012", aliases: ["a.example", "b.example:5000", "c"] }, {}]);
    expect(p.chain).toEqual([{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ region: "us-east-1" }] }, { role_arn: "arn:aws:iam::210987654321:role/X" }]);
  });
  it("splits origins and accounts, keeps credential_process only when on, origins only with an IdP", () => {
    const d: ProfileDraft = { ...good(), idp_origins: " https://login.corp.example,\nhttp://127.0.0.1:3000 ", accounts: "123456789012  210987654321,", credential_process: true };
    expect(profileFromDraft(d)).toEqual({
      name: "corp",
      idp_url: "https://idp.example.com/app",
      idp_origins: ["https://login.corp.example", "http://127.0.0.1:3000"],
      region: "us-east-1",
      accounts: ["123456789012", "210987654321"],
      credential_process: true,
      docker: "config",
    });
    const p = profileFromDraft({ ...d, source: "aws_profile", aws_profile: "sandbox", idp_origins: "https://login.corp.example", credential_process: false });
    expect(p).not.toHaveProperty("idp_origins");
    expect(p).not.toHaveProperty("credential_process");
    expect(p.accounts).toEqual(["123456789012", "210987654321"]);
    expect(profileFromDraft({ ...good(), accounts: " , " })).not.toHaveProperty("accounts");
  });
  it("keeps fields it does not edit as loaded", () => {
    // a field the backend has and these types do not know yet
    const p = { name: "corp", idp_url: "https://idp.example.com/app", region: "us-east-1", docker: "config", future_field: { a: 1 } } as Profile;
    const d = draftFromProfile(p);
    expect(d.extra).toEqual({ future_field: { a: 1 } });
    expect(profileFromDraft({ ...d, region: "eu-west-1" })).toEqual({ ...p, region: "eu-west-1" });
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
    const idp: Profile = { name: "corp", idp_url: "https://sso.corp.example/aws", idp_origins: ["https://corp.okta.com"], region: "us-east-1", accounts: ["123456789012"], credential_process: true, docker: "helper" };
    expect(profileFromDraft(draftFromProfile(idp))).toEqual(idp);
  });
});

describe("ECR Public registries", () => {
  it("single rules: no account, no region but us-east-1", () => {
    expect(checkPublicAccount("")).toBeNull();
    expect(checkPublicAccount("  ")).toBeNull();
    expect(checkPublicAccount("123456789012")).toMatch(/ECR Public has no account/);
    expect(checkPublicRegion("")).toBeNull();
    expect(checkPublicRegion("us-east-1")).toBeNull();
    expect(checkPublicRegion(" us-east-1 ")).toBeNull();
    expect(checkPublicRegion("eu-west-1")).toMatch(/us-east-1 only/);
  });

  it("a new registry row is private", () => {
    expect(emptyRegistry().public).toBe(false);
    expect(draftFromProfile({ name: "x", region: "us-east-1", registry: [{ account: "123456789012" }] }).registry[0].public).toBe(false);
  });

  it("validateDraft: account or another region on a public registry is an error on that field", () => {
    const d: ProfileDraft = {
      ...good(),
      registry: [
        reg({ public: true, account: "123456789012", region: "eu-west-1" }),
        reg({ public: true, region: "us-east-1", aliases: "ecr-public.corp.example" }),
        reg({ public: true }),
        reg({ public: true, region: "moon" }),
      ],
      chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [reg({ public: true, region: "ap-south-1" }), reg({ public: true })] }],
    };
    const e = validateDraft(d, []);
    expect(Object.keys(e).sort()).toEqual(["chain.0.registry.0.region", "registry.0.account", "registry.0.region", "registry.3.region"]);
    expect(e["registry.0.account"]).toMatch(/ECR Public has no account/);
    expect(e["registry.0.region"]).toMatch(/us-east-1 only/);
    expect(e["chain.0.registry.0.region"]).toMatch(/us-east-1 only/);
    // A malformed region says so first.
    expect(e["registry.3.region"]).toMatch(/Not an AWS region/);
  });

  it("the same account and region on a private registry are fine", () => {
    expect(validateDraft({ ...good(), registry: [reg({ account: "123456789012", region: "eu-west-1" })] }, [])).toEqual({});
  });

  it("profileFromDraft: keeps public: true, leaves out the account and any region but us-east-1", () => {
    const p = profileFromDraft({
      ...good(),
      registry: [reg({ public: true, account: "123456789012", region: "eu-west-1", aliases: "ecr-public.corp.example" }), reg({ public: true, region: "us-east-1" }), reg({ account: "123456789012" })],
      chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [reg({ public: true })] }],
    });
    expect(p.registry).toEqual([{ aliases: ["ecr-public.corp.example"], public: true }, { region: "us-east-1", public: true }, { account: "123456789012" }]);
    expect(p.chain).toEqual([{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ public: true }] }]);
  });

  it("a private registry gets no public key at all (the backend writes it only when true)", () => {
    const p = profileFromDraft({ ...good(), registry: [reg({ region: "eu-west-1" })] });
    expect(p.registry![0]).not.toHaveProperty("public");
  });

  it("round-trips public registries, top-level and chained", () => {
    const d = draftFromProfile(MIRROR);
    expect(d.registry.map((r) => r.public)).toEqual([false, true]);
    expect(d.chain[0].registry.map((r) => r.public)).toEqual([false, true]);
    expect(validateDraft(d, [])).toEqual({});
    expect(profileFromDraft(d)).toEqual(MIRROR);
    const east: Profile = { name: "east", idp_url: "https://idp.example.com/x", region: "eu-west-1", docker: "helper", registry: [{ region: "us-east-1", public: true }] };
    expect(profileFromDraft(draftFromProfile(east))).toEqual(east);
  });
});
