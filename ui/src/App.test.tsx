import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { fakeBackend } from "./test/backend";
import { active, activity, chained, config, CORP, EAST, loggedOut, overview, repo, repositoryList, ROLES } from "./test/fixtures";

const inHour = () => new Date(Date.now() + 3600_000).toISOString();

describe("start", () => {
  it("loads the overview and config once, then only listens", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    expect(be.calls.map((c) => c.cmd).sort()).toEqual(["config_get", "overview"]);
  });

  it("shows a banner with the message when loading fails, and retries", async () => {
    let fail = true;
    fakeBackend({
      handlers: {
        overview: () => {
          if (fail) throw { code: "state", message: "cannot read state.json: permission denied" };
          return overview();
        },
      },
    });
    render(<App />);
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("cannot read state.json: permission denied");
    fail = false;
    fireEvent.click(within(banner).getByText("Try again"));
    await screen.findByTestId("session");
  });
});

describe("empty states", () => {
  it("no config yet: the first-run setup, which also offers the full editor", async () => {
    fakeBackend({ overview: overview({ profiles: [], selected: null, sessions: [], roles: {} }), config: config([]) });
    render(<App />);
    const setup = await screen.findByTestId("setup");
    expect(setup.textContent).toContain("Welcome to Dockpass");
    fireEvent.click(screen.getByTestId("setup-advanced"));
    expect(screen.getByTestId("settings-form")).toBeTruthy();
    expect(screen.getByText("New profile")).toBeTruthy();
    expect(screen.getByText("/home/dev/.config/dockpass/config.toml")).toBeTruthy();
  });

  it("a broken config file: the setup with the config error above it", async () => {
    fakeBackend({
      overview: overview({
        profiles: [],
        selected: null,
        sessions: [],
        roles: {},
        config_error: { code: "config", message: "invalid config /home/dev/.config/dockpass/config.toml, line 3: expected `=`" },
      }),
      config: { ...config([]), exists: true },
    });
    render(<App />);
    await screen.findByTestId("setup-connect");
    expect(screen.getByTestId("error-banner").textContent).toContain("line 3: expected `=`");
    expect(screen.getByTestId("setup-replaces-broken").textContent).toContain("Saving replaces the config file that could not be read");
  });

  it("logged out: a clear call to sign in that calls login", async () => {
    const be = fakeBackend();
    render(<App />);
    const card = await screen.findByTestId("session");
    expect(within(card).getByTestId("session-state").textContent).toBe("Signed out");
    expect(card.textContent).toContain("You're not signed in");
    expect(screen.getByTestId("registries").textContent).toContain("after you sign in");
    fireEvent.click(screen.getByTestId("sign-in"));
    await waitFor(() => expect(be.argsOf("login")).toEqual([{ profile: "corp" }]));
  });

  it("no activity yet", async () => {
    fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    expect(screen.getByText(/Nothing has happened yet/)).toBeTruthy();
  });
});

describe("events", () => {
  it("session-changed updates the session card and the registries", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("session-changed", active("corp", inHour(), { role_arn: "arn:aws:iam::210987654321:role/ci/BuildAgent", role_name: "BuildAgent", role_path: "/ci/", account: "210987654321" }));
    expect(screen.getByTestId("session-state").textContent).toBe("Active");
    expect(screen.getByTestId("session-role").textContent).toBe("BuildAgent");
    expect(screen.getByTestId("session-account").textContent).toBe("210987654321");
    expect(screen.getByTestId("session-countdown").textContent).toMatch(/^(59m|1h 00m)/);
    const rows = screen.getAllByTestId("registry-row");
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    expect(rows[0].dataset.status).toBe("valid");
    expect(screen.getByTestId("switch-role")).toBeTruthy();
    expect(screen.getByTestId("sign-out")).toBeTruthy();
    expect(screen.queryByTestId("sign-in")).toBeNull();
  });

  it("the session's chained roles come with the overview and go with a session event without them", async () => {
    const inHalfHour = new Date(Date.now() + 1800_000).toISOString();
    const be = fakeBackend({ overview: overview({ sessions: [active("corp", inHour(), { chain: [chained("210987654321", "EcrReader", inHalfHour)] }), loggedOut("staging")] }) });
    render(<App />);
    const list = await screen.findByTestId("chain-list");
    expect(within(list).getAllByTestId("chain-row").map((r) => r.dataset.roleArn)).toEqual(["arn:aws:iam::210987654321:role/EcrReader"]);
    expect(list.textContent).toMatch(/EcrReader.*210987654321.*expires in (29|30)m/);
    await be.emit("session-changed", active("corp", inHour()));
    expect(screen.queryByTestId("chain-list")).toBeNull();
  });

  it("a session event for another profile changes only that profile", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("session-changed", active("staging", inHour()));
    expect(screen.getByTestId("session-state").textContent).toBe("Signed out");
    expect(document.querySelector('[data-testid="profile-item"][data-profile="staging"]')!.getAttribute("data-state")).toBe("active");
  });

  it("error state shows the last error message", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("session-changed", { ...loggedOut("corp"), state: "error", error: { code: "saml_expired", message: "The assertion has expired" } });
    expect(screen.getByTestId("session-state").dataset.state).toBe("error");
    expect(screen.getByTestId("session").textContent).toContain("The assertion has expired");
  });

  it("registry token status: valid, expiring, expired", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    const now = Date.now();
    await be.emit(
      "session-changed",
      active("corp", inHour(), {
        registries: [
          { host: "a.example", kind: "private", expires_at: new Date(now + 5 * 3600_000).toISOString() },
          { host: "b.example", kind: "private", expires_at: new Date(now + 5 * 60_000).toISOString() },
          { host: "c.example", kind: "private", expires_at: new Date(now - 60_000).toISOString() },
        ],
      }),
    );
    const rows = screen.getAllByTestId("registry-row");
    expect(rows.map((r) => r.dataset.status)).toEqual(["valid", "expiring", "expired"]);
    expect(rows[1].textContent).toContain("Expiring");
    expect(rows[0].querySelector("td:nth-child(2)")!.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  });

  it("activity is prepended, newest first", async () => {
    const be = fakeBackend({ overview: overview({ activity: [activity("older", "2025-11-26T09:00:00Z")] }) });
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("activity", { ...activity("Signed in as Developer", "2025-11-26T10:00:00Z"), kind: "login" });
    const items = screen.getAllByTestId("activity-item");
    expect(items.map((i) => i.textContent)).toEqual([expect.stringContaining("Signed in as Developer"), expect.stringContaining("older")]);
    expect(items[0].textContent).toContain("corp");
    expect(items[0].dataset.kind).toBe("login");
  });

  it("login-progress shows a progress line, then failed shows its message", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("login-progress", { profile: "corp", phase: "assuming_role" });
    expect(screen.getByTestId("login-progress").textContent).toMatch(/AWS credentials/);
    await be.emit("login-progress", { profile: "corp", phase: "failed", message: "AccessDenied: not authorized to assume the role" });
    expect(screen.getByTestId("login-progress").textContent).toContain("AccessDenied");
    await be.emit("login-progress", { profile: "corp", phase: "cancelled" });
    expect(screen.queryByTestId("login-progress")).toBeNull();
  });

  it("config-changed updates the profile list", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("config-changed", config([CORP, { name: "sandbox", aws_profile: "x", region: "us-west-2" }]));
    expect(screen.getAllByTestId("profile-item").map((e) => e.dataset.profile)).toEqual(["corp", "sandbox"]);
  });

  it("overview replaces everything", async () => {
    const be = fakeBackend();
    render(<App />);
    await screen.findByTestId("session");
    await be.emit("overview", overview({ selected: "staging", sessions: [loggedOut("corp"), active("staging", inHour())], roles: { staging: ROLES } }));
    expect(document.querySelector('[data-profile="staging"]')!.getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("session-state").textContent).toBe("Active");
  });
});

