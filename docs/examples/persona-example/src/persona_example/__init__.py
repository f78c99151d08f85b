"""A worked example of a Persona plugin."""
