import type { Activity, ChainStatus, ConfigView, Image, Overview, Profile, Repository, RepositoryList, Role, Status, TrustQuestion } from "../api";

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

/** A profile with ECR Public: a public registry of its own and one through a chained role. */
export const MIRROR: Profile = {
  name: "mirror",
  idp_url: "https://idp.example.com/mirror",
  region: "eu-west-1",
  docker: "config",
  registry: [{ account: "123456789012" }, { public: true, aliases: ["ecr-public.corp.example"] }],
  chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ region: "us-east-1" }, { public: true }] }],
};

/** As the backend describes ECR Public (ConfigView.ecr_public). */
export const ECR_PUBLIC = { host: "public.ecr.aws", region: "us-east-1" };

export function config(profiles: Profile[] = [CORP, STAGING]): ConfigView {
  return { path: "/home/dev/.config/dockpass/config.toml", profiles, exists: profiles.length > 0, ecr_public: ECR_PUBLIC };
}

export function loggedOut(profile: string): Status {
  return { profile, state: "logged_out", role_arn: null, account: null, expires_at: null, registries: [], refresh_before_s: 600, role_name: null, role_path: null };
}

export function active(profile: string, expiresAt: string, extra: Partial<Status> = {}): Status {
  return {
    profile,
    state: "active",
    role_arn: "arn:aws:iam::123456789012:role/Developer",
    role_name: "Developer",
    role_path: "/",
    account: "123456789012",
    expires_at: expiresAt,
    subject: "dev@example.com",
    registries: [{ host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", kind: "private", expires_at: expiresAt }],
    refresh_before_s: 600,
    ...extra,
  };
}

/** A chained role of a session (`name` may carry a path: `ci/Pusher`). */
export function chained(account: string, name: string, expiresAt: string): ChainStatus {
  const i = name.lastIndexOf("/");
  return { role_arn: `arn:aws:iam::${account}:role/${name}`, account, name: name.slice(i + 1), path: `/${name.slice(0, i + 1)}`, expires_at: expiresAt };
}

export function overview(partial: Partial<Overview> = {}): Overview {
  return {
    profiles: ["corp", "staging"],
    selected: "corp",
    sessions: [loggedOut("corp"), loggedOut("staging")],
    roles: { corp: ROLES },
    activity: [],
    warnings: [],
    picker: null,
    trust: null,
    progress: [],
    ...partial,
  };
}

export function activity(message: string, at = "2025-11-26T10:00:00Z", profile = "corp"): Activity {
  return { at, profile, kind: "info", message };
}

export const EAST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
export const WEST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

export function repo(registry: string, name: string, createdAt: string | null = "2025-03-14T09:30:00Z"): Repository {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\./.exec(registry);
  return { registry, region: m?.[2] ?? "us-east-1", account: m?.[1] ?? "", name, uri: `${registry}/${name}`, created_at: createdAt };
}

export function repositoryList(profile: string, repositories: Repository[], extra: Partial<RepositoryList> = {}): RepositoryList {
  return { profile, repositories, fetched_at: "2025-11-26T11:58:00Z", errors: [], ...extra };
}

/** An image whose tags and digest may all go into a pull command unless `extra` says otherwise. */
export function image(tags: string[], digest: string, extra: Partial<Image> = {}): Image {
  return { tags, digest, pushed_at: "2025-11-20T08:00:00Z", size_bytes: 12_345_678, pull_tags: tags, pull_digest: true, ...extra };
}

/** A held sign-in: by default a role in an account profile corp has not used. */
export function trustQuestion(extra: Partial<TrustQuestion> = {}): TrustQuestion {
  return {
    profile: "corp",
    role_arn: "arn:aws:iam::999999999999:role/team/Admin",
    role_name: "Admin",
    issuer: "http://www.okta.com/exk1corp",
    known_issuer: "http://www.okta.com/exk1corp",
    new_issuer: false,
    account: "999999999999",
    known_accounts: ["123456789012", "210987654321"],
    new_account: true,
    ...extra,
  };
}
