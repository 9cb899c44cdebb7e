"""Stage 3, narrate: the model-written sections (registry.py), their prompts (prompts.py, templates/), the
offline model, and the loop that asks each section and checks every number it writes (narration.py)."""
