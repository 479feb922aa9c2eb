import type { Activity, ConfigView, Overview, Profile, Role, Status } from "../api";

export function role(account: string, path: string, name: string): Role {
  return {
    role_arn: `arn:aws:iam::${account}:role${path}${name}`,
    principal_arn: `arn:aws:iam::${account}:saml-provider/Okta`,
    account,
    name,
    path,
    partition: "aws",
  };
}

export const ROLES: Role[] = [
  role("123456789012", "/", "Developer"),
  role("123456789012", "/", "ReadOnly"),
  role("123456789012", "/platform/", "PlatformAdmin"),
  role("210987654321", "/", "EcrReader"),
  role("210987654321", "/ci/", "BuildAgent"),
];

export const CORP: Profile = {
  name: "corp",
  idp_url: "https://corp.example.okta.com/home/amazon_aws/0oa1/272",
  region: "us-east-1",
  docker: "config",
};

export const STAGING: Profile = { name: "staging", idp_url: "https://idp.example.com/aws", region: "eu-west-1", docker: "helper" };

export function config(profiles: Profile[] = [CORP, STAGING]): ConfigView {
  return { path: "/home/dev/.config/dockpass/config.toml", profiles, exists: profiles.length > 0 };
}

export function loggedOut(profile: string): Status {
  return { profile, state: "logged_out", role_arn: null, account: null, expires_at: null, registries: [] };
}

export function active(profile: string, expiresAt: string, extra: Partial<Status> = {}): Status {
  return {
    profile,
    state: "active",
    role_arn: "arn:aws:iam::123456789012:role/Developer",
    account: "123456789012",
    expires_at: expiresAt,
    subject: "dev@example.com",
    registries: [{ host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", expires_at: expiresAt }],
    ...extra,
  };
}

export function overview(partial: Partial<Overview> = {}): Overview {
  return {
    profiles: ["corp", "staging"],
    selected: "corp",
    sessions: [loggedOut("corp"), loggedOut("staging")],
    roles: { corp: ROLES },
    activity: [],
    ...partial,
  };
}

export function activity(message: string, at = "2025-11-26T10:00:00Z", profile = "corp"): Activity {
  return { at, profile, kind: "info", message };
}
