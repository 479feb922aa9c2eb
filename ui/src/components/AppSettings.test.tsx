import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { fakeBackend } from "../test/backend";

describe("start at login in the settings", () => {
  it("shows the backend's state and turns it on and off at once", async () => {
    let on = false;
    const be = fakeBackend({ handlers: { autostart_get: () => on, autostart_set: (a) => (on = a.enabled as boolean) } });
    render(<App />);
    await screen.findByTestId("session");
    fireEvent.click(screen.getByTestId("tab-settings"));
    const box = screen.getByTestId("autostart-toggle") as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(() => expect(be.argsOf("autostart_set")).toEqual([{ enabled: true }]));
    await waitFor(() => expect((screen.getByTestId("autostart-toggle") as HTMLInputElement).checked).toBe(true));
    // app-wide: not a change of the profile
    expect((screen.getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId("autostart-toggle"));
    await waitFor(() => expect(be.argsOf("autostart_set")).toEqual([{ enabled: true }, { enabled: false }]));
    expect(be.argsOf("config_save")).toEqual([]);
  });

  it("a failure is shown and the box shows the real state", async () => {
    const be = fakeBackend({
      handlers: {
        autostart_get: () => false,
        autostart_set: () => {
          throw { code: "io", message: "cannot write ~/.config/autostart/dockpass.desktop: permission denied" };
        },
      },
    });
    render(<App />);
    await screen.findByTestId("session");
    fireEvent.click(screen.getByTestId("tab-settings"));
    const box = screen.getByTestId("autostart-toggle") as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    fireEvent.click(box);
    expect((await screen.findByTestId("autostart-error")).textContent).toContain("permission denied");
    expect((screen.getByTestId("autostart-toggle") as HTMLInputElement).checked).toBe(false);
    expect(be.argsOf("autostart_set")).toHaveLength(1);
  });

  it("follows a change made from the tray when the window gets the focus back", async () => {
    let on = false;
    fakeBackend({ handlers: { autostart_get: () => on } });
    render(<App />);
    await screen.findByTestId("session");
    fireEvent.click(screen.getByTestId("tab-settings"));
    const box = () => screen.getByTestId("autostart-toggle") as HTMLInputElement;
    await waitFor(() => expect(box().disabled).toBe(false));
    expect(box().checked).toBe(false);
    on = true; // the tray's "Start at login"
    fireEvent.focus(window);
    await waitFor(() => expect(box().checked).toBe(true));
  });
});
