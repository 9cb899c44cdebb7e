"""Compiled templates are kept between processes (pipeline/template_cache.py): a warm cache compiles nothing
and renders the same text, an edited template is compiled afresh, and a damaged, foreign or unwritable
cache costs a compile, never a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from pipeline.narrate import prompts
from pipeline.render import env as render_env
from pipeline.render.html import render_html
from pipeline.render.markdown import render_markdown
from pipeline.template_cache import TEMPLATES_FOLDER, TemplateBytecodeCache, template_bytecode_cache
from tests.report.factory import make_report


def _fresh_environments() -> None:
    render_env.environment.cache_clear()
    prompts._environment.cache_clear()


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "cache"))
    _fresh_environments()
    yield tmp_path / "cache"
    _fresh_environments()  # later tests get environments without this test's cache folder


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Names of the templates Jinja compiles from source (a cache hit compiles nothing)."""
    names: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: str, name: str | None = None, *a: object, **k: object
    ) -> object:
        names.append(name)
        return real(self, source, name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def test_a_warm_cache_compiles_nothing_and_renders_the_same(
    cache_root: Path, compiles: list[str | None]
) -> None:
    report = make_report()
    cold = (render_markdown(report), render_html(report))
    assert {"report.md.j2", "report.html.j2"} <= set(compiles)
    assert len(list((cache_root / TEMPLATES_FOLDER).iterdir())) >= 2
    compiles.clear()
    _fresh_environments()  # what a new process starts with
    warm = (render_markdown(report), render_html(report))
    assert compiles == []
    assert warm == cold


def test_prompt_templates_are_cached_but_an_override_folder_is_not(
    cache_root: Path, tmp_path: Path, compiles: list[str | None]
) -> None:
    names = [n for spec in prompts.written_sections() for n in (spec.system_template, spec.user_template)]
    for n in names:
        prompts._environment(None).get_template(n)
    assert compiles == names
    _fresh_environments()
    compiles.clear()
    for n in names:
        prompts._environment(None).get_template(n)
    assert compiles == []
    override = tmp_path / "prompts"
    override.mkdir()
    (override / names[0]).write_text("mine {{ section }}")
    before = set((cache_root / TEMPLATES_FOLDER).iterdir())
    assert prompts._environment(str(override)).get_template(names[0]).render(section="s") == "mine s"
    assert compiles == [names[0]]
    assert set((cache_root / TEMPLATES_FOLDER).iterdir()) == before  # nothing of the user's was stored


def _env(folder: Path, cache: jinja2.BytecodeCache | None) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=cache)


def test_an_edited_template_is_compiled_afresh(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    cache = TemplateBytecodeCache(str(tmp_path / "c"))
    (tmp_path / "c").mkdir()
    (tmp_path / "t" / "a.j2").write_text("one {{ x }}")
    assert _env(tmp_path / "t", cache).get_template("a.j2").render(x=1) == "one 1"
    (tmp_path / "t" / "a.j2").write_text("two {{ x }}")
    assert _env(tmp_path / "t", cache).get_template("a.j2").render(x=1) == "two 1"


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_cache_file_is_a_miss(tmp_path: Path, damage: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "t" / "a.j2").write_text("hello {{ x }}")
    cache = TemplateBytecodeCache(str(tmp_path / "c"))
    _env(tmp_path / "t", cache).get_template("a.j2")
    [stored] = list((tmp_path / "c").iterdir())
    data = stored.read_bytes()
    stored.write_bytes(
        {"truncated": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b""}[damage]
    )
    assert _env(tmp_path / "t", cache).get_template("a.j2").render(x=2) == "hello 2"


def test_an_unwritable_cache_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "t" / "a.j2").write_text("hi {{ x }}")

    def full_disk(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", full_disk)
    cache = TemplateBytecodeCache(str(tmp_path / "c"))
    assert _env(tmp_path / "t", cache).get_template("a.j2").render(x=3) == "hi 3"
    assert list((tmp_path / "c").iterdir()) == []


def test_a_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading bytecode runs it: a cache folder another user can write to would run their code."""
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path))
    folder = tmp_path / TEMPLATES_FOLDER
    assert template_bytecode_cache() is not None and (folder.stat().st_mode & 0o777) == 0o700
    folder.chmod(0o777)
    assert template_bytecode_cache() is None
    folder.chmod(0o700)
    assert template_bytecode_cache() is not None
    folder.rmdir()
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    assert template_bytecode_cache() is None  # a symlink is not this user's own folder
    (tmp_path / "blocked").write_text("a file where the folder should be")
    monkeypatch.setenv("STOCKREPORT_CACHE", str(tmp_path / "blocked"))
    assert template_bytecode_cache() is None
