"""Entry point of the persona-privacy plugin."""
