import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { ConfigView, Profile } from "../api";
import { App } from "../App";
import { fakeBackend } from "../test/backend";
import { config, CORP, loggedOut, MIRROR, overview, STAGING } from "../test/fixtures";
import { SettingsForm } from "./SettingsForm";

const input = (name: string) => document.querySelector<HTMLInputElement>(`[data-testid="settings-form"] [name="${name}"]`)!;
/** Lets the backend's check (the real rules, through dockpass ui-check) answer and the form show it. */
const settle = async () => {
  for (let i = 0; i < 2; i++) await act(() => new Promise<void>((r) => setTimeout(r, 0)));
};
const type = async (name: string, v: string) => {
  fireEvent.input(input(name), { target: { value: v } });
  await settle();
};
const click = async (el: Element) => {
  fireEvent.click(el);
  await settle();
};
const errorOf = (field: string) => document.querySelector(`[data-testid="field-error"][data-field="${field}"]`)?.textContent ?? null;
const save = () => screen.getByTestId("settings-save") as HTMLButtonElement;

async function form(original: Profile | null, onSave = vi.fn(async (_profiles: Profile[], _saved: Profile) => true)) {
  const profiles = original && original !== CORP && original !== STAGING ? [CORP, STAGING, original] : [CORP, STAGING];
  fakeBackend({ config: config(profiles) });
  render(<SettingsForm config={config(profiles)} original={original} knownRoles={[]} onSave={onSave} onDelete={vi.fn(async () => true)} onCancel={() => {}} />);
  await settle();
  return onSave;
}

const publicBoxes = () => screen.getAllByTestId("registry-public") as HTMLInputElement[];
const rows = () => screen.getAllByTestId("registry-edit-row");

describe("settings form: validation", () => {
  it("a new profile: Save disabled until the required fields are valid; messages only once touched", async () => {
    await form(null);
    expect(save().disabled).toBe(true);
    expect(errorOf("name")).toBeNull();
    await type("name", "dev team");
    expect(errorOf("name")).toMatch(/letters, digits/);
    await type("name", "dev");
    expect(errorOf("name")).toBeNull();
    await type("idp_url", "https://idp.example.com/aws");
    expect(save().disabled).toBe(true);
    await type("region", "us-east-1");
    expect(save().disabled).toBe(false);
  });

  it.each([
    ["name", "corp", /defined twice/],
    ["name", "a/b", /letters, digits/],
    ["name", "", /name/],
    ["idp_url", "idp.example.com", /http/],
    ["idp_url", "", /URL/],
    ["region", "us-east", /region/],
    ["region", "Frankfurt", /region/],
    ["role", "arn:aws:iam::123:role/Dev", /12-digit/],
    ["session_duration", "10m", /minimum of 15m/],
    ["session_duration", "8 hours", /duration/],
    ["refresh_before", "30s", /at least 1m/],
    ["sts_endpoint", "vpce.example.com", /http/],
  ])("%s = %j → message, Save disabled", async (field, value, msg) => {
    await form(STAGING);
    await type(field, value);
    expect(errorOf(field)).toMatch(msg);
    expect(input(field).getAttribute("aria-invalid")).toBe("true");
    expect(save().disabled).toBe(true);
  });

  it("clears aria-invalid once the value is fixed", async () => {
    await form(STAGING);
    await type("region", "nope");
    expect(input("region").getAttribute("aria-invalid")).toBe("true");
    await type("region", "us-east-2");
    expect(input("region").hasAttribute("aria-invalid")).toBe(false);
    expect(save().disabled).toBe(false);
  });

  it("AWS profile instead of an IdP URL", async () => {
    await form(null);
    await type("name", "sandbox");
    await type("region", "us-west-2");
    await click(screen.getByLabelText("AWS config profile"));
    expect(input("idp_url")).toBeNull();
    expect(save().disabled).toBe(true);
    await type("aws_profile", "sandbox-saml");
    expect(save().disabled).toBe(false);
  });

  it("registries: add rows, validate account, region and aliases, remove rows", async () => {
    await form(STAGING);
    await click(screen.getByTestId("add-registry"));
    await click(screen.getByTestId("add-registry"));
    expect(screen.getAllByTestId("registry-edit-row")).toHaveLength(2);
    await type("registry.0.account", "12345");
    expect(screen.getAllByTestId("registry-edit-row")[0].textContent).toMatch(/12-digit/);
    await type("registry.0.account", "123456789012");
    await type("registry.1.region", "eu_west_1");
    await type("registry.1.aliases", "https://registry.corp.example");
    const row = screen.getAllByTestId("registry-edit-row")[1].textContent!;
    expect(row).toMatch(/region/);
    expect(row).toMatch(/scheme/);
    expect(save().disabled).toBe(true);
    await click(screen.getAllByLabelText("Remove registry")[1]);
    expect(screen.getAllByTestId("registry-edit-row")).toHaveLength(1);
    expect(save().disabled).toBe(false);
  });

  it("chain: role ARN required and checked", async () => {
    await form(STAGING);
    await click(screen.getByTestId("add-chain"));
    expect(save().disabled).toBe(true);
    await type("chain.0.role_arn", "EcrReader");
    expect(errorOf("chain.0.role_arn")).toMatch(/arn:aws:iam/);
    await type("chain.0.role_arn", "arn:aws:iam::210987654321:role/EcrReader");
    expect(errorOf("chain.0.role_arn")).toBeNull();
    expect(save().disabled).toBe(false);
  });

  it("the problem count reveals untouched errors", async () => {
    await form(null);
    await click(screen.getByTestId("settings-problems"));
    expect(errorOf("name")).not.toBeNull();
    expect(errorOf("idp_url")).not.toBeNull();
    expect(errorOf("region")).not.toBeNull();
    expect(document.activeElement).toBe(input("name"));
  });

  it("an unchanged profile cannot be saved; Revert undoes edits", async () => {
    await form(STAGING);
    expect(save().disabled).toBe(true);
    await type("region", "us-east-2");
    expect(save().disabled).toBe(false);
    await click(screen.getByTestId("settings-revert"));
    expect(input("region").value).toBe("eu-west-1");
    expect(save().disabled).toBe(true);
  });
});

