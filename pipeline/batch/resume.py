"""Is a ticker's existing report up to date? Same input hash, same model, same prompt versions.

Checked without running the pipeline: the input hash is recomputed from the bundle files exactly as
`load_bundle` does (bundle.json, prices.csv, benchmark.csv, transcript, the peers' own bundles), and each
prompt version from the
prompt manifest and template sources exactly as `render_prompt` does.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, StockreportError
from pipeline.files import output_dir_for
from pipeline.inputs.load import BUNDLE_FILE, hash_inputs, input_files, read_bundle_json, transcript_name
from pipeline.inputs.peers import peer_hash_inputs
from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file
from pipeline.prompts import PROMPTS_DIR, _env, load_manifest


@functools.lru_cache(maxsize=1)
def prompt_versions(prompts_dir: Path = PROMPTS_DIR) -> dict[str, str]:
    """section -> '<manifest version>+<sha256(system \\0 user)[:8]>', as in `render_prompt`."""
    manifest = load_manifest(prompts_dir)
    env = _env(prompts_dir)
    out = {}
    for section, entry in manifest.sections.items():
        sources = [env.loader.get_source(env, n)[0] for n in (entry.system, entry.user)]  # type: ignore[union-attr]
        out[section] = f"{entry.version}+{hashlib.sha256(chr(0).join(sources).encode()).hexdigest()[:8]}"
    return out


def read_bundle_head(bundle_dir: Path) -> dict[str, Any]:
    """bundle.json as plain JSON (no validation): enough for the ticker and the transcript file name.

    Read with the same rules as `load_bundle` (regular file, size checked before parsing, depth limit),
    so a 227 MB or /dev/zero bundle.json is refused here without being parsed.
    """
    path = bundle_dir / BUNDLE_FILE
    head = read_bundle_json(path, str(path))
    if (
        not isinstance(head, dict)
        or not isinstance(head.get("profile"), dict)
        or not isinstance(head["profile"].get("ticker"), str)
    ):
        raise StockreportError(f"{path}: profile.ticker is missing")
    return head


def input_hash(bundle_dir: Path, head: dict[str, Any]) -> str:
    """The hash `load_bundle` would give, from the unvalidated head (each read refused as it would be),
    the files of the peers' own bundles included."""
    peers = head.get("peers") or []
    return hash_inputs(input_files(bundle_dir, transcript_name(head))
                       + (peer_hash_inputs(bundle_dir, peers) if peers else []))


def report_path(out_root: Path, ticker: str) -> Path:
    return output_dir_for(out_root, ticker) / "report.json"


def up_to_date(
    report_json: Path, in_hash: str, model: str, formats: tuple[str, ...]
) -> dict[str, Any] | None:
    """The report's provenance when it can be reused as is, else None (missing, corrupt, stale)."""
    try:
        report = read_json_file(report_json, max_bytes=MAX_REPORT_BYTES)
        prov = report["provenance"]  # type: ignore[index]
    except (InputError, KeyError, TypeError, IndexError):
        return None
    if prov.get("input_hash") != in_hash or prov.get("model") != model:
        return None
    if any(s.get("model") != model for s in prov.get("sections", [])):
        return None  # some sections came from another model (single-section regeneration)
    current = prompt_versions()
    versions = prov.get("prompt_versions") or {}
    if not versions or any(current.get(k) != v for k, v in versions.items()):
        return None
    folder = report_json.parent
    names = {"json": "report.json", "md": "report.md", "html": "report.html", "pdf": "report.pdf"}
    others = [folder / names[f] for f in formats if f in names and f != "json"]
    try:  # written after report.json by the same call: older means a run died between the two writes
        if any(p.stat().st_mtime < report_json.stat().st_mtime for p in others):
            return None
    except OSError:
        return None
    return prov  # type: ignore[no-any-return]
