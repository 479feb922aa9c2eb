import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { ConfigView, Profile, RegistryProposal } from "../api";
import { App } from "../App";
import { fakeBackend, type FakeBackend } from "../test/backend";
import { active, config, loggedOut, overview, ROLES } from "../test/fixtures";

const OKTA = "https://acme.okta.com/home/amazon_aws/0oa1/272";
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

/** An app with no config file; config_save keeps what it got, like the backend. */
function firstRun(handlers: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  let view: ConfigView = config([]);
  const be = fakeBackend({
    // as the backend has it without a config file
    overview: overview({
      profiles: [],
      selected: null,
      sessions: [],
      roles: {},
      config_error: { code: "config", message: "no config file at /home/dev/.config/dockpass/config.toml: create it with a [[profile]]" },
      warnings: ["Keychain unavailable: sessions are kept in memory and end when Dockpass quits."],
    }),
    config: view,
    handlers: {
      config_get: () => view,
      config_save: (a) => {
        view = { ...view, profiles: a.profiles as Profile[], exists: true };
        return view;
      },
      autostart_set: (a) => a.enabled,
      autostart_get: () => false,
      ...handlers,
    },
  });
  return { be, view: () => view };
}

/** Lets the backend's checks (the real rules, through dockpass ui-check) answer and the setup show them. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await act(() => new Promise<void>((r) => setTimeout(r, 0)));
};
const input = async (testId: string, value: string) => {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
  await settle();
};
const click = async (el: Element) => {
  fireEvent.click(el);
  await settle();
};
const change = async (el: Element, value: string) => {
  fireEvent.change(el, { target: { value } });
  await settle();
};

async function fillAndSave(url = OKTA) {
  await screen.findByTestId("setup-connect");
  await input("setup-idp-url", url);
  await click(screen.getByTestId("setup-save"));
}

/** The backend's answer to a finished sign-in: session, then progress done. */
async function signedIn(be: FakeBackend, profile: string) {
  await be.emit("session-changed", active(profile, inHours(1)));
  await be.emit("login-progress", { profile, phase: "done" });
}

const PROPOSALS: RegistryProposal[] = [
  { account: "123456789012", region: "us-east-1", roles: ["Developer", "ReadOnly"], configured: true },
  { account: "210987654321", region: "us-east-1", roles: ["EcrReader", "BuildAgent"], configured: false },
  { account: "555566667777", region: "us-east-1", roles: ["Developer"], configured: false },
];

