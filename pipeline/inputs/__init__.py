"""Stage 1, inputs: the typed bundle, its loading and validation, and importers from real formats."""

from pipeline.inputs.bundle import Bundle
from pipeline.inputs.load import load_bundle
from pipeline.inputs.loaded import LoadedBundle

__all__ = ["Bundle", "LoadedBundle", "load_bundle"]
