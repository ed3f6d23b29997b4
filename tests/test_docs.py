"""Docs tested against code: every command is in the README's tour, every input format in
docs/formats.md, every docs page in the docs index, every environment variable in
docs/settings.md."""

from __future__ import annotations

from pathlib import Path

from skywitness.cli.main import COMMANDS
from skywitness.sources import FORMATS

REPO = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c for c in COMMANDS if f"skywitness {c}" not in readme and f"`{c}`" not in readme]
    assert not missing, f"commands not described in README.md: {missing}"


def test_every_input_format_is_documented() -> None:
    formats = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for fmt in FORMATS:
        assert f"| `{fmt}` |" in formats, f"docs/formats.md lacks {fmt}"
        assert f"| `{fmt}` |" in readme, f"README.md inputs table lacks {fmt}"


def test_docs_index_lists_every_page() -> None:
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    for page in (REPO / "docs").glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not list {page.name}"


def test_every_environment_variable_is_documented() -> None:
    from skywitness import config

    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in config.ENVIRONMENT:
        assert f"`{name}`" in text, f"{name} missing from docs/settings.md"
    assert config.data_dir(None, {}) == Path("skywitness-data")
    assert config.data_dir(None, {config.DATA_DIR_ENV: "/srv/sky"}) == Path("/srv/sky")
    assert config.data_dir("here", {config.DATA_DIR_ENV: "/srv/sky"}) == Path("here")
    assert config.api_token({config.TOKEN_ENV: ""}) is None
    assert config.opensky_credentials({}) == ("", "")


def test_every_spark_engine_command_is_documented() -> None:
    """The commands ``--engine spark`` runs are the ones docs/scale-out.md and the README name,
    and the manifest field a Spark pack adds is in scale-out.md's table."""
    from skywitness.spark.job import SPARK_COMMANDS

    scale = (REPO / "docs" / "scale-out.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [" ".join(w for w in key if w) for key in SPARK_COMMANDS]
    assert names == ["ingest", "flights rebuild", "investigate"]
    listed = "`ingest`, `flights rebuild` and `investigate`"
    assert listed in readme
    assert "`ingest`, `flights rebuild` (`--since` and `--until`\nrequired), `investigate`" in scale
    assert "| `engine` | only in a Spark pack" in scale
