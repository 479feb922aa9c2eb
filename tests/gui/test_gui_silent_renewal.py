"""Silent re-login in the real app (issue 4): ahead of the STS session's end the app signs in
again in a hidden login window with the IdP's cookies, and tells the user only when the IdP
wants them.

The IdP is the SSO front (tests/standins/sso.py) before a saml-idp that asserts
SessionDuration=120: the first visit gets a login form, the sign-in sets a session cookie, a
later visit with that cookie gets the auto-submitting SAMLResponse page at once (as Okta, Entra
or ADFS do). moto's STS sessions then last 120 s; with `refresh_before = "100s"` the app renews
at half the session's life (refresh.rs never renews sooner), 60 s after each sign-in; when a
renewal captures nothing, the scheduler's check comes at three quarters of the time left (45 s
later, sooner than scheduler.rs RENEW_TIMEOUT), before the session's end at 120 s.

  test_silent_renewal_shows_no_window      sign in once at the front's form; two renewals
      follow with the cookie, the same role, a fresh docker config; no window is mapped, the
      focus stays on the main window
  test_idp_wants_the_user_notification     the front's sessions are ended before the renewal:
      the hidden window loads the login form and stays hidden, closes after its bound (60 s), the
      "expires in 1 minute" notice with the "Log in" action reaches dunst; that action opens a
      visible login window (which the same probes see: the positive control)

  test_renewal_after_a_restart_uses_the_profiles_cookie_jar   without WebDriver, as users run
      the app (the login window then has the profile's own web data directory, which a WebDriver
      run replaces by the shared automated context): sign in at the form with xdotool, quit,
      start again with `--tray`; the renewal finds the session cookie WebKit kept on disk

What "no window shown" means here, with the evidence the tests keep (tests/artifacts/<test>/):
  X11       nothing is mapped: `xdotool search --onlyvisible --name '^Sign in · test ·
            Dockpass$'` is empty at every sample (every 0.2 s), and x11watch.py, which sees every
            top-level map on the X server however brief, records no map. The hidden login window
            gets no X11 window at all (GTK does not realize a window that is never shown), so
            even `xdotool search --name` without --onlyvisible finds none (samples.json).
  focus     XGetInputFocus stays on the main window the test focused first.
  WebDriver the hidden window IS a window handle (GET /window/handles lists it while it lives:
            under WebDriver the login window shares the automated web context). Switched to, it
            reports its URL and DOM, `document.visibilityState == "hidden"`, inner size 0x0, and
            a window rect of 520x720 (GTK's requested size, nothing mapped); switching does not
            map it. A WebDriver screenshot of it never returns (no paint): the tests take none.
"""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import datetime

from desktop import Dunst, PlainApp
from gui_support import ACCOUNT, DEV_ROLE, app_binary, ecr_host, is_aws_signin, profile_toml
from webdriver_client import WebDriverError, wait

LOGIN_TITLE = "^Sign in · test · Dockpass$"
MAIN_TITLE = "^Dockpass$"
REFRESH_BEFORE = 100   # s; with 120 s sessions: renew at half-life, 60 s after sign-in
RENEW_AFTER = 60       # max(SHORT_SESSION - REFRESH_BEFORE, SHORT_SESSION / 2)
CHECK_AFTER = 45       # min(RENEW_TIMEOUT, 3/4 of the 60 s left): the renewal's check
RENEW_BOUND = 60       # login.rs: a hidden renewal window is closed after this
RENEW_TIMEOUT = 90     # scheduler.rs: no renewal this long after it started -> notify
STALE_AUTH = base64.b64encode(b"AWS:stale-token-from-before").decode()


