"""Retool OpenAPI regeneration pipeline (pull, normalize, generate, changelog)."""
