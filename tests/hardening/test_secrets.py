"""Secrets: a recognisable fake key set in the environment never lands in a file, a log line or an error.

`stockreport -v generate` runs as a subprocess against the local model server (which checks the key
arrived as a Bearer header), once succeeding with the answer cache on, once failing with a 401 whose body
echoes the key back (as some proxies do). Every file written under the run's folders (reports, the SQLite
cache, manifests) and the captured stdout/stderr (debug logs included) are searched for the key.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import markupsafe
import pytest

from pipeline.render.markdown_escape import md, md_inline
from pipeline.render.pdf import find_chromium
from tests.hardening.model_server import ModelServer
from tests.hardening.support import BUNDLES, REPO, files_under
from tests.support.answer_fit import append_within_limits

KEY = "sk-test-SECRETSECRETSECRET1234567890"
NEEDLES = (KEY, "SECRETSECRETSECRET", KEY[-12:])


def _run(
    args: list[str], home: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI", "STOCKREPORT")) and k not in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    }
    env |= {
        "OPENAI_API_KEY": KEY,
        "OPENAI_COMPATIBLE_API_KEY": KEY,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "STOCKREPORT_CACHE": str(home / "cache"),
        "PYTHONPATH": str(REPO),
    } | (extra or {})
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--verbose", *args],
        capture_output=True,
        timeout=120,
        env=env,
        cwd=home,
    )


def _leaks(home: Path, proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    found = []
    for path in files_under(home):
        data = path.read_bytes()
        found += [f"{path}: {n!r}" for n in NEEDLES if n.encode() in data or n.encode("utf-16-le") in data]
    for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        found += [f"{name}: {n!r}" for n in NEEDLES if n.encode() in stream]
    return found


@pytest.mark.slow  # spawns a stockreport process
@pytest.mark.parametrize("case", ["success", "401 echoes the key", "batch 400"])
def test_key_never_written_or_printed(case: str, tmp_path: Path) -> None:
    error = None
    if case == "401 echoes the key":
        error = (
            401,
            {
                "error": {
                    "message": f"Incorrect API key provided: {KEY}. Authorization: Bearer {KEY}",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
        )
    elif case == "batch 400":
        error = (400, {"error": {"message": f"upstream said: headers={{'authorization': 'Bearer {KEY}'}}"}})
    with ModelServer(error_reply=error) as server:
        command = "batch" if case.startswith("batch") else "generate"
        args = [
            command,
            str(BUNDLES / "AAPL"),
            "--model",
            "openai-compatible:stub",
            "--base-url",
            server.base_url,
            "--timeout",
            "5",
            "--out",
            str(tmp_path / "out"),
        ]
        if command == "batch":
            args.append("--no-progress")
        proc = _run(args, tmp_path)
    assert server.auth_headers > 0  # the key was used (from the environment) ...
    stderr = proc.stderr.decode()
    if case == "success":
        assert proc.returncode == 0, stderr
        assert (tmp_path / "out" / "AAPL" / "report.json").is_file()
        assert "DEBUG" in stderr  # --verbose did log
        assert any(
            p.suffix in (".db", ".sqlite", ".sqlite3") or "cache" in str(p) for p in files_under(tmp_path)
        )
    else:
        # --verbose shows library debug logs (openai logs its own handled exceptions); the user-facing
        # outcome is still one clean line per failure at the end.
        assert proc.returncode == 1, stderr
        assert "error" in stderr.splitlines()[-1].lower() or "failed" in stderr.lower(), stderr[-2000:]
    assert _leaks(tmp_path, proc) == []  # ... and never shown or stored


PASSWORD = "Pr0xyPassw0rd-URL"


@pytest.mark.parametrize(
    "case",
    [
        "generate 401 echoes the credentials",
        "batch 401 echoes the credentials",
        "success",
        "OPENAI_BASE_URL 401",
    ],
)
def test_url_credentials_never_written_or_printed(case: str, tmp_path: Path) -> None:
    """Credentials in the server URL (`http://alice:PASS@host/v1`) are a secret like the key (review finding
    12): a proxy echoing them (with or without the URL around them), --verbose logs, the manifest, the
    reports and the answer cache never hold the password. The cache key leaves them out: a second run with
    other credentials for the same server is answered from the cache."""
    error = None
    if "401" in case:
        error = (
            401,
            {
                "error": {
                    "message": f"bad auth for proxy user alice:{PASSWORD} at "
                    f"http://alice:{PASSWORD}@proxy.internal/v1",
                    "type": "auth",
                }
            },
        )
    with ModelServer(error_reply=error) as server:
        url = server.base_url.replace("http://", f"http://alice:{PASSWORD}@")
        command = "batch" if case.startswith("batch") else "generate"
        args = [command, str(BUNDLES / "AAPL"), "--timeout", "5", "--out", str(tmp_path / "out")]
        if case.startswith("OPENAI_BASE_URL"):
            args += ["--model", "openai:gpt-5.2"]
        else:
            args += ["--model", "openai-compatible:stub", "--base-url", url]
        if command == "batch":
            args.append("--no-progress")
        env = {"OPENAI_BASE_URL": url} if case.startswith("OPENAI_BASE_URL") else {}
        proc = _run(args, tmp_path, env)
        if case == "success":
            first = sum(server.counts.values())
            other = server.base_url.replace("http://", "http://bob:An0therPassw0rd@")
            again = _run([*args[:-2], "--base-url", other, "--out", str(tmp_path / "out2")], tmp_path)
            assert again.returncode == 0, again.stderr.decode()[-2000:]
            assert sum(server.counts.values()) == first  # same endpoint, other credentials: cached
    stderr = proc.stderr.decode()
    assert proc.returncode == (0 if case == "success" else 1), stderr[-2000:]
    assert server.counts  # the server was reached through the URL with credentials
    found = [f"{p}" for p in files_under(tmp_path) if PASSWORD.encode() in p.read_bytes()]
    found += [
        name
        for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr))
        if PASSWORD.encode() in stream
    ]
    assert found == []
    if "401" in case:
        assert "alice:[redacted]" not in stderr and "[redacted]" in stderr  # masked as a whole


def test_fixtures_hold_no_keys() -> None:
    """No committed fixture carries something shaped like a live API key."""
    import re

    shape = re.compile(
        rb"\b(sk-(?:proj-)?[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_\-]{35}|sk-ant-[A-Za-z0-9_\-]{20,})"
    )
    hits = [str(p) for p in files_under(REPO / "fixtures") if shape.search(p.read_bytes())]
    assert hits == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Incorrect API key provided: {KEY}.", "Incorrect API key provided: [redacted]."),
        ("Authorization: Bearer abcdefghijklmnop1234", "Authorization: Bearer [redacted]"),
        ("key sk-ant-api03-abcdefghijklmnopqrstuv here", "key [redacted] here"),
        ("my-custom-token-value-xyz leaked", "[redacted] leaked"),
        ("revenue grew 24% to RMB 2.35 billion", "revenue grew 24% to RMB 2.35 billion"),
        ("GET http://u:p@10.0.0.1:8080/v1/chat", "GET http://[redacted]@10.0.0.1:8080/v1/chat"),
        ("proxy https://bob:s3cr%40t@proxy/ failed", "proxy https://[redacted]@proxy/ failed"),
        ("echo alice:Pr0xyPassw0rd and Pr0xyPassw0rd", "echo [redacted] and [redacted]"),
        ("ir@example.com https://example.com/a@b x", "ir@example.com https://example.com/a@b x"),
    ],
)
def test_redact(text: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.errors import StockreportError
    from pipeline.redact import redact

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", "my-custom-token-value-xyz")
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:Pr0xyPassw0rd@proxy.internal:3128")
    assert redact(text) == expected
    assert str(StockreportError(text)) == expected


# A project key (underscores: the Markdown writer escapes them) and a non-key-shaped secret with characters
# that JSON, HTML, Markdown and URLs each spell differently.
PROJECT_KEY = "sk-proj-Alpha7Bravo_Charlie8Delta_Echo9Foxtrot"
ODD_TOKEN = 'tok_"Qx7Zeta"<b>&amp_Kappa9Lambda_42 x/y+z'


def _pieces(secret: str) -> list[str]:
    """The runs of letters and digits of a secret that no escaping changes: if one is in the output, it leaked."""
    return [p for p in re.findall(r"[A-Za-z0-9]{6,}", secret) if not p.isalpha() or len(p) > 8]


@pytest.mark.parametrize(
    "writer",
    [
        json.dumps,
        lambda v: json.dumps(v, ensure_ascii=False),
        html.escape,
        lambda v: str(markupsafe.escape(v)),
        md,
        md_inline,
        lambda v: quote(v, safe=""),
        quote_plus,
    ],
    ids=["json", "json-utf8", "html", "jinja", "md", "md-inline", "url", "url-plus"],
)
@pytest.mark.parametrize("secret", [PROJECT_KEY, ODD_TOKEN], ids=["project-key", "odd-token"])
def test_a_secret_is_masked_in_every_written_form(
    writer: Any, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.redact import redact

    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", PROJECT_KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", ODD_TOKEN)
    written = writer(f"before {secret} after")
    assert any(p in written for p in _pieces(secret))  # the check below is not blind
    masked = redact(written)
    assert [p for p in _pieces(secret) if p in masked] == [], masked
    assert "before" in masked and "after" in masked


@pytest.mark.slow  # spawns a stockreport process
def test_a_model_echoing_secrets_in_its_prose_leaks_them_into_no_format(tmp_path: Path) -> None:
    """Through `stockreport generate`: the model writes the key and a token into every prose field (an echo,
    a prompt injection); report.json, report.md and report.html spell them escaped, and each is masked."""
    sentence = f"The key is {PROJECT_KEY} and the token {ODD_TOKEN}."

    def echo(answer: dict[str, Any]) -> dict[str, Any]:
        return append_within_limits(answer, lambda key: [sentence])[0]

    with ModelServer(transform=echo) as server:
        args = ["generate", str(BUNDLES / "AAPL"), "--model", "openai-compatible:stub", "--base-url"]
        args += [server.base_url, "--no-cache", "--out", str(tmp_path / "out")]
        args += ["--format", "json", "--format", "md", "--format", "html"]
        proc = _run(args, tmp_path, {"OPENAI_COMPATIBLE_API_KEY": PROJECT_KEY, "MY_SERVICE_TOKEN": ODD_TOKEN})
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    report = tmp_path / "out" / "AAPL"
    assert {"report.json", "report.md", "report.html"} <= {p.name for p in report.iterdir()}
    for name in ("report.json", "report.md", "report.html"):  # the echo reached every format, masked
        assert "redacted" in (report / name).read_text(), name
    leaks = []
    for path in files_under(tmp_path):
        data = path.read_bytes()
        leaks += [
            f"{path.name}: {p}" for s in (PROJECT_KEY, ODD_TOKEN) for p in _pieces(s) if p.encode() in data
        ]
    leaks += [
        f"std: {p}"
        for s in (PROJECT_KEY, ODD_TOKEN)
        for p in _pieces(s)
        if p.encode() in proc.stdout + proc.stderr
    ]
    assert leaks == []


def _json_u_escapes(v: str) -> str:
    return "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in v)


def _entities(v: str) -> str:
    return "".join(c if c.isalnum() else f"&#{ord(c)};" for c in v)


def _zero_width_every_5(v: str) -> str:
    return "\u200b".join(v[i : i + 5] for i in range(0, len(v), 5))


@pytest.mark.parametrize(
    "spell",
    [
        lambda v: f"{v[:20]}. And later: {v[20:]}",  # split in two
        lambda v: repr({"message": f'it\'s "{v}"'}),  # an SDK's repr of an error body
        _json_u_escapes,
        lambda v: quote(v, safe="").lower(),
        _entities,
        lambda v: json.dumps(json.dumps(v)),  # JSON inside a JSON string (a recorded answer)
        lambda v: v.upper(),
        lambda v: v[5:-5],  # a fragment
    ],
    ids=["split", "repr", "json-u", "url-lower", "entities", "double-json", "upper", "fragment"],
)
@pytest.mark.parametrize("secret", [PROJECT_KEY, ODD_TOKEN], ids=["project-key", "odd-token"])
def test_any_spelling_keeps_no_random_looking_stretch_of_a_secret(
    spell: Any, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escapings touch punctuation, never letters and digits: every 8-character stretch of a secret's
    letter-digit runs that looks random is masked however the rest is spelled (review of 583381f)."""
    from pipeline.redact import redact

    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", PROJECT_KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", ODD_TOKEN)
    written = spell(secret)
    stretches = [r[i : i + 8] for r in re.findall(r"[A-Za-z0-9]+", secret) for i in range(len(r) - 7)]
    stretches = [s for s in stretches if re.search(r"\d", s) and re.search(r"[A-Za-z]", s)]
    assert any(s.lower() in written.lower() for s in stretches)  # the check below is not blind
    masked = redact(written).lower()
    assert [s for s in stretches if s.lower() in masked] == [], masked


