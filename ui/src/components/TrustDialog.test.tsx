import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { TrustQuestion } from "../api";
import { App } from "../App";
import { fakeBackend } from "../test/backend";
import { overview, trustQuestion } from "../test/fixtures";

type Handlers = Record<string, (a: Record<string, unknown>) => unknown>;

async function openTrust(q: TrustQuestion = trustQuestion(), handlers: Handlers = {}) {
  const be = fakeBackend({ handlers });
  render(<App />);
  await screen.findByTestId("session");
  await be.emit("trust-prompt", q);
  return { be, dialog: screen.getByTestId("trust-dialog") };
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe("trust dialog", () => {
  it("opens on trust-prompt: a modal for its profile, focus on the safe choice", async () => {
    const { dialog } = await openTrust();
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.dataset.profile).toBe("corp");
    expect(within(dialog).getByRole("heading").textContent).toContain("Confirm this sign-in");
    expect(document.getElementById(dialog.getAttribute("aria-describedby")!)!.textContent).toContain("someone else's account");
    expect(document.activeElement).toBe(screen.getByTestId("trust-reject"));
    expect(screen.getByTestId("trust-reject").textContent).toBe("Don't sign in");
    expect(screen.getByTestId("trust-confirm").textContent).toBe("Trust and sign in");
  });

  it("a new account: the account next to the known ones, and the role's name", async () => {
    await openTrust();
    expect(text("trust-account-new")).toBe("999999999999");
    const known = [...screen.getByTestId("trust-accounts-known").querySelectorAll(".trust-known-account")].map((e) => e.textContent);
    expect(known).toEqual(["123456789012", "210987654321"]);
    expect(screen.queryByTestId("trust-issuer-new")).toBeNull();
    expect(screen.queryByTestId("trust-issuer-known")).toBeNull();
    const role = screen.getByTestId("trust-role");
    expect(role.textContent).toBe("Admin");
    expect(role.getAttribute("title")).toBe("arn:aws:iam::999999999999:role/team/Admin");
    const heads = [...screen.getByTestId("trust-dialog").querySelectorAll("thead th")].map((e) => e.textContent);
    expect(heads).toEqual(["This sign-in", "Before"]);
  });

  it("a new issuer: this sign-in's issuer next to the one before", async () => {
    await openTrust(trustQuestion({ new_issuer: true, issuer: "http://www.okta.com/exk9evil", new_account: false, account: "123456789012" }));
    expect(text("trust-issuer-new")).toBe("http://www.okta.com/exk9evil");
    expect(text("trust-issuer-known")).toBe("http://www.okta.com/exk1corp");
    expect(screen.queryByTestId("trust-account-new")).toBeNull();
    expect(screen.queryByTestId("trust-accounts-known")).toBeNull();
  });

  it("both new, and an assertion that names no issuer", async () => {
    await openTrust(trustQuestion({ new_issuer: true, issuer: null }));
    expect(text("trust-issuer-new")).toMatch(/none/);
    expect(text("trust-issuer-known")).toBe("http://www.okta.com/exk1corp");
    expect(text("trust-account-new")).toBe("999999999999");
  });

  it("Trust and sign in calls confirm_trust for the profile and closes", async () => {
    const { be } = await openTrust();
    fireEvent.click(screen.getByTestId("trust-confirm"));
    expect(screen.queryByTestId("trust-dialog")).toBeNull();
    await waitFor(() => expect(be.argsOf("confirm_trust")).toEqual([{ profile: "corp" }]));
    expect(be.argsOf("reject_trust")).toEqual([]);
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("Don't sign in calls reject_trust", async () => {
    const { be } = await openTrust();
    fireEvent.click(screen.getByTestId("trust-reject"));
    expect(screen.queryByTestId("trust-dialog")).toBeNull();
    await waitFor(() => expect(be.argsOf("reject_trust")).toEqual([{ profile: "corp" }]));
    expect(be.argsOf("confirm_trust")).toEqual([]);
  });

  it("Escape does not sign in", async () => {
    const { be, dialog } = await openTrust();
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByTestId("trust-dialog")).toBeNull();
    await waitFor(() => expect(be.argsOf("reject_trust")).toEqual([{ profile: "corp" }]));
    expect(be.argsOf("confirm_trust")).toEqual([]);
  });

  it("a failed confirm shows in the error banner", async () => {
    await openTrust(trustQuestion(), {
      confirm_trust: () => {
        throw { code: "usage", message: "no sign-in of profile corp waits for a confirmation" };
      },
    });
    fireEvent.click(screen.getByTestId("trust-confirm"));
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("no sign-in of profile corp waits for a confirmation");
    expect(banner.dataset.code).toBe("usage");
  });

  it("closes on trust-prompt-closed for its profile only", async () => {
    const { be } = await openTrust();
    await be.emit("trust-prompt-closed", { profile: "staging" });
    expect(screen.queryByTestId("trust-dialog")).not.toBeNull();
    await be.emit("trust-prompt-closed", { profile: "corp" });
    expect(screen.queryByTestId("trust-dialog")).toBeNull();
    expect(be.argsOf("reject_trust")).toEqual([]);
  });

  it("a question already waiting comes with the overview when the window opens", async () => {
    const be = fakeBackend({ overview: overview({ trust: trustQuestion({ profile: "staging" }) }) });
    render(<App />);
    const dialog = await screen.findByTestId("trust-dialog");
    expect(dialog.dataset.profile).toBe("staging");
    expect(text("trust-account-new")).toBe("999999999999");
    fireEvent.click(screen.getByTestId("trust-confirm"));
    await waitFor(() => expect(be.argsOf("confirm_trust")).toEqual([{ profile: "staging" }]));
  });

});
