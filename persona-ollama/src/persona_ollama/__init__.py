"""Ollama provider for Persona."""
