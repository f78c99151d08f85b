"""Token estimates: the one rule every part of Persona (and any provider) sizes prompts with."""

from __future__ import annotations

from collections.abc import Iterable

from persona.providers import Message


def estimate_tokens(text: str) -> int:
    """A conservative token count: one token per three UTF-8 bytes, rounded up.

    Tokenisers of current models average about four bytes per token on English text, so this
    over-counts by a third there, and stays safe for accented and non-Latin text.
    """
    return -(-len(text.encode("utf-8")) // 3)


def estimate_messages(messages: Iterable[Message]) -> int:
    return sum(estimate_tokens(message.content) + 8 for message in messages) + 8