describe("settings form: ECR Public registries", () => {
  it("shows a loaded profile's public registries as checked, their account and region disabled", async () => {
    await form(MIRROR);
    // top-level rows, then the chained role's rows
    expect(publicBoxes().map((b) => b.checked)).toEqual([false, true, false, true]);
    expect(rows().map((r) => r.dataset.public ?? null)).toEqual([null, "true", null, "true"]);
    expect(input("registry.0.account").disabled).toBe(false);
    expect(input("registry.1.account").disabled).toBe(true);
    expect(input("registry.1.region").disabled).toBe(true);
    expect(input("registry.1.aliases").value).toBe("ecr-public.corp.example");
    expect(input("registry.1.aliases").disabled).toBe(false);
    expect(input("chain.0.registry.0.region").disabled).toBe(false);
    expect(input("chain.0.registry.1.region").disabled).toBe(true);
    expect(rows()[1].querySelector('[data-testid="registry-public-hint"]')!.textContent).toContain("public.ecr.aws");
    expect(rows()[3].querySelector('[data-testid="registry-public-hint"]')!.textContent).toContain("public.ecr.aws");
    expect(rows()[0].querySelector('[data-testid="registry-public-hint"]')).toBeNull();
    // nothing changed: nothing to save
    expect(save().disabled).toBe(true);
    expect(screen.queryByTestId("field-error")).toBeNull();
  });

  it("checking ECR Public clears and disables account and region; the saved registry is { public: true }", async () => {
    const onSave = await form(STAGING);
    await click(screen.getByTestId("add-registry"));
    await type("registry.0.account", "123456789012");
    await type("registry.0.region", "eu-central-1");
    await type("registry.0.aliases", "ecr-public.corp.example");
    expect(rows()[0].querySelector('[data-testid="registry-public-hint"]')).toBeNull();
    await click(publicBoxes()[0]);
    expect(publicBoxes()[0].checked).toBe(true);
    expect(input("registry.0.account").value).toBe("");
    expect(input("registry.0.account").disabled).toBe(true);
    expect(input("registry.0.region").value).toBe("");
    expect(input("registry.0.region").disabled).toBe(true);
    expect(input("registry.0.aliases").value).toBe("ecr-public.corp.example");
    expect(screen.getByTestId("registry-public-hint").textContent).toMatch(/public\.ecr\.aws.*us-east-1/);
    expect(screen.queryByTestId("field-error")).toBeNull();
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    const saved = onSave.mock.calls[0][1];
    expect(saved.registry).toEqual([{ aliases: ["ecr-public.corp.example"], public: true }]);
  });

  it("unchecking makes it a private registry again", async () => {
    await form(MIRROR);
    await click(publicBoxes()[1]);
    expect(publicBoxes()[1].checked).toBe(false);
    expect(input("registry.1.account").disabled).toBe(false);
    expect(input("registry.1.region").disabled).toBe(false);
    expect(rows()[1].querySelector('[data-testid="registry-public-hint"]')).toBeNull();
    expect(save().disabled).toBe(false);
    await type("registry.1.account", "210987654321");
    expect(save().disabled).toBe(false);
  });

  it("a chained role's registry can be public too", async () => {
    const onSave = await form(STAGING);
    await click(screen.getByTestId("add-chain"));
    await type("chain.0.role_arn", "arn:aws:iam::210987654321:role/EcrReader");
    await click(screen.getByText("Registry through this role"));
    await type("chain.0.registry.0.region", "eu-west-1");
    await click(publicBoxes()[0]);
    expect(input("chain.0.registry.0.region").disabled).toBe(true);
    expect(input("chain.0.registry.0.region").value).toBe("");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1].chain).toEqual([{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ public: true }] }]);
  });

  it("a loaded public registry with an account or another region: errors on those fields, which can be cleared", async () => {
    const broken: Profile = { ...STAGING, name: "broken", registry: [{ account: "123456789012", region: "eu-west-1", public: true }] };
    await form(broken);
    expect(input("registry.0.account").disabled).toBe(false);
    expect(input("registry.0.account").getAttribute("aria-invalid")).toBe("true");
    expect(input("registry.0.region").getAttribute("aria-invalid")).toBe("true");
    const text = rows()[0].textContent!;
    expect(text).toMatch(/ECR Public.*has no account/);
    expect(text).toMatch(/us-east-1 only/);
    expect(save().disabled).toBe(true);
    await type("registry.0.account", "");
    expect(input("registry.0.account").disabled).toBe(true);
    expect(rows()[0].textContent).not.toMatch(/no account/);
    await type("registry.0.region", "us-east-1");
    expect(input("registry.0.region").hasAttribute("aria-invalid")).toBe(false);
    expect(screen.queryByTestId("field-error")).toBeNull();
    expect(save().disabled).toBe(false);
  });
});