def test_a_zero_width_character_inside_a_secret_hides_at_most_its_neighbours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.redact import redact

    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", PROJECT_KEY)
    masked = redact(_zero_width_every_5(PROJECT_KEY) + " " + PROJECT_KEY[3:-3].replace("_", "\u00ad"))
    for piece in ("Charlie8Delta", "Echo9Foxtrot", "e8Delta"):
        assert piece not in masked.replace("\u200b", ""), masked


def test_words_and_numbers_inside_a_password_are_not_masked_in_a_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only random-looking stretches count: a password made of a word and a year masks itself, not the word,
    the year or a figure elsewhere."""
    from pipeline.redact import redact

    monkeypatch.setenv("DB_PASSWORD", "myinvestment2024")
    monkeypatch.setenv("MY_PIN_TOKEN", "7391462805")
    text = "Investment returns rose in 2024 to 7,391,462,805 units (7391462805.0)."
    assert redact(text) == text
    assert redact("pass myinvestment2024 end") == "pass [redacted] end"


@pytest.mark.slow  # spawns stockreport processes
@pytest.mark.parametrize("command", ["pdf only", "record"])
def test_an_echoed_secret_reaches_neither_a_pdf_nor_a_recording(command: str, tmp_path: Path) -> None:
    """`--format pdf` alone prints from a throwaway HTML file, and `record` stores raw answers meant to be
    committed: both held the secret the model echoed (a whole token, double-escaped, in the recording)."""
    if command == "pdf only" and shutil.which("chromium") is None and not find_chromium():
        pytest.skip("Chromium is not installed")
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 is not installed")
    sentence = f"The key is {PROJECT_KEY} and the token {ODD_TOKEN}."

    def echo(answer: dict[str, Any]) -> dict[str, Any]:
        return append_within_limits(answer, lambda key: [sentence])[0]

    out = tmp_path / "out"
    with ModelServer(transform=echo) as server:
        args = ["--model", "openai-compatible:stub", "--base-url", server.base_url, "--out", str(out)]
        if command == "record":
            args = ["record", str(BUNDLES / "AAPL"), *args]
        else:
            args = ["generate", str(BUNDLES / "AAPL"), *args, "--no-cache", "--format", "pdf"]
        proc = _run(args, tmp_path, {"OPENAI_COMPATIBLE_API_KEY": PROJECT_KEY, "MY_SERVICE_TOKEN": ODD_TOKEN})
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in files_under(tmp_path) if p.suffix != ".pdf"]
    for pdf_path in out.rglob("*.pdf"):
        pdf = pdfium.PdfDocument(str(pdf_path))
        texts.append("".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    assert command != "pdf only" or len(texts) > 0 and list(out.rglob("*.pdf"))
    assert command != "record" or list(out.rglob("*.json"))
    leaks = [p for s in (PROJECT_KEY, ODD_TOKEN) for p in _pieces(s) for t in texts if p in t]
    assert leaks == []


def test_redaction_takes_linear_time_on_hostile_runs() -> None:
    """Redaction runs on every model answer, printed line and file: a long 'a-a-a-...' run took 2 s for
    32 kB (an unbounded URL-scheme pattern, quadratic)."""
    import time

    from pipeline.redact import redact

    for text in ("a-" * 16000, "http://x." + "a-" * 16000 + "@h", "sk-" * 10000):
        start = time.perf_counter()
        redact(text)
        assert time.perf_counter() - start < 0.5, text[:20]


def test_a_full_width_secret_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.redact import redact

    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", PROJECT_KEY)
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in PROJECT_KEY)
    assert unicodedata.normalize("NFKC", full_width) == PROJECT_KEY
    masked = unicodedata.normalize("NFKC", redact(f"the key {full_width} here"))
    assert [p for p in _pieces(PROJECT_KEY) if p in masked] == [], masked


# Each layer on its own: the answer is masked at the source now, so the end-to-end tests above would stay
# green with any one of these layers removed (review of 583381f, F12). Each test below fails without its layer.
LAYER_TEXT = f"error body: Incorrect API key provided: {PROJECT_KEY} (token {ODD_TOKEN})"


def _assert_masked(data: str | bytes) -> None:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    assert [p for s in (PROJECT_KEY, ODD_TOKEN) for p in _pieces(s) if p in text] == [], text
    assert "[redacted]" in text


@pytest.fixture
def layer_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", PROJECT_KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", ODD_TOKEN)


@pytest.mark.usefixtures("layer_secrets")
def test_layer_every_file_write_masks(tmp_path: Path) -> None:
    from pipeline.files import atomic_write_folder, atomic_write_many, atomic_write_text

    atomic_write_text(tmp_path / "a.txt", LAYER_TEXT)
    atomic_write_many({tmp_path / "b.json": json.dumps({"e": LAYER_TEXT}).encode()})
    atomic_write_folder(tmp_path / "folder", {"c.md": LAYER_TEXT.encode()})
    for path in (tmp_path / "a.txt", tmp_path / "b.json", tmp_path / "folder" / "c.md"):
        _assert_masked(path.read_bytes())


@pytest.mark.usefixtures("layer_secrets")
def test_layer_every_printed_line_masks() -> None:
    import io

    from pipeline.redact import RedactingStream

    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write(LAYER_TEXT[:30])
    stream.write(LAYER_TEXT[30:] + "\n")  # a line written in two pieces is seen whole
    stream.write("last line without newline: " + PROJECT_KEY)
    stream.flush()
    _assert_masked(target.getvalue())


@pytest.mark.usefixtures("layer_secrets")
def test_layer_the_answer_cache_and_the_remote_batch_store_mask(tmp_path: Path) -> None:
    from pipeline.batch.remote_answers import AnswerStore
    from pipeline.model.cache import AnswerCache, CachedAnswer

    cache = AnswerCache(tmp_path / "cache")
    cache.put("k", CachedAnswer(LAYER_TEXT, {"summary": LAYER_TEXT}, 1, 1))
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            _assert_masked(path.read_bytes())
    store = AnswerStore(tmp_path / "remote" / "answers.jsonl")
    store.add([{"key": "k", "body": {"choices": [{"message": {"content": LAYER_TEXT}}]}}])
    _assert_masked((tmp_path / "remote" / "answers.jsonl").read_bytes())