describe("commands", () => {
  it("selecting a profile calls select_profile and shows its session", async () => {
    const be = fakeBackend({ overview: overview({ sessions: [loggedOut("corp"), active("staging", inHour())] }) });
    render(<App />);
    await screen.findByTestId("session");
    fireEvent.click(document.querySelector('[data-testid="profile-item"][data-profile="staging"]')!);
    await waitFor(() => expect(be.argsOf("select_profile")).toEqual([{ profile: "staging" }]));
    expect(screen.getByTestId("session-state").textContent).toBe("Active");
  });

  it("sign out calls logout", async () => {
    const be = fakeBackend({ overview: overview({ sessions: [active("corp", inHour())] }) });
    render(<App />);
    fireEvent.click(await screen.findByTestId("sign-out"));
    await waitFor(() => expect(be.argsOf("logout")).toEqual([{ profile: "corp" }]));
  });

  it("a failing command shows its {code, message} in the banner, which can be dismissed", async () => {
    fakeBackend({
      handlers: {
        login: () => {
          throw { code: "network", message: "Cannot reach the IdP" };
        },
      },
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("sign-in"));
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("Cannot reach the IdP");
    expect(banner.textContent).toContain("network");
    fireEvent.click(within(banner).getByLabelText("Dismiss"));
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });
});

describe("repositories", () => {
  it("are listed below the registries once signed in, and again only for a new role", async () => {
    const be = fakeBackend({
      handlers: { list_repositories: (a) => repositoryList(a.profile as string, [repo(EAST, "team/api"), repo(EAST, "team/web")]) },
    });
    render(<App />);
    await screen.findByTestId("session");
    expect(screen.queryByTestId("repos")).toBeNull();
    expect(be.argsOf("list_repositories")).toEqual([]);

    await be.emit("session-changed", active("corp", inHour()));
    await screen.findAllByTestId("repo-row");
    const sections = [...document.querySelectorAll("[data-testid]")].map((e) => e.getAttribute("data-testid"));
    expect(sections.indexOf("repos")).toBeGreaterThan(sections.indexOf("registries"));
    expect(be.argsOf("list_repositories")).toEqual([{ profile: "corp", refresh: false }]);

    // a token refresh moves the expiry: no new listing
    await be.emit("session-changed", active("corp", new Date(Date.now() + 7200_000).toISOString()));
    await be.emit("activity", activity("Refreshed 1 registry token"));
    expect(be.argsOf("list_repositories")).toHaveLength(1);

    await be.emit("session-changed", active("corp", inHour(), { role_arn: "arn:aws:iam::123456789012:role/ReadOnly", role_name: "ReadOnly" }));
    await waitFor(() => expect(be.argsOf("list_repositories")).toHaveLength(2));

    await be.emit("session-changed", loggedOut("corp"));
    expect(screen.queryByTestId("repos")).toBeNull();
    expect(be.argsOf("list_repositories")).toHaveLength(2);
  });

  it("a failed listing stays in the section, not the banner", async () => {
    fakeBackend({
      overview: overview({ sessions: [active("corp", inHour())] }),
      handlers: {
        list_repositories: () => {
          throw { code: "sts_failed", message: "ExpiredTokenException" };
        },
      },
    });
    render(<App />);
    expect((await screen.findByTestId("repos-error")).textContent).toContain("ExpiredTokenException");
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });
});