describe("settings in the app: saving", () => {
  async function openSettings(handlers: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
    const be = fakeBackend({ handlers });
    render(<App />);
    await click(await screen.findByTestId("tab-settings"));
    await screen.findByTestId("settings-form");
    return be;
  }

  it("calls config_save with all profiles and the cleaned profile (empty optional fields left out)", async () => {
    const be = await openSettings({ config_save: (a) => ({ ...config(), profiles: a.profiles }) as ConfigView });
    await type("role", "  ");
    await type("session_duration", " 8h ");
    await type("sts_endpoint", "");
    await click(screen.getByTestId("add-registry"));
    await type("registry.0.region", "eu-west-1");
    await type("registry.0.aliases", "registry.corp.example,  127.0.0.1:5000");
    await click(save());
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    const profiles = be.argsOf("config_save")[0].profiles as Profile[];
    expect(profiles).toEqual([
      {
        name: "corp",
        idp_url: CORP.idp_url,
        region: "us-east-1",
        session_duration: "8h",
        docker: "config",
        registry: [{ region: "eu-west-1", aliases: ["registry.corp.example", "127.0.0.1:5000"] }],
      },
      STAGING,
    ]);
    await screen.findByText("Saved");
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("shows the backend's error and keeps the edits", async () => {
    await openSettings({
      config_save: () => {
        throw { code: "config", message: "invalid config /x/config.toml, line 3, key `profile[0].region`: nope" };
      },
    });
    await type("region", "eu-central-1");
    await click(save());
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("key `profile[0].region`: nope");
    expect(banner.dataset.code).toBe("config");
    expect(input("region").value).toBe("eu-central-1");
  });

  it("adds a new profile and selects it", async () => {
    const be = fakeBackend({ handlers: { config_save: (a) => ({ ...config(), profiles: a.profiles }) as ConfigView } });
    render(<App />);
    await screen.findByTestId("session");
    await click(screen.getByTestId("add-profile"));
    await type("name", "sandbox");
    await type("idp_url", "https://idp.example.com/sandbox");
    await type("region", "us-west-2");
    await click(save());
    await waitFor(() => expect(be.argsOf("select_profile")).toEqual([{ profile: "sandbox" }]));
    const saved = be.argsOf("config_save")[0].profiles as Profile[];
    expect(saved.map((p) => p.name)).toEqual(["corp", "staging", "sandbox"]);
    expect(saved[2]).toEqual({ name: "sandbox", idp_url: "https://idp.example.com/sandbox", region: "us-west-2", docker: "config" });
    expect(screen.getAllByTestId("profile-item").map((e) => e.dataset.profile)).toEqual(["corp", "staging", "sandbox"]);
    expect(document.querySelector('[data-profile="sandbox"]')!.getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("session")).toBeTruthy();
  });

  it("deletes a profile after confirmation", async () => {
    const be = await openSettings({ config_save: (a) => ({ ...config(), profiles: a.profiles }) as ConfigView });
    await click(screen.getByTestId("settings-delete"));
    const dialog = screen.getByTestId("confirm-dialog");
    expect(dialog.textContent).toContain("Delete profile “corp”?");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByTestId("confirm-dialog")).toBeNull();
    expect(be.argsOf("config_save")).toEqual([]);
    await click(screen.getByTestId("settings-delete"));
    await click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(be.argsOf("config_save")).toEqual([{ profiles: [STAGING] }]));
    await waitFor(() => expect(screen.getAllByTestId("profile-item").map((e) => e.dataset.profile)).toEqual(["staging"]));
  });

  it("a profile with public registries keeps public: true when saved (top-level and chained)", async () => {
    const be = fakeBackend({
      config: config([MIRROR, STAGING]),
      overview: overview({ profiles: ["mirror", "staging"], selected: "mirror", sessions: [loggedOut("mirror"), loggedOut("staging")], roles: {} }),
      handlers: { config_save: (a) => ({ ...config(), profiles: a.profiles }) as ConfigView },
    });
    render(<App />);
    await click(await screen.findByTestId("tab-settings"));
    await screen.findByTestId("settings-form");
    expect(publicBoxes().map((b) => b.checked)).toEqual([false, true, false, true]);
    expect(save().disabled).toBe(true);
    await type("refresh_before", "15m");
    await click(save());
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    const [mirror, staging] = be.argsOf("config_save")[0].profiles as Profile[];
    expect(mirror).toEqual({ ...MIRROR, refresh_before: "15m" });
    expect(mirror.registry![1].public).toBe(true);
    expect(mirror.chain![0].registry![1].public).toBe(true);
    expect(staging).toEqual(STAGING);
  });
});

