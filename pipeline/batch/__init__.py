"""Batch generation: many bundles, bounded concurrency, client-side rate limits, resume, manifest, OpenAI Batch."""
