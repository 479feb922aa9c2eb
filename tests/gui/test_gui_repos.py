"""The repository browser in the real app: after a sign-in the session view lists the
repositories of every registry (moto, two regions), filters them, loads a repository's images
on demand and copies the exact `docker pull` command to the X clipboard."""

from __future__ import annotations

import json
import subprocess

from gui_support import ACCOUNT, DEV_ROLE, REGION, profile_toml
from webdriver_client import wait

WEST = "eu-west-1"

MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
               "digest": "sha256:" + "a" * 64},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                "digest": "sha256:" + "b" * 64}],
})


def set_select(s, testid: str, value: str) -> None:
    s.execute("var e = document.querySelector('[data-testid=\"' + arguments[0] + '\"]');"
              "e.value = arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true}));",
              testid, value)


def count(s) -> tuple[int, int]:
    e = s.find('[data-testid="repos-count"]')
    return int(e.attribute("data-shown")), int(e.attribute("data-total"))


def clipboard(display: str) -> str:
    r = subprocess.run(["xclip", "-selection", "clipboard", "-o"], env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True, timeout=10)
    return r.stdout if r.returncode == 0 else ""


def test_repository_browser_lists_filters_and_copies(gui, pages, sandbox, idp, moto, registry):
    east = moto.client_as(ACCOUNT, "ecr", REGION)
    west = moto.client_as(ACCOUNT, "ecr", WEST)
    for i in range(12):
        east.create_repository(repositoryName=f"team/svc-{i:02}")
    for i in range(8):
        west.create_repository(repositoryName=f"data/job-{i:02}")
    east.put_image(repositoryName="team/svc-03", imageManifest=MANIFEST, imageTag="v1.2.3")

    page = pages.publish("submit", trigger="server", saml_response=idp.saml_response(), submit_with="submit")
    sandbox.write_config(
        profile_toml("test", page.url, role=DEV_ROLE, registry_aliases=[registry.host])
        + f'\n[[profile.registry]]\nregion = "{WEST}"\n')
    run = gui.launch("--login")
    s = run.session
    run.main_window()
    s.wait_for('[data-testid="session"]', 30, "the session view", visible=True)
    page.release()
    gui.wait_status("test", "active", DEV_ROLE)

    s.wait_for('[data-testid="repos"]', 30, "the repository browser", visible=True)
    wait(lambda: s.find_all('[data-testid="repo-row"]') and count(s) == (20, 20), 30,
         "20 repositories from two regions", lambda: f" (count {count(s) if s.find_all('[data-testid=repos-count]') else None})")
    rows = s.find_all('[data-testid="repo-row"]')
    regs = {r.attribute("data-registry") for r in rows}
    assert regs == {f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com", f"{ACCOUNT}.dkr.ecr.{WEST}.amazonaws.com"}

    s.find('[data-testid="repos-search"]').send_keys("svc-0")
    wait(lambda: count(s) == (10, 20), 10, "the search to narrow to svc-00..09")
    s.execute("var e = document.querySelector('[data-testid=repos-search]');"
              "e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true}));")
    wait(lambda: count(s) == (20, 20), 10, "the search to clear")
    set_select(s, "repos-filter-region", WEST)
    wait(lambda: count(s) == (8, 20), 10, "the region filter")
    assert all(r.attribute("data-name").startswith("data/job-") for r in s.find_all('[data-testid="repo-row"]'))
    set_select(s, "repos-filter-region", "")
    set_select(s, "repos-filter-registry", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com")
    wait(lambda: count(s) == (12, 20), 10, "the registry filter")

    s.find('[data-testid="repo-row"][data-name="team/svc-03"] [data-testid="repo-toggle"]').click()
    img = s.wait_for('[data-testid="repo-row"][data-name="team/svc-03"] [data-testid="image-row"]', 20,
                     "the image of team/svc-03")
    assert img.attribute("data-digest").startswith("sha256:")
    button = s.find('[data-testid="repo-row"][data-name="team/svc-03"] [data-testid="copy-pull"]')
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/svc-03"
    assert button.attribute("data-command") == f"docker pull {uri}:v1.2.3"
    gui.shot("repository-browser", s)
    button.click()
    wait(lambda: clipboard(gui.env["DISPLAY"]) == f"docker pull {uri}:v1.2.3", 10,
         "the pull command in the X clipboard", lambda: f" (clipboard: {clipboard(gui.env['DISPLAY'])!r})")
    gui.shot("repository-browser-copied", s)

    # The list is cached for the session; Refresh fetches again (a repository created since shows).
    east.create_repository(repositoryName="team/new-one")
    s.find('[data-testid="repos-refresh"]').click()
    wait(lambda: count(s)[1] == 21, 20, "the refreshed list")
