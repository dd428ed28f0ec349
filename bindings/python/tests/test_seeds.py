"""The Python examples of the official remote-sessions page (shared/seeds), run against the
real CLI and the stand-in with only ``copilot`` replaced by ``copilot_core``.

The snippets are read from the seed page when it is there (``shared/`` beside the
repository); ``tests/seed_snippets/`` keeps a verbatim copy for machines without it, and
``test_committed_snippets_match_the_seed_page`` keeps the two in sync.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import CLI, REPO, TOKEN, Hermetic

from copilot_core import CopilotClient, PermissionHandler

SEED_PAGE = REPO.parent / "shared" / "seeds" / "remote-sessions.txt"
COMMITTED = Path(__file__).parent / "seed_snippets"
NAMES = ("always_on", "cloud", "on_demand")
LANGUAGES = {"TypeScript", "Python", "Go", "C#", "Rust"}
GITHUB_REPO = Path("/path/to/github-repo")  # the path the example uses, verbatim


def snippets_from_page(text: str) -> list[str]:
    """The code under each ``Python`` tab of the page, in order."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "Python":
            j = i + 1
            body: list[str] = []
            while j < len(lines) and lines[j].strip() not in LANGUAGES:
                body.append(lines[j])
                j += 1
            out.append("\n".join(body).strip("\n") + "\n")
            i = j
        else:
            i += 1
    return out


def snippets() -> dict[str, str]:
    if SEED_PAGE.exists():
        found = snippets_from_page(SEED_PAGE.read_text())
        assert len(found) == len(NAMES), found
        return dict(zip(NAMES, found))
    return {n: (COMMITTED / f"{n}.txt").read_text() for n in NAMES}


def only_the_import_changed(code: str) -> str:
    """``copilot`` -> ``copilot_core`` in import statements; nothing else is touched."""
    code = re.sub(r"^(\s*)from copilot(?=[\s.])", r"\1from copilot_core", code, flags=re.M)
    return re.sub(r"^(\s*)import copilot\b(?!_)", r"\1import copilot_core as copilot", code, flags=re.M)


async def run_snippet(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Runs page code (which uses top-level ``await``) inside a coroutine; returns the
    variables it defined."""
    body = textwrap.indent(code, "    ")
    src = f"async def __seed__():\n{body}\n    return locals()\n"
    exec(compile(src, "<seed>", "exec"), namespace)
    result = await namespace["__seed__"]()
    namespace.update(result)
    return result


def test_committed_snippets_match_the_seed_page() -> None:
    if not SEED_PAGE.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    for name, code in snippets().items():
        assert (COMMITTED / f"{name}.txt").read_text() == code, name


async def _wait_for_output(capsys: Any, needle: str, timeout: float = 30.0) -> str:
    seen = ""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        seen += capsys.readouterr().out
        if needle in seen:
            return seen
        await asyncio.sleep(0.05)
    raise AssertionError(f"{needle!r} not printed; got {seen!r}")


@pytest.fixture
def github_repo_dir() -> Any:
    """The example's working directory, made a git repository with a github.com origin
    (created for the test when absent, removed afterwards)."""
    created = not GITHUB_REPO.exists()
    if created:
        try:
            GITHUB_REPO.mkdir(parents=True)
        except OSError as e:
            pytest.skip(f"cannot create {GITHUB_REPO}: {e}")
    if not (GITHUB_REPO / ".git").exists():
        subprocess.run(["git", "init", "-q", str(GITHUB_REPO)], check=True)
        subprocess.run(
            ["git", "-C", str(GITHUB_REPO), "remote", "add", "origin", "https://github.com/github/copilot-sdk.git"],
            check=True,
        )
    try:
        yield GITHUB_REPO
    finally:
        if created:
            shutil.rmtree(Path("/path"), ignore_errors=True)


async def test_remote_sessions_page_python_examples(
    hermetic: Hermetic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github_repo_dir: Path
) -> None:
    # The example's CopilotClient() takes everything from the environment: the CLI, the
    # identity (GH_TOKEN) and our stand-in's URLs.
    for k, v in hermetic.state_env().items():
        monkeypatch.setenv(k, v)
    for k in ("GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.setenv("COPILOT_CLI_PATH", CLI)
    # Repository ids for github/copilot-sdk, so the CLI does not ask api.github.com.
    monkeypatch.setenv("COPILOT_MC_REPO_IDS", "1001,2002")

    code = snippets()
    ns: dict[str, Any] = {}
    try:
        # Always-on (client-level): the URL arrives on session.info and is printed.
        await run_snippet(only_the_import_changed(code["always_on"]), ns)
        out = await _wait_for_output(capsys, "Remote URL: https://github.com/")
        url = out.split("Remote URL: ", 1)[1].split()[0]
        assert url.startswith("https://github.com/github/copilot-sdk/tasks/")
        assert ns["session"].remote_url == url

        # On-demand toggle on the same session.
        await run_snippet(only_the_import_changed(code["on_demand"]), ns)
        out = await _wait_for_output(capsys, "Remote URL: https://github.com/")
        assert ns["result"].url == url
        assert ns["session"].remote_steerable is False  # disabled at the end of the example
    finally:
        client = ns.get("client")
        if isinstance(client, CopilotClient):
            await client.stop()


async def test_cloud_example_from_the_remote_sessions_page(
    hermetic: Hermetic, capsys: pytest.CaptureFixture[str]
) -> None:
    hermetic.standin.configure(worker_delay=1.0)
    code = snippets()["cloud"]
    async with hermetic.client() as client:
        # The page's snippet continues earlier ones: `client` and PermissionHandler exist.
        ns: dict[str, Any] = {"client": client, "PermissionHandler": PermissionHandler}
        await run_snippet(only_the_import_changed(code), ns)
        session = ns["session"]
        assert session.is_cloud
        task = hermetic.standin.tasks()[0]
        assert task["request"]["repositories"][0] == {"owner": "github", "name": "copilot-sdk"}
        deltas: list[str] = []
        session.on(lambda e: deltas.append(e.data.delta_content) if e.type == "assistant.message_delta" else None)
        # First send right away: the SDK waits for the cloud agent.
        reply = await session.send_and_wait("hello cloud", timeout=90)
        assert reply is not None and reply.data.content == "Hello from the cloud worker."
        assert "".join(deltas) == "Hello from the cloud worker."
        assert session.remote_url == f"https://github.com/github/copilot-sdk/tasks/{task['id']}"


def test_import_rewrite_only_touches_imports() -> None:
    code = "from copilot import X\nimport copilot\nx = 'from copilot import Y'\nfrom copilot.session import Z\n"
    assert only_the_import_changed(code) == (
        "from copilot_core import X\nimport copilot_core as copilot\nx = 'from copilot import Y'\n"
        "from copilot_core.session import Z\n"
    )
    assert os.path.basename(__file__) == "test_seeds.py"
