import { fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { fakeBackend } from "../test/backend";
import { ROLES } from "../test/fixtures";

async function openPicker(current: string | null = null, names: Record<string, string> = {}) {
  const be = fakeBackend();
  render(<App />);
  await screen.findByTestId("session");
  await be.emit("role-picker", { profile: "corp", roles: ROLES, current, account_names: names });
  const dialog = screen.getByTestId("role-picker");
  const filter = screen.getByTestId("role-filter") as HTMLInputElement;
  return { be, dialog, filter };
}

const options = () => screen.getAllByTestId("role-option");
const activeArn = () => screen.getAllByTestId("role-option").find((o) => o.getAttribute("aria-selected") === "true")?.dataset.roleArn;
const type = (el: HTMLInputElement, v: string) => fireEvent.input(el, { target: { value: v } });
const key = (el: HTMLElement, k: string) => fireEvent.keyDown(el, { key: k });

describe("role picker", () => {
  it("opens on the role-picker event with the filter focused", async () => {
    const { dialog, filter } = await openPicker();
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(document.activeElement).toBe(filter);
  });

  it("groups roles by account, with path and full ARN", async () => {
    const { dialog } = await openPicker();
    const groups = within(dialog).getAllByRole("group");
    expect(groups.map((g) => g.getAttribute("aria-label"))).toEqual(["Account 123456789012", "Account 210987654321"]);
    expect(within(groups[0]).getAllByTestId("role-option").map((o) => o.dataset.roleArn)).toEqual(ROLES.slice(0, 3).map((r) => r.role_arn));
    const admin = options()[2];
    expect(admin.textContent).toContain("PlatformAdmin");
    expect(admin.textContent).toContain("/platform/");
    expect(admin.textContent).toContain("arn:aws:iam::123456789012:role/platform/PlatformAdmin");
    // no path chip for "/"
    expect(options()[0].querySelector(".chip")).toBeNull();
  });

  it("names the accounts it knows, and filters by those names", async () => {
    const { dialog, filter } = await openPicker(null, { "210987654321": "shared services" });
    const groups = within(dialog).getAllByRole("group");
    expect(groups.map((g) => g.getAttribute("aria-label"))).toEqual(["Account 123456789012", "Account shared services (210987654321)"]);
    expect(within(groups[1]).getByTestId("picker-account-name").textContent).toBe("shared services");
    type(filter, "shared");
    expect(new Set(options().map((o) => o.dataset.roleArn?.split(":")[4]))).toEqual(new Set(["210987654321"]));
  });

  it("filters by name, account and ARN", async () => {
    const { filter } = await openPicker();
    type(filter, "readonly");
    expect(options().map((o) => o.dataset.roleArn)).toEqual([ROLES[1].role_arn]);
    type(filter, "210987654321");
    expect(options().map((o) => o.textContent)).toEqual([expect.stringContaining("EcrReader"), expect.stringContaining("BuildAgent")]);
    type(filter, "role/ci/");
    expect(options().map((o) => o.dataset.roleArn)).toEqual([ROLES[4].role_arn]);
    type(filter, "/platform/");
    expect(options().map((o) => o.dataset.roleArn)).toEqual([ROLES[2].role_arn]);
    type(filter, "no such role");
    expect(screen.queryAllByTestId("role-option")).toHaveLength(0);
    expect(screen.getByText(/No role matches/)).toBeTruthy();
  });

  it("arrow keys move across groups and Enter picks that role", async () => {
    const { be, filter } = await openPicker();
    expect(activeArn()).toBe(ROLES[0].role_arn);
    key(filter, "ArrowDown");
    key(filter, "ArrowDown");
    key(filter, "ArrowDown");
    expect(activeArn()).toBe(ROLES[3].role_arn);
    key(filter, "ArrowUp");
    expect(activeArn()).toBe(ROLES[2].role_arn);
    key(filter, "ArrowUp");
    key(filter, "ArrowUp");
    key(filter, "ArrowUp"); // wraps to the last
    expect(activeArn()).toBe(ROLES[4].role_arn);
    key(filter, "Enter");
    await Promise.resolve();
    expect(be.argsOf("pick_role")).toEqual([{ profile: "corp", roleArn: ROLES[4].role_arn }]);
    expect(screen.queryByTestId("role-picker")).toBeNull();
  });

  it("Enter after filtering picks the first match", async () => {
    const { be, filter } = await openPicker();
    type(filter, "ecr");
    key(filter, "Enter");
    await Promise.resolve();
    expect(be.argsOf("pick_role")).toEqual([{ profile: "corp", roleArn: ROLES[3].role_arn }]);
  });

  it("starts on the current role and marks it", async () => {
    await openPicker(ROLES[3].role_arn);
    expect(activeArn()).toBe(ROLES[3].role_arn);
    expect(options()[3].textContent).toContain("current");
  });

  it("clicking a row picks it", async () => {
    const { be } = await openPicker();
    fireEvent.click(options()[1]);
    await Promise.resolve();
    expect(be.argsOf("pick_role")).toEqual([{ profile: "corp", roleArn: ROLES[1].role_arn }]);
  });

  it("Escape cancels with cancel_pick", async () => {
    const { be, filter } = await openPicker();
    key(filter, "Escape");
    await Promise.resolve();
    expect(be.argsOf("cancel_pick")).toEqual([{ profile: "corp" }]);
    expect(be.argsOf("pick_role")).toEqual([]);
    expect(screen.queryByTestId("role-picker")).toBeNull();
  });

  it("closes on role-picker-closed for its profile", async () => {
    const { be } = await openPicker();
    await be.emit("role-picker-closed", { profile: "staging" });
    expect(screen.queryByTestId("role-picker")).not.toBeNull();
    await be.emit("role-picker-closed", { profile: "corp" });
    expect(screen.queryByTestId("role-picker")).toBeNull();
  });

  it("Switch role asks the backend, which answers with the picker", async () => {
    const be = fakeBackend({
      overview: {
        profiles: ["corp"],
        selected: "corp",
        sessions: [
          {
            profile: "corp",
            state: "active",
            role_arn: ROLES[0].role_arn,
            account: "123456789012",
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            refresh_before_s: 600,
            role_name: ROLES[0].name,
            role_path: ROLES[0].path,
            registries: [],
          },
        ],
        roles: { corp: ROLES },
        activity: [],
        warnings: [],
        picker: null,
        trust: null,
        progress: [],
      },
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("switch-role"));
    await Promise.resolve();
    expect(be.argsOf("switch_role")).toEqual([{ profile: "corp" }]);
    await be.emit("role-picker", { profile: "corp", roles: ROLES, current: ROLES[0].role_arn, account_names: {} });
    expect(activeArn()).toBe(ROLES[0].role_arn);
  });
});
