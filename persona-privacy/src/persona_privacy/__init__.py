"""PII detection and anonymisation for Persona."""