describe("settings form: sign-in origins, trusted accounts, credential_process", () => {
  const TRUSTING: Profile = {
    name: "trusting",
    idp_url: "https://sso.corp.example/aws",
    idp_origins: ["https://corp.okta.com", "http://127.0.0.1:3000"],
    region: "us-east-1",
    accounts: ["123456789012", "210987654321"],
    credential_process: true,
    docker: "config",
  };
  const box = () => screen.getByTestId("settings-credential-process") as HTMLInputElement;

  it("shows a loaded profile's lists and checkbox; nothing changed, nothing to save", async () => {
    await form(TRUSTING);
    expect(input("idp_origins").value).toBe("https://corp.okta.com, http://127.0.0.1:3000");
    expect(input("accounts").value).toBe("123456789012, 210987654321");
    expect(box().checked).toBe(true);
    expect(screen.getByText(/whose pages may also hand over the SAML response/)).toBeTruthy();
    expect(screen.getByText(/AWS accounts this profile may sign in to without asking/)).toBeTruthy();
    expect(screen.getByLabelText("Serve the session's AWS credentials to the AWS CLI (credential_process)")).toBe(box());
    expect(save().disabled).toBe(true);
  });

  it("keeps them when another field is saved", async () => {
    const onSave = await form(TRUSTING);
    await type("region", "eu-west-1");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    const [profiles, saved] = onSave.mock.calls[0];
    expect(saved).toEqual({ ...TRUSTING, region: "eu-west-1" });
    expect(profiles).toEqual([CORP, STAGING, { ...TRUSTING, region: "eu-west-1" }]);
  });

  it("edits them: comma, space or newline separated lists; the checkbox; empty lists left out", async () => {
    const onSave = await form(STAGING);
    expect(box().checked).toBe(false);
    await type("idp_origins", "https://login.corp.example,\nhttps://mfa.corp.example:8443");
    await type("accounts", " 123456789012  210987654321, ");
    await click(box());
    expect(save().disabled).toBe(false);
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1]).toEqual({
      ...STAGING,
      idp_origins: ["https://login.corp.example", "https://mfa.corp.example:8443"],
      accounts: ["123456789012", "210987654321"],
      credential_process: true,
    });
  });

  it("clearing them saves the profile without them", async () => {
    const onSave = await form(TRUSTING);
    await type("idp_origins", "");
    await type("accounts", " ");
    await click(box());
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    const saved = onSave.mock.calls[0][1];
    expect(saved).toEqual({ name: "trusting", idp_url: TRUSTING.idp_url, region: "us-east-1", docker: "config" });
  });

  it("only an IdP profile has sign-in origins", async () => {
    const onSave = await form(TRUSTING);
    await click(screen.getByLabelText("AWS config profile"));
    expect(input("idp_origins")).toBeNull();
    expect(input("accounts")).not.toBeNull();
    expect(box()).toBeTruthy();
    await type("aws_profile", "sandbox-saml");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    const saved = onSave.mock.calls[0][1];
    expect(saved).not.toHaveProperty("idp_origins");
    expect(saved).not.toHaveProperty("idp_url");
    expect(saved).toMatchObject({ aws_profile: "sandbox-saml", accounts: TRUSTING.accounts, credential_process: true });
    // back to the IdP: the origins are still there
    await click(screen.getByLabelText("Identity provider (SAML)"));
    expect(input("idp_origins").value).toBe("https://corp.okta.com, http://127.0.0.1:3000");
  });

  // (A field the form does not edit is kept as loaded: draft.test.ts. The backend refuses one it
  // does not know, so the app never loads one.)
  it("in the app: config_save gets them back", async () => {
    const withFuture = { ...TRUSTING } as Profile;
    const be = fakeBackend({
      config: config([withFuture, STAGING]),
      overview: overview({ profiles: ["trusting", "staging"], selected: "trusting", sessions: [loggedOut("trusting"), loggedOut("staging")], roles: {} }),
      handlers: { config_save: (a) => ({ ...config(), profiles: a.profiles }) as ConfigView },
    });
    render(<App />);
    await click(await screen.findByTestId("tab-settings"));
    await screen.findByTestId("settings-form");
    await type("refresh_before", "15m");
    await click(save());
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    const [saved, staging] = be.argsOf("config_save")[0].profiles as Profile[];
    expect(saved).toEqual({ ...withFuture, refresh_before: "15m" });
    expect(staging).toEqual(STAGING);
  });
});

