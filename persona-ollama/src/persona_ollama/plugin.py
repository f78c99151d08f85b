"""Entry point of the persona-ollama plugin."""