def rfc3339(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def write_profile(sandbox, sso, registry) -> None:
    toml = profile_toml("test", sso.url, role=DEV_ROLE, registry_aliases=[registry.host])
    # docker's config only: the test makes its entries stale and watches them renewed, and
    # skopeo would read the containers' auth file first.
    toml = toml.replace(f'role = "{DEV_ROLE}"\n',
                        f'role = "{DEV_ROLE}"\nrefresh_before = "{REFRESH_BEFORE}s"\ntargets = ["docker"]\n')
    assert f'refresh_before = "{REFRESH_BEFORE}s"' in toml
    sandbox.write_config(toml)


def sign_in_at_sso(gui, run, sso) -> float:
    """In the visible login window: the front's login form, user and password, Sign in; the
    window closes with the capture. Returns when the POST /login was answered (epoch)."""
    s = run.session
    handle = run.wait_window(sso.url, what="the login window at the SSO front")
    run.wait_loaded()
    s.wait_for("#username", 20, "the SSO front's login form").send_keys(sso.user)
    s.find("#password").send_keys(sso.password)
    gui.shot("1-sso-login-form", s)
    try:
        s.find("#sign-in").click()
    except WebDriverError as e:  # the window may close while the click waits
        if e.error != "no such window":
            raise
    seen = run.watch_until_closed(handle, timeout=30)
    assert not [u for u in seen if is_aws_signin(u)], f"the login window loaded AWS sign-in: {seen}"
    posts = [r for r in sso.requests() if r["method"] == "POST" and r["path"] == "/login"]
    assert [r["answer"] for r in posts] == ["saml"], posts
    return posts[0]["at"]


def focus_main_window(gui) -> int:
    """X input focus on the main window (as a user working in it); its X11 id."""
    mains = gui.x.windows("--onlyvisible", "--name", MAIN_TITLE)
    assert len(mains) == 1, mains
    gui.x.xdotool("windowfocus", "--sync", str(mains[0]), timeout=10)
    assert focused(gui) == mains[0]
    return mains[0]


def focused(gui) -> int | None:
    out = gui.x.xdotool("getwindowfocus", check=False).strip()
    return int(out) if out.isdigit() else None


class Samples:
    """What a user could see, sampled every `interval` while the test waits: visible login
    windows (xdotool --onlyvisible), X11 windows by that name at all, the input focus, and the
    WebDriver window handles (GET /window/handles only: never a switch, which could disturb)."""

    def __init__(self, gui, run):
        self.gui, self.run = gui, run
        self.rows: list[dict] = []

    def take(self) -> dict:
        x = self.gui.x
        try:
            handles = self.run.session.handles()
        except WebDriverError as e:
            handles = [f"error: {e.error}"]
        row = {"at": round(time.time(), 3),
               "visible_login": x.windows("--onlyvisible", "--name", LOGIN_TITLE),
               "login_x11": x.windows("--name", LOGIN_TITLE),
               "focus": focused(self.gui),
               "handles": handles}
        self.rows.append(row)
        return row

    def until(self, done, timeout: float, what: str, interval: float = 0.2):
        """Sample until done() (called after each sample) is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            row = self.take()
            v = done()
            if v:
                return v
            if time.monotonic() > deadline:
                self.save()
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; "
                                     f"last sample: {row}; {self.gui.log_tail()}")
            time.sleep(interval)

    def save(self) -> None:
        (self.gui.artifacts / "samples.json").write_text(json.dumps(self.rows, indent=1) + "\n")


DUNST_CLASS = ["Dunst", "Dunst"]  # dunst's notification window (override-redirect, never focused)


def assert_nothing_shown(samples: Samples, x11watch, since: float, main_x11: int,
                         allow_class: list[str] | None = None) -> None:
    """No login window was visible in any sample, nothing was mapped on the X server since
    `since` (x11watch; except windows of class `allow_class`), and the focus never left the
    main window."""
    assert x11watch.alive(), f"x11watch died: {x11watch.service.log_tail()}"
    shown = [r for r in samples.rows if r["visible_login"]]
    assert not shown, f"a login window was visible: {shown[:3]}"
    maps = [e for e in x11watch.events(since) if e["event"] == "map" and e.get("class") != allow_class]
    assert not maps, f"X11 windows were mapped while the app renewed: {maps}"
    focus = {r["focus"] for r in samples.rows}
    assert focus == {main_x11}, f"the input focus changed: {focus} (main window {main_x11})"
    changes = [e for e in x11watch.focus_changes(since) if e["window"] != main_x11]
    assert not changes, f"x11watch saw the focus move: {changes}"


def test_silent_renewal_shows_no_window(gui, sandbox, sso, moto, registry, image, x11watch):
    write_profile(sandbox, sso, registry)
    run = gui.launch("--login")
    s = run.session
    main = run.main_window()
    s.wait_for('[data-testid="session"]', 30, "the main window's session view", visible=True)
    signed_in = sign_in_at_sso(gui, run, sso)
    first = gui.wait_status("test", state="active", role_arn=DEV_ROLE)
    hosts = gui.wait_docker_host(ecr_host()) and gui.docker_hosts()
    assert registry.host in hosts, sorted(hosts)

    # moto's ECR tokens never change, so a rewrite with a fresh token would leave the file as
    # it was: make the entries stale (as an expired token's would be) to see them renewed.
    cfg_path = sandbox.docker_config_path
    doc = json.loads(cfg_path.read_text())
    for h in (ecr_host(), registry.host):
        doc["auths"][h]["auth"] = STALE_AUTH
    sandbox.write_docker_config(doc)
    stale = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert stale.returncode != 0, "skopeo worked with stale credentials: the check below would prove nothing"
    before = os.stat(cfg_path)

    main_x11 = focus_main_window(gui)
    s.switch_to(main)
    watch_from = time.time()
    samples = Samples(gui, run)
    gui.screen("2-signed-in")

    def renewals() -> list[dict]:
        return [r for r in sso.requests() if r["method"] == "GET" and r["path"] == "/aws" and r["at"] > signed_in]

    def status_changes() -> list[str]:
        # expires_at values seen so far (the CLI reads state.json; the app keeps secrets in memory)
        st = gui.status("test")
        assert st["role_arn"] == DEV_ROLE, st
        if st["expires_at"] not in seen_expiries:
            seen_expiries.append(st["expires_at"])
        return seen_expiries

    seen_expiries = [first["expires_at"]]
    tick = [0]

    def renewed_twice():
        tick[0] += 1  # the CLI once a second, the X11 and WebDriver probes every 0.2 s
        return tick[0] % 5 == 0 and len(status_changes()) >= 3

    # Two renewals: the second one is planned from the renewed session (the scheduler re-plans).
    samples.until(renewed_twice, RENEW_AFTER * 2 + 30, "two silent renewals (expires_at changing twice)")
    renewed = gui.status("test")
    samples.until(lambda: samples.rows[-1]["handles"] == [main], 30,
                  "the hidden login window to close after its capture")
    gui.shot("3-renewed-main-window", s)
    samples.save()

    assert_nothing_shown(samples, x11watch, watch_from, main_x11)

    # WebDriver: the hidden window was a handle while it lived (if a sample caught it), never two.
    extra = [[h for h in r["handles"] if h != main] for r in samples.rows]
    assert all(len(e) <= 1 for e in extra), "two login windows at once"
    gui.note(f"samples: {len(samples.rows)}; samples with the hidden window's handle: "
             f"{sum(1 for e in extra if e)}; X11 windows named like the login window in any sample: "
             f"{sorted({w for r in samples.rows for w in r['login_x11']})}")

    # The IdP: two visits with a valid session cookie, each answered with the SAMLResponse page,
    # about RENEW_AFTER s after the previous sign-in; no login form, no password again.
    visits = renewals()
    assert [(r["cookie"], r["answer"]) for r in visits[:2]] == [("valid", "saml")] * 2, visits
    assert not [r for r in sso.requests() if r["path"] == "/login" and r["at"] > signed_in]
    delay = visits[0]["at"] - signed_in
    assert RENEW_AFTER - 3 <= delay <= RENEW_AFTER + 10, f"the renewal came {delay:.1f}s after sign-in"
    gui.note(f"renewal visits {[round(v['at'] - signed_in, 1) for v in visits]} s after the sign-in")

    # STS: a new session for the same role, later; each renewal sent a fresh assertion.
    calls = moto.saml_calls()
    assert len(calls) >= 3 and {c["role_arn"] for c in calls} == {DEV_ROLE}, [c["role_arn"] for c in calls]
    assert len({c["assertion"] for c in calls}) == len(calls), "an assertion was re-used"
    assert renewed["role_arn"] == DEV_ROLE and renewed["account"] == ACCOUNT
    e0, e1, e2 = (rfc3339(e) for e in seen_expiries[:3])
    assert e0 < e1 < e2, seen_expiries
    assert rfc3339(renewed["expires_at"]) >= e2
    assert renewed["state"] in ("active", "expiring"), renewed

    # The docker config: replaced (atomically: a new inode), later, fresh entries; skopeo works.
    after = os.stat(cfg_path)
    assert after.st_ino != before.st_ino and after.st_mtime_ns > before.st_mtime_ns
    hosts = gui.docker_hosts()
    assert hosts[ecr_host()]["auth"] == hosts[registry.host]["auth"] != STALE_AUTH
    assert base64.b64decode(hosts[registry.host]["auth"]).decode() == f"AWS:{ACCOUNT}-auth-token"
    r = sandbox.skopeo("inspect", "--tls-verify=false", f"docker://{image['ref']}")
    assert r.returncode == 0, f"skopeo with the renewed docker config failed: {r.stderr}"
    assert json.loads(r.stdout)["Digest"] == image["digest"]


def test_idp_wants_the_user_notification(gui, sandbox, sso, moto, registry, x11watch, tmp_path):
    write_profile(sandbox, sso, registry)
    run = gui.launch("--login")
    s = run.session
    dunst = Dunst(tmp_path / "dunst", gui.x, run.driver.bus_address)
    try:
        _idp_wants_the_user(gui, run, s, dunst, sso, moto, x11watch)
    finally:
        dunst.stop()
        for name in ("dunst.log", "dbus-monitor.log"):
            try:
                (gui.artifacts / name).write_bytes((tmp_path / "dunst" / name).read_bytes())
            except OSError:
                pass


def _idp_wants_the_user(gui, run, s, dunst, sso, moto, x11watch) -> None:
    main = run.main_window()
    s.wait_for('[data-testid="session"]', 30, "the main window's session view", visible=True)
    signed_in = sign_in_at_sso(gui, run, sso)
    first = gui.wait_status("test", state="active", role_arn=DEV_ROLE)
    assert sso.invalidate_sessions() == 1  # the IdP now wants the user again
    main_x11 = focus_main_window(gui)
    s.switch_to(main)
    watch_from = time.time()
    samples = Samples(gui, run)

    # The renewal: a hidden login window (a new handle) that loads the login form, cookie refused.
    hidden = samples.until(lambda: [h for h in samples.rows[-1]["handles"] if h != main], RENEW_AFTER + 20,
                           "the hidden renewal window's handle")[0]
    opened = time.time()
    visit = samples.until(lambda: [r for r in sso.requests() if r["path"] == "/aws" and r["at"] > signed_in],
                          20, "the renewal's visit at the SSO front")[0]
    assert (visit["cookie"], visit["answer"]) == ("invalid", "form"), visit
    time.sleep(1.0)  # let it load and settle: nothing may be mapped
    gui.screen("2-hidden-window-at-login-form")

    # WebDriver's view of the hidden window (then back to the main window).
    s.switch_to(hidden)
    s.wait_for("#username", 10, "the login form in the hidden window")
    probe = s.execute("return {url: location.href, title: document.title, visibility: document.visibilityState,"
                      " hidden: document.hidden, focus: document.hasFocus(),"
                      " inner: [window.innerWidth, window.innerHeight]}")
    rect = s.cmd("GET", "/window/rect")
    s.switch_to(main)
    gui.note(f"hidden window through WebDriver: {probe}; rect {rect}")
    (gui.artifacts / "hidden-window-webdriver.json").write_text(json.dumps({"probe": probe, "rect": rect}, indent=1))
    assert probe["url"] == sso.url and probe["title"] == "Sign in · Test SSO"
    assert probe["visibility"] == "hidden" and probe["hidden"] is True and probe["focus"] is False, probe
    assert probe["inner"] == [0, 0], probe
    samples.take()
    assert not samples.rows[-1]["visible_login"], "switching to the hidden window mapped it"

    # The scheduler's check, CHECK_AFTER after the renewal started: the notice with "Log in".
    notice = samples.until(lambda: [n for n in dunst.notifies() if "expires in" in n["summary"]],
                           CHECK_AFTER + 20, "the expiring notice")[0]
    noticed = time.time()
    gui.screen("3-notification")
    assert notice["app"] == "Dockpass"
    assert notice["summary"] == "Dockpass: test expires in 1 minute", notice
    assert "sign in" in notice["body"].lower() and "test" in notice["body"], notice
    assert notice["actions"] == ["login", "Log in"], notice
    since_renewal = noticed - visit["at"]
    assert CHECK_AFTER - 3 <= since_renewal <= CHECK_AFTER + 10, f"notice {since_renewal:.0f}s after the renewal"

    # Nothing captured: after its bound the window closes, nothing visible meanwhile.
    samples.until(lambda: hidden not in samples.rows[-1]["handles"], RENEW_BOUND - CHECK_AFTER + 20,
                  "the hidden window to close after its bound")
    lived = time.time() - opened
    assert RENEW_BOUND - 5 <= lived <= RENEW_BOUND + 15, f"the hidden window lived {lived:.0f}s"
    samples.save()
    assert_nothing_shown(samples, x11watch, watch_from, main_x11, allow_class=DUNST_CLASS)
    gui.note(f"renewal {visit['at'] - signed_in:.1f}s after sign-in; hidden window lived {lived:.1f}s; "
             f"notice {since_renewal:.1f}s after the renewal started")

    # Nothing was renewed: one STS call, the first session as it was; no password was posted.
    assert len(moto.saml_calls()) == 1
    assert gui.status("test")["expires_at"] == first["expires_at"]
    assert not [r for r in sso.requests() if r["method"] == "POST" and r["at"] > signed_in]
    # The session's end: a notice replacing this one may follow; it must not come from a window.

    # Positive control: the notice's "Log in" opens a visible login window, which the same
    # probes see at once.
    before_action = time.time()
    for _ in range(3):  # dunst sends ActionInvoked to the sender once it listens: retry briefly
        dunst.action(0)
        try:
            wait(lambda: gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 5, "a visible login window")
            break
        except AssertionError:
            continue
    visible = gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE)
    assert visible, f"the notice's Log in action showed no login window; notices: {dunst.notifies()}"
    # x11watch writes its log as events arrive: give the map a moment to reach the file.
    def login_maps():
        return [e for e in x11watch.events(before_action)
                if e["event"] == "map" and e.get("name") == LOGIN_TITLE.strip("^$")]
    try:
        wait(login_maps, 5, "x11watch to record the login window's map")
    except AssertionError:
        raise AssertionError(f"x11watch did not see the login window mapped: {x11watch.events(before_action)}") from None
    # It loads the front's login form (the sessions are still over); then a picture of it.
    wait(lambda: [r for r in sso.requests() if r["path"] == "/aws" and r["at"] > before_action], 20,
         "the visible login window's visit at the SSO front")
    run.wait_window(sso.url, what="the visible login window as a handle")
    run.wait_loaded()
    gui.shot("4-login-window-after-log-in-action", s)
    gui.x.window_shot(visible[0], gui.artifacts / "4-login-window-after-log-in-action.x11.png")


def test_renewal_after_a_restart_uses_the_profiles_cookie_jar(gui, sandbox, sso, moto, registry, x11watch):
    write_profile(sandbox, sso, registry)
    env = gui.env
    first = PlainApp(gui.binary, ["--login"], env, gui.artifacts / "app-first.log")
    try:
        window = wait(lambda: gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 30, "the login window")[0]
        wait(lambda: [r for r in sso.requests() if r["path"] == "/aws"], 20, "the login form's visit")
        # The form's user field has autofocus; type as a user would once the page has painted.
        time.sleep(1.5)
        gui.x.xdotool("windowfocus", "--sync", str(window))
        gui.x.window_shot(window, gui.artifacts / "1-login-form.x11.png")
        gui.x.xdotool("type", "--delay", "15", sso.user)
        gui.x.xdotool("key", "Tab")
        gui.x.xdotool("type", "--delay", "15", sso.password)
        gui.x.xdotool("key", "Return")
        post = wait(lambda: [r for r in sso.requests() if r["path"] == "/login"], 20, "the form's POST /login",
                    lambda: f"; requests: {sso.requests()}")[0]
        assert post["answer"] == "saml", post
        signed_in = post["at"]
        before = gui.wait_status("test", state="active", role_arn=DEV_ROLE)
        wait(lambda: not gui.x.windows("--onlyvisible", "--name", LOGIN_TITLE), 20, "the login window to close")
    finally:
        first.stop()
    # WebKit kept the session cookie in the profile's web data directory.
    jar = sandbox.data_home / "dockpass" / "webview" / "test" / "cookies"
    assert jar.is_file() and b"sso_session" in jar.read_bytes(), \
        f"no sso_session cookie in {jar}: {sorted(p.name for p in jar.parent.iterdir()) if jar.parent.exists() else '-'}"

    restarted = time.time()
    again = PlainApp(gui.binary, ["--tray"], env, gui.artifacts / "app-again.log")
    try:
        visit = wait(lambda: [r for r in sso.requests() if r["path"] == "/aws" and r["at"] > restarted], RENEW_AFTER + 20,
                     "the renewal's visit after the restart", lambda: f"; app log: {again.service.log_tail()}")[0]
        assert (visit["cookie"], visit["answer"]) == ("valid", "saml"), visit
        renewed = wait(lambda: (st := gui.status("test"))["expires_at"] != before["expires_at"] and st, 20,
                       "the renewed session in state.json")
        gui.screen("2-after-renewal")
    finally:
        again.stop()
    assert renewed["role_arn"] == DEV_ROLE and rfc3339(renewed["expires_at"]) > rfc3339(before["expires_at"])
    assert visit["at"] - signed_in <= RENEW_AFTER + 10
    assert [c["role_arn"] for c in moto.saml_calls()] == [DEV_ROLE, DEV_ROLE]
    maps = [e for e in x11watch.events(restarted) if e["event"] == "map"]
    (gui.artifacts / "maps-after-restart.json").write_text(json.dumps(maps, indent=1))
    assert not [m for m in maps if m.get("name") == LOGIN_TITLE.strip("^$") or m.get("class") == ["dockpass-app", "Dockpass-app"]], maps