describe("first run: step 1", () => {
  it("opens the setup instead of the main view when there is no profile", async () => {
    firstRun();
    render(<App />);
    const setup = await screen.findByTestId("setup");
    expect(setup.dataset.step).toBe("connect");
    expect(setup.textContent).toContain("Welcome to Dockpass");
    expect(screen.getByTestId("setup-steps").textContent).toBe("1Connect2Sign in3Registries4Done");
    expect((screen.getByTestId("setup-name") as HTMLInputElement).value).toBe("default");
    expect((screen.getByTestId("setup-region") as HTMLSelectElement).value).toBe("us-east-1");
    expect((screen.getByTestId("setup-docker-config") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("setup-autostart") as HTMLInputElement).checked).toBe(false);
    expect(screen.queryByTestId("session")).toBeNull();
    // a missing file is what the setup is for; the warnings wait for the Done screen
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(screen.queryByTestId("warning")).toBeNull();
    expect(screen.queryByTestId("setup-replaces-broken")).toBeNull();
  });

  it("recognises the IdP from the URL: its hint, its example, a name from the org", async () => {
    firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", OKTA);
    expect(screen.getByTestId("setup-url-recognized").dataset.idp).toBe("okta");
    const hint = screen.getByTestId("setup-idp-hint");
    expect(hint.dataset.idp).toBe("okta");
    expect(hint.textContent).toContain("App Embed Link");
    expect(hint.textContent).toContain("https://ORG.okta.com/home/amazon_aws/APPID/272");
    expect((screen.getByTestId("setup-name") as HTMLInputElement).value).toBe("acme");
    const okta = screen.getAllByTestId("idp-choice").find((b) => b.dataset.idp === "okta")!;
    expect(okta.getAttribute("aria-pressed")).toBe("true");
  });

  it("the chooser shows each IdP's hint; the name the user typed stays", async () => {
    firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    const chips = screen.getAllByTestId("idp-choice");
    expect(chips.map((c) => c.textContent)).toEqual(["Okta", "Entra ID", "ADFS", "Google", "Keycloak", "Ping", "OneLogin", "JumpCloud"]);
    await click(chips.find((c) => c.dataset.idp === "adfs")!);
    expect(screen.getByTestId("setup-idp-hint").textContent).toContain("/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices");
    expect((screen.getByTestId("setup-idp-url") as HTMLInputElement).placeholder).toContain("/adfs/ls/");
    await click(chips.find((c) => c.dataset.idp === "ping")!);
    const hint = screen.getByTestId("setup-idp-hint").textContent!;
    expect(hint).toContain("sso.connect.pingidentity.com/sso/sp/initsso");
    expect(hint).toContain("startSSO.ping?PartnerSpId=urn:amazon:webservices");
    await input("setup-name", "work");
    await input("setup-idp-url", OKTA);
    expect((screen.getByTestId("setup-name") as HTMLInputElement).value).toBe("work");
  });

  it("an AWS access portal: an IAM Identity Center profile with its region, no login window", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", "https://acme.awsapps.com/start/#/");
    expect(screen.getByTestId("setup-url-recognized").dataset.idp).toBe("identity-center");
    expect(screen.getByTestId("setup-idp-hint").textContent).toContain("IAM Identity Center");
    expect((screen.getByTestId("setup-name") as HTMLInputElement).value).toBe("acme");
    expect(screen.queryByTestId("setup-url-problem")).toBeNull();
    // A region outside the portal's partition: the backend's line under the field, nothing saved.
    await input("setup-sso-region", "cn-north-1");
    await click(screen.getByTestId("setup-save"));
    expect(screen.getByTestId("setup-connect").textContent).toContain("not in the portal's partition");
    expect(be.argsOf("config_save")).toEqual([]);
    await input("setup-sso-region", "eu-west-1");
    await click(screen.getByTestId("setup-save"));
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    const saved = (be.argsOf("config_save")[0].profiles as Profile[])[0];
    expect(saved).toMatchObject({ name: "acme", sso_start_url: "https://acme.awsapps.com/start", sso_region: "eu-west-1" });
    expect(saved.idp_url).toBeUndefined();
    expect(saved.login).toBeUndefined();
    await waitFor(() => expect(be.argsOf("login")).toEqual([{ profile: "acme" }]));
  });

  it("an AWS sign-in URL: one clear line, and nothing is saved", async () => {
    const { be } = firstRun();
    render(<App />);
    await fillAndSave("https://signin.aws.amazon.com/saml");
    const problem = screen.getByTestId("setup-url-problem");
    expect(problem.dataset.severity).toBe("error");
    expect(problem.textContent).toContain("This is AWS sign-in (where your IdP sends you), not your IdP");
    expect(be.argsOf("config_save")).toEqual([]);
    expect(be.argsOf("login")).toEqual([]);
  });

  it("http: an error with the https URL to use, which one click takes", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", "http://idp.acme.example/aws");
    const problem = screen.getByTestId("setup-url-problem");
    expect(problem.dataset.severity).toBe("error");
    await click(screen.getByTestId("setup-save"));
    expect(be.argsOf("config_save")).toEqual([]);
    expect(problem.textContent).toContain("Not https");
    await click(screen.getByTestId("setup-url-fix"));
    expect((screen.getByTestId("setup-idp-url") as HTMLInputElement).value).toBe("https://idp.acme.example/aws");
    expect(screen.queryByTestId("setup-url-problem")).toBeNull();
  });

  it("an empty URL or a bad name is shown on save, nothing is saved", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-name", "my team");
    await click(screen.getByTestId("setup-save"));
    expect(screen.getByTestId("setup-url-problem").textContent).toContain("Paste your identity provider's link");
    expect(screen.getAllByTestId("field-error").map((e) => e.dataset.field)).toEqual(["name"]);
    expect(be.argsOf("config_save")).toEqual([]);
  });

  it("another region: picked from the list or typed", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await change(screen.getByTestId("setup-region"), "other");
    await input("setup-region-other", "moon-1");
    await input("setup-idp-url", OKTA);
    await click(screen.getByTestId("setup-save"));
    expect(screen.getAllByTestId("field-error").map((e) => e.dataset.field)).toEqual(["region"]);
    await input("setup-region-other", "ap-southeast-5");
    await click(screen.getByTestId("setup-save"));
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    expect((be.argsOf("config_save")[0].profiles as Profile[])[0].region).toBe("ap-southeast-5");
  });

  it("config_save fails: its code and message in the form, nothing lost, no sign-in", async () => {
    const { be } = firstRun({
      config_save: () => {
        throw { code: "config", message: "cannot write /home/dev/.config/dockpass/config.toml: permission denied" };
      },
    });
    render(<App />);
    await fillAndSave();
    const err = await screen.findByTestId("setup-save-error");
    expect(err.textContent).toContain("permission denied");
    expect(within(err).getByTestId("error-banner").dataset.code).toBe("config");
    expect(screen.getByTestId("setup").dataset.step).toBe("connect");
    expect((screen.getByTestId("setup-idp-url") as HTMLInputElement).value).toBe(OKTA);
    expect(be.argsOf("login")).toEqual([]);
    expect(be.argsOf("autostart_set")).toEqual([]);
  });

  it("All settings… opens the full editor; Cancel comes back", async () => {
    firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await click(screen.getByTestId("setup-advanced"));
    expect(screen.getByTestId("settings-form")).toBeTruthy();
    await click(screen.getByTestId("settings-revert"));
    expect(await screen.findByTestId("setup-connect")).toBeTruthy();
  });
});