describe("settings form: the auth files the tokens go to", () => {
  const select = () => screen.getByTestId("settings-targets") as HTMLSelectElement;
  const choose = async (v: string) => {
    await act(async () => {
      fireEvent.change(select(), { target: { value: v } });
    });
    await settle();
  };

  it("defaults to docker plus podman's file where installed, and saves a choice as targets", async () => {
    const onSave = await form(STAGING);
    expect(select().value).toBe("");
    expect(screen.getByText(/read their own auth file/)).toBeTruthy();
    await choose("both");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1]).toEqual({ ...STAGING, targets: ["docker", "containers"] });
  });

  it("shows a loaded choice and goes back to the default by leaving targets out", async () => {
    const onSave = await form({ ...STAGING, name: "podman", targets: ["containers"] });
    expect(select().value).toBe("containers");
    await choose("");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1]).toEqual({ ...STAGING, name: "podman" });
  });
});

describe("settings form: more roles of the sign-in", () => {
  const box = () => screen.getByTestId("settings-roles") as HTMLInputElement;

  it("edits bare roles as one text box and saves them as a list", async () => {
    const onSave = await form(STAGING);
    expect(box().value).toBe("");
    expect(screen.getByText(/Roles of the same sign-in to use at once/)).toBeTruthy();
    await type("roles", "123456789012/Developer, 210987654321/Deployer");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1]).toEqual({ ...STAGING, roles: ["123456789012/Developer", "210987654321/Deployer"] });
  });

  it("keeps entries with their own registries as loaded, and says where to edit them", async () => {
    const roles = ["123456789012/Developer", { role: "210987654321/Deployer", registry: [{ region: "eu-west-1" }] }];
    const onSave = await form({ ...STAGING, name: "multi", roles });
    expect(box().disabled).toBe(true);
    expect(screen.getByText(/edit them in the config file/)).toBeTruthy();
    await type("region", "us-west-2");
    await click(save());
    await waitFor(() => expect(onSave).toHaveBeenCalledOnce());
    expect(onSave.mock.calls[0][1]).toEqual({ ...STAGING, name: "multi", region: "us-west-2", roles });
  });
});
