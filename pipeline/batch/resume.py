"""Is a ticker's existing report up to date? Same input hash, same model, same prompt versions.

Checked without running the pipeline: the input hash from the bundle files and the peers' own bundles
(`inputs.input_hash`, the formula `load_bundle` uses), each prompt version from the templates
(`narrate.prompts.prompt_version`, the formula the renderer uses), the file names from `render.paths`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import InputError, StockreportError
from pipeline.inputs.input_hash import BUNDLE_FILE, input_hash_of
from pipeline.inputs.load import read_bundle_json, transcript_name
from pipeline.inputs.peers import peer_hash_inputs
from pipeline.inputs.sources import MAX_REPORT_BYTES, read_json_file
from pipeline.narrate.prompts import prompt_versions
from pipeline.render.paths import report_files


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
    return input_hash_of(
        bundle_dir, transcript_name(head), peer_hash_inputs(bundle_dir, peers) if peers else ()
    )


def up_to_date(
    report_json: Path, in_hash: str, models: tuple[str, ...], formats: tuple[str, ...]
) -> dict[str, Any] | None:
    """The report's provenance when it can be reused as is, else None (missing, corrupt, stale, or made by
    other models: a several-model page is up to date only for the same models in the same order)."""
    model = models[0]
    try:
        report: Any = read_json_file(report_json, max_bytes=MAX_REPORT_BYTES)
        prov = report["provenance"]
        made_by = [m["model"] for m in report.get("models") or []] or [prov.get("model")]
    except (InputError, KeyError, TypeError, IndexError, AttributeError):
        return None
    if prov.get("input_hash") != in_hash or made_by != list(models):
        return None
    if any(s.get("model") != model for s in prov.get("sections", [])):
        return None  # some sections came from another model (single-section regeneration)
    current = prompt_versions()
    versions = prov.get("prompt_versions") or {}
    if not versions or any(current.get(k) != v for k, v in versions.items()):
        return None
    others = [p for f, p in report_files(report_json.parent, formats).items() if f != "json"]
    try:  # written after report.json by the same call: older means a run died between the two writes
        if any(p.stat().st_mtime < report_json.stat().st_mtime for p in others):
            return None
    except OSError:
        return None
    return prov  # type: ignore[no-any-return]
