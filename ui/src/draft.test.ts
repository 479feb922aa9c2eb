import { describe, expect, it } from "vitest";
// The form's model only: the rules are the backend's (config::check, tested in Rust).
import { draftFromProfile, emptyRegistry, formErrors, newDraft, profileFromDraft, type ProfileDraft, type RegistryDraft } from "./draft";
import type { Profile } from "./api";
import { MIRROR } from "./test/fixtures";

const reg = (patch: Partial<RegistryDraft> = {}): RegistryDraft => ({ ...emptyRegistry(), ...patch });
const good = (): ProfileDraft => ({ ...newDraft(), name: "corp", idp_url: "https://idp.example.com/app", region: "us-east-1" });

describe("formErrors", () => {
  it("names the backend's field paths as the form does", () => {
    expect(formErrors({ name: "a", "registry[0].account": "b", "chain[1].registry[2].aliases": "c", accounts: "d" })).toEqual({
      name: "a",
      "registry.0.account": "b",
      "chain.1.registry.2.aliases": "c",
      accounts: "d",
    });
  });
});

describe("profileFromDraft", () => {
  it("always sends the chosen source's field, so an empty one is reported under it", () => {
    expect(profileFromDraft({ ...newDraft(), name: "a", region: "us-east-1" }).idp_url).toBe("");
    const p = profileFromDraft({ ...newDraft(), source: "aws_profile", idp_url: "https://x.example" });
    expect(p.aws_profile).toBe("");
    expect(p).not.toHaveProperty("idp_url");
  });
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

describe("accounts with names", () => {
  const base: Profile = { name: "a", idp_url: "https://idp.example/aws", region: "us-east-1" };
  it("shows a table as ID = NAME and saves names back as a table", () => {
    const d = draftFromProfile({ ...base, accounts: { "111111111111": "prod", "222222222222": "" } });
    expect(d.accounts).toBe("111111111111 = prod, 222222222222");
    expect(profileFromDraft({ ...d, accounts: "111111111111 = prod eu,\n222222222222 333333333333" }).accounts).toEqual({
      "111111111111": "prod eu",
      "222222222222": "",
      "333333333333": "",
    });
  });
  it("keeps the list form while no account has a name", () => {
    const d = draftFromProfile({ ...base, accounts: ["111111111111", "222222222222"] });
    expect(d.accounts).toBe("111111111111, 222222222222");
    expect(profileFromDraft(d).accounts).toEqual(["111111111111", "222222222222"]);
    expect(profileFromDraft({ ...d, accounts: " " }).accounts).toBeUndefined();
  });
});

describe("IAM Identity Center profiles", () => {
  it("round-trip with the portal, its region and a registry's role in another account", () => {
    const p: Profile = {
      name: "platform",
      sso_start_url: "https://acme.awsapps.com/start",
      sso_region: "eu-west-1",
      region: "eu-west-1",
      role: "111111111111/Developer",
      docker: "config",
      registry: [{ account: "222222222222", role: "EcrReader", aliases: ["r.example"] }],
    };
    const d = draftFromProfile(p);
    expect(d.source).toBe("identity_center");
    expect(profileFromDraft(d)).toEqual(p);
  });

  it("a session of the AWS config instead of the portal; a registry's role only for Identity Center", () => {
    const d: ProfileDraft = { ...newDraft(), name: "p", region: "eu-west-1", source: "identity_center", sso_session: "acme", sso_start_url: "https://x.awsapps.com/start" };
    expect(profileFromDraft(d)).toMatchObject({ sso_session: "acme" });
    expect(profileFromDraft(d).sso_start_url).toBeUndefined();
    const idp: ProfileDraft = { ...newDraft(), name: "p", region: "eu-west-1", idp_url: "https://idp", registry: [{ ...emptyRegistry(), account: "222222222222", role: "X" }] };
    expect(profileFromDraft(idp).registry).toEqual([{ account: "222222222222" }]);
  });
});

describe("ECR Public registries", () => {
  it("a new registry row is private", () => {
    expect(emptyRegistry().public).toBe(false);
    expect(draftFromProfile({ name: "x", region: "us-east-1", registry: [{ account: "123456789012" }] }).registry[0].public).toBe(false);
  });

  it("profileFromDraft: keeps public: true and what was typed (the backend says what is wrong with it)", () => {
    const p = profileFromDraft({
      ...good(),
      registry: [reg({ public: true, account: "123456789012", region: "eu-west-1", aliases: "ecr-public.corp.example" }), reg({ public: true, region: "us-east-1" }), reg({ account: "123456789012" })],
      chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [reg({ public: true })] }],
    });
    expect(p.registry).toEqual([
      { account: "123456789012", region: "eu-west-1", aliases: ["ecr-public.corp.example"], public: true },
      { region: "us-east-1", public: true },
      { account: "123456789012" },
    ]);
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
    expect(profileFromDraft(d)).toEqual(MIRROR);
    const east: Profile = { name: "east", idp_url: "https://idp.example.com/x", region: "eu-west-1", docker: "helper", registry: [{ region: "us-east-1", public: true }] };
    expect(profileFromDraft(draftFromProfile(east))).toEqual(east);
  });
});

describe("where the user signs in", () => {
  const base: Profile = { name: "p", idp_url: "https://idp.example/aws", region: "us-east-1" };
  it("round-trips login and the loopback port; the window is the default and left out", () => {
    const loop: Profile = { ...base, login: "loopback", loopback_port: 9123 };
    const d = draftFromProfile(loop);
    expect([d.login, d.loopback_port]).toEqual(["loopback", "9123"]);
    expect(profileFromDraft(d)).toEqual({ ...loop, docker: "config" });
    expect(profileFromDraft({ ...d, login: "window" })).toEqual({ ...base, docker: "config" });
    expect(profileFromDraft({ ...d, login: "browser" })).toEqual({ ...base, docker: "config", login: "browser" });
  });
  it("sends a port that is not a number as typed, for the backend to report", () => {
    const d = { ...draftFromProfile(base), login: "loopback" as const, loopback_port: "80a" };
    expect(profileFromDraft(d).loopback_port).toBe("80a");
  });
  it("an AWS-profile profile has no sign-in place", () => {
    const d = { ...draftFromProfile(base), source: "aws_profile" as const, aws_profile: "x", login: "browser" as const };
    expect(profileFromDraft(d).login).toBeUndefined();
  });
});
