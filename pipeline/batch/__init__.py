"""Batch generation: many bundles, bounded concurrency, rate limits, resume, manifest, OpenAI Batch API."""