describe("first run: save, sign in, registries, done", () => {
  it("the whole flow", async () => {
    const { be, view } = firstRun({
      propose_registries: () => PROPOSALS,
      add_registries: (a) => {
        const regs = a.registries as { account: string; region: string }[];
        const v = view();
        return { ...v, profiles: v.profiles.map((p) => ({ ...p, registry: [{ account: "123456789012", region: "us-east-1" }, ...regs] })) };
      },
    });
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", OKTA);
    await click(screen.getAllByTestId("idp-choice")[0]); // pressing the recognised one again changes nothing
    await click(screen.getByTestId("setup-docker-helper"));
    await click(screen.getByTestId("setup-save"));

    await waitFor(() => expect(be.argsOf("login")).toEqual([{ profile: "acme" }]));
    expect(be.argsOf("config_save")).toEqual([{ profiles: [{ name: "acme", idp_url: OKTA, region: "us-east-1", docker: "helper" }] }]);
    expect(be.argsOf("autostart_set")).toEqual([]); // not ticked: left alone
    const signin = screen.getByTestId("setup-signin");
    expect(signin.textContent).toContain("Opening the sign-in window");
    expect(signin.textContent).toContain("/home/dev/.config/dockpass/config.toml");
    // the sidebar has the new profile; the setup stays
    expect(screen.getAllByTestId("profile-item").map((e) => e.dataset.profile)).toEqual(["acme"]);

    await be.emit("login-progress", { profile: "acme", phase: "waiting_for_idp" });
    expect(screen.getByTestId("setup-progress").textContent).toContain("Sign in at acme.okta.com in the window that opened");
    // several roles: the app's picker, over the setup
    await be.emit("role-picker", { profile: "acme", roles: ROLES, current: null, account_names: {} });
    expect(screen.getByTestId("role-picker")).toBeTruthy();
    expect(screen.getByTestId("setup-signin").textContent).toContain("Choose the role to use");
    await click(screen.getAllByTestId("role-option")[0]);
    await waitFor(() => expect(be.argsOf("pick_role")).toHaveLength(1));
    await be.emit("login-progress", { profile: "acme", phase: "assuming_role" });
    expect(screen.getByTestId("setup-progress").textContent).toContain("Getting AWS credentials");
    await signedIn(be, "acme");

    // step 3
    const regs = await screen.findByTestId("setup-registries");
    expect(be.argsOf("propose_registries")).toEqual([{ profile: "acme" }]);
    expect(screen.getByTestId("setup-signed-in").textContent).toBe("Signed in as Developer @ 123456789012");
    const rows = await screen.findAllByTestId("proposal");
    expect(rows.map((r) => r.dataset.account)).toEqual(["123456789012", "210987654321", "555566667777"]);
    const checks = screen.getAllByTestId("proposal-check") as HTMLInputElement[];
    expect(checks.map((c) => [c.checked, c.disabled])).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
    expect(rows[1].textContent).toContain("EcrReader");
    expect((screen.getByTestId("setup-add") as HTMLButtonElement).disabled).toBe(true);
    await click(checks[1]);
    const regionInputs = screen.getAllByTestId("proposal-region") as HTMLInputElement[];
    expect(regionInputs[0].disabled).toBe(true);
    fireEvent.input(regionInputs[2], { target: { value: "eu-west-1" } }); // a region edit ticks the row
    await settle();
    expect((screen.getAllByTestId("proposal-check")[2] as HTMLInputElement).checked).toBe(true);
    expect(rows[2].textContent).toContain("555566667777.dkr.ecr.eu-west-1.amazonaws.com");
    expect(screen.getByTestId("setup-add").textContent).toContain("Add 2 registries");
    await click(screen.getByTestId("setup-add"));
    await waitFor(() =>
      expect(be.argsOf("add_registries")).toEqual([
        {
          profile: "acme",
          registries: [
            { account: "210987654321", region: "us-east-1" },
            { account: "555566667777", region: "eu-west-1" },
          ],
        },
      ]),
    );
    expect(regs).toBeTruthy();

    // step 4
    const done = await screen.findByTestId("setup-done");
    await be.emit(
      "session-changed",
      active("acme", inHours(1), {
        registries: [
          { host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", kind: "private", expires_at: inHours(12) },
          { host: "210987654321.dkr.ecr.us-east-1.amazonaws.com", kind: "private", expires_at: inHours(12) },
        ],
      }),
    );
    expect(done.textContent).toContain("2 registries added");
    expect(screen.getByTestId("setup-docker-cmd").textContent).toBe("docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG");
    expect(done.textContent).toContain("docker-credential-dockpass"); // helper mode explained
    expect(screen.getByTestId("setup-done-hosts").querySelectorAll("li")).toHaveLength(2);
    expect(within(done).getByTestId("warning").textContent).toContain("Keychain unavailable");
    await click(screen.getByTestId("setup-finish"));

    // the main view, on the new profile
    const session = await screen.findByTestId("session");
    expect(session.dataset.state).toBe("active");
    expect(screen.queryByTestId("setup")).toBeNull();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("acme");
  });

  it("start at login: set when ticked, before the sign-in", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await click(screen.getByTestId("setup-autostart"));
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    expect(be.argsOf("autostart_set")).toEqual([{ enabled: true }]);
    const order = be.calls.map((c) => c.cmd).filter((c) => ["config_save", "autostart_set", "login"].includes(c));
    expect(order).toEqual(["config_save", "autostart_set", "login"]);
  });

  it("start at login fails: said once, the sign-in goes on", async () => {
    const { be } = firstRun({
      autostart_set: () => {
        throw { code: "io", message: "cannot write ~/.config/autostart/dockpass.desktop: read-only file system" };
      },
    });
    render(<App />);
    await screen.findByTestId("setup-connect");
    await click(screen.getByTestId("setup-autostart"));
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    expect(screen.getByTestId("setup-autostart-error").textContent).toContain("read-only file system");
  });

  it("a failed sign-in: the message, then Try again or change the settings (saved again, same profile)", async () => {
    const { be, view } = firstRun();
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await be.emit("login-progress", { profile: "acme", phase: "failed", message: "The SAML response has expired; sign in again." });
    const failed = screen.getByTestId("setup-login-failed");
    expect(failed.textContent).toContain("The SAML response has expired");
    await click(screen.getByTestId("setup-retry"));
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(2));
    expect(screen.getByTestId("setup-progress")).toBeTruthy();

    await be.emit("login-progress", { profile: "acme", phase: "cancelled" });
    expect(screen.getByTestId("setup-login-cancelled").textContent).toContain("closed");
    await click(screen.getByTestId("setup-back"));
    // the form keeps what was typed; a new name replaces the saved profile, not a second one
    expect((screen.getByTestId("setup-idp-url") as HTMLInputElement).value).toBe(OKTA);
    await input("setup-name", "corp");
    await click(screen.getByTestId("setup-save"));
    await waitFor(() => expect(be.argsOf("login")).toEqual([{ profile: "acme" }, { profile: "acme" }, { profile: "corp" }]));
    expect(view().profiles.map((p) => p.name)).toEqual(["corp"]);
  });

  it("login rejects at once: shown as a failed sign-in", async () => {
    firstRun({
      login: () => {
        throw { code: "usage", message: "profile acme takes credentials from aws_profile" };
      },
    });
    render(<App />);
    await fillAndSave();
    expect((await screen.findByTestId("setup-login-failed")).textContent).toContain("aws_profile");
  });

  it("no other account to propose: Continue; Skip when there are some", async () => {
    const { be } = firstRun({ propose_registries: () => [PROPOSALS[0]] });
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await signedIn(be, "acme");
    await screen.findAllByTestId("proposal");
    expect(screen.queryByTestId("setup-skip")).toBeNull();
    await click(screen.getByTestId("setup-continue"));
    await screen.findByTestId("setup-done");
    expect(be.argsOf("add_registries")).toEqual([]);
  });

  it("Skip leaves the registries as they are", async () => {
    const { be } = firstRun({ propose_registries: () => PROPOSALS });
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await signedIn(be, "acme");
    await screen.findAllByTestId("proposal");
    await click(screen.getAllByTestId("proposal-check")[1]);
    await click(screen.getByTestId("setup-skip"));
    await screen.findByTestId("setup-done");
    expect(be.argsOf("add_registries")).toEqual([]);
  });

  it("add_registries fails: its message, the choice kept; propose fails: Try again or Skip", async () => {
    let proposeFails = true;
    const { be } = firstRun({
      propose_registries: () => {
        if (proposeFails) throw { code: "state", message: "no assertion for profile acme; sign in first" };
        return PROPOSALS;
      },
      add_registries: () => {
        throw { code: "config", message: "invalid config: registry[1].region: not an AWS region" };
      },
    });
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await signedIn(be, "acme");
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("no assertion for profile acme");
    expect(screen.getByTestId("setup-skip")).toBeTruthy();
    proposeFails = false;
    await click(within(banner).getByText("Try again"));
    await screen.findAllByTestId("proposal");
    await click(screen.getAllByTestId("proposal-check")[2]);
    await click(screen.getByTestId("setup-add"));
    const err = await screen.findByTestId("setup-add-error");
    expect(err.textContent).toContain("not an AWS region");
    expect((screen.getAllByTestId("proposal-check")[2] as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId("setup").dataset.step).toBe("registries");
  });

  it("a bad region in a proposal keeps Add off", async () => {
    const { be } = firstRun({ propose_registries: () => PROPOSALS });
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await signedIn(be, "acme");
    await screen.findAllByTestId("proposal");
    fireEvent.input(screen.getAllByTestId("proposal-region")[1], { target: { value: "nowhere" } });
    await settle();
    expect((screen.getByTestId("setup-add") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getAllByTestId("proposal-region")[1].getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("setup-registries").parentElement!.textContent).toContain("Enter an AWS region");
  });

  it("progress of another profile is not this setup's", async () => {
    const { be } = firstRun();
    render(<App />);
    await fillAndSave();
    await waitFor(() => expect(be.argsOf("login")).toHaveLength(1));
    await be.emit("login-progress", { profile: "other", phase: "done" });
    expect(screen.getByTestId("setup").dataset.step).toBe("signin");
  });
});

describe("not a first run", () => {
  it("with profiles, the main view; deleting the last one brings the setup back", async () => {
    let view = config([{ name: "only", idp_url: OKTA, region: "us-east-1", docker: "config" }]);
    fakeBackend({
      overview: overview({ profiles: ["only"], selected: "only", sessions: [loggedOut("only")], roles: {} }),
      config: view,
      handlers: {
        config_get: () => view,
        config_save: (a) => (view = { ...view, profiles: a.profiles as Profile[] }),
        autostart_get: () => false,
      },
    });
    render(<App />);
    await screen.findByTestId("session");
    expect(screen.queryByTestId("setup")).toBeNull();
    await click(screen.getByTestId("tab-settings"));
    await click(screen.getByTestId("settings-delete"));
    await click(await screen.findByText("Delete profile", { selector: ".dialog button" }));
    expect(await screen.findByTestId("setup-connect")).toBeTruthy();
  });
});

describe("first run: where the user signs in", () => {
  const readiness = (ready: boolean, seen: boolean) => ({
    extension_dir: "/usr/share/dockpass/extension",
    host_problem: null,
    browsers: [{ name: "Chromium", problem: ready ? null : "no host manifest; run dockpass browser install" }],
    last_seen: seen ? { browser: "chromium", extension_version: "0.1.0", seconds_ago: 30 } : null,
  });

  it("the browser: says whether the extension reaches Dockpass, registers it, and saves login = browser", async () => {
    let installed = false;
    const { be } = firstRun({
      browser_readiness: () => readiness(installed, installed),
      browser_install: () => {
        installed = true;
        return readiness(true, true);
      },
    });
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", OKTA);
    await click(screen.getByTestId("setup-login-browser"));
    const panel = await screen.findByTestId("setup-browser-ready");
    await waitFor(() => expect(within(panel).getByTestId("setup-browser-list").textContent).toContain("Chromium cannot reach Dockpass yet"));
    expect(within(panel).getByTestId("setup-extension-dir").textContent).toBe("/usr/share/dockpass/extension");
    expect(within(panel).getByTestId("setup-extension-seen").dataset.seen).toBe("no");
    await click(within(panel).getByTestId("setup-browser-install"));
    await waitFor(() => expect(within(panel).getByTestId("setup-browser-list").textContent).toContain("Chromium can reach Dockpass"));
    expect(within(panel).getByTestId("setup-extension-seen").textContent).toContain("answered from chromium just now");
    expect(be.argsOf("browser_install")).toHaveLength(1);

    await click(screen.getByTestId("setup-save"));
    await waitFor(() => expect(be.argsOf("login")).toEqual([{ profile: "acme" }]));
    expect(be.argsOf("config_save")).toEqual([{ profiles: [{ name: "acme", idp_url: OKTA, region: "us-east-1", docker: "config", login: "browser" }] }]);
    expect(screen.getByTestId("setup-signin").textContent).toContain("in your browser");
  });

  it("the loopback: the URL to add at the IdP, and the backend's word on the port", async () => {
    const { be } = firstRun();
    render(<App />);
    await screen.findByTestId("setup-connect");
    await input("setup-idp-url", OKTA);
    await click(screen.getByTestId("setup-login-loopback"));
    expect(screen.getByTestId("setup-connect").textContent).toContain("http://127.0.0.1:8733/saml");
    await input("setup-loopback-port", "0");
    const err = await screen.findByText(/0 is not a port/);
    expect(err.dataset.field).toBe("loopback_port");
    await input("setup-loopback-port", "9123");
    expect(screen.getByTestId("setup-connect").textContent).toContain("http://127.0.0.1:9123/saml");
    await click(screen.getByTestId("setup-save"));
    await waitFor(() => expect(be.argsOf("config_save")).toHaveLength(1));
    expect(be.argsOf("config_save")[0]).toEqual({ profiles: [{ name: "acme", idp_url: OKTA, region: "us-east-1", docker: "config", login: "loopback", loopback_port: 9123 }] });
  });
});
