"""The examples of a fine-tuning file: each JSONL line's object as an Example, or what is wrong.

One example a line, in one of three shapes (README's "Your training file" cites each vendor's page):
- chat: {"messages": [...]} as OpenAI, Together and Fireworks take it (content a string or a
  list of parts; tool calls; a "tools" list), Bedrock's Claude 3 Haiku form (a "system"
  string) and Bedrock's Converse form for Nova ("schemaVersion": "bedrock-conversation-2024",
  "system" and content as lists of blocks such as {"text": ...});
- prompt/completion: {"prompt": "...", "completion": "..."} (Together's instruction format,
  Bedrock's text models);
- text: {"text": "..."} (Together's generic text format).
parse_example says what is wrong with a line as a clause (ShapeError); the reader that names the
file and the line is xl_addin/training_read.py (files are read there, bounded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SHAPES = {
    "chat": 'chat ({"messages": [...]})',
    "prompt_completion": 'prompt/completion ({"prompt": ..., "completion": ...})',
    "text": 'text ({"text": ...})',
}
ALLOWED = "a JSON object: " + ", ".join(list(SHAPES.values())[:-1]) + " or " + list(SHAPES.values())[-1]
# parts of a message's content that are media: counted, not tokenised (billed by other rules)
MEDIA_KEYS = ("image", "video", "document", "image_url", "input_image", "input_audio", "file")


@dataclass(frozen=True)
class Message:
    role: str
    text: str  # the content's text parts, plus tool calls as their JSON text
    name: str = ""


@dataclass(frozen=True)
class Example:
    shape: str  # a key of SHAPES
    messages: tuple[Message, ...] = ()  # chat
    texts: tuple[str, ...] = ()  # prompt/completion or text: the strings, in order
    tools: str = ""  # tool definitions as JSON text (OpenAI "tools"/"functions", Nova "toolConfig")
    media: int = 0  # image/video/document parts, not counted as tokens
    structured: bool = False  # tool calls or definitions were counted as their JSON text


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class ShapeError(ValueError):
    """What is wrong with one line, as a clause ("has no role"): the reader names the line."""


def _content(content: Any, where: str) -> tuple[str, int, bool]:
    """(text, media parts, structured) of one message's content: a string, null or a list of parts."""
    if content is None:
        return "", 0, False
    if isinstance(content, str):
        return content, 0, False
    if not isinstance(content, list):
        raise ShapeError(f"{where} has content that is neither text nor a list of parts")
    texts, media, structured = [], 0, False
    for part in content:
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise ShapeError(f"{where} has a content part that is not an object")
        if isinstance(part.get("text"), str):  # OpenAI {"type": "text", "text"}, Nova {"text"}
            texts.append(part["text"])
        elif any(k in part for k in MEDIA_KEYS) or part.get("type") in MEDIA_KEYS:
            media += 1
        elif isinstance(part.get("reasoningContent"), dict):  # Nova 2's reasoning block
            reasoning = part["reasoningContent"].get("reasoningText") or {}
            texts.append(str(reasoning.get("text", "")) if isinstance(reasoning, dict) else "")
        else:  # toolUse, toolResult, ...: the JSON text is the best count we can make
            texts.append(_json_text(part))
            structured = True
    return "".join(texts), media, structured


def _message(raw: Any, where: str) -> tuple[Message, int, bool]:
    if not isinstance(raw, dict):
        raise ShapeError(f"{where} is not an object")
    role = raw.get("role")
    if not isinstance(role, str) or not role:
        raise ShapeError(f"{where} has no role")
    if "content" not in raw and not ({"tool_calls", "function_call"} & raw.keys()):
        raise ShapeError(f"{where} has no content")
    text, media, structured = _content(raw.get("content"), where)
    calls = [raw[k] for k in ("tool_calls", "function_call") if raw.get(k)]
    if calls:  # OpenAI's assistant tool calls: rendering undocumented, counted as JSON text
        text += "".join(_json_text(c) for c in calls)
        structured = True
    name = raw.get("name")
    return Message(role, text, name if isinstance(name, str) else ""), media, structured


def _system(value: Any) -> tuple[str, int, bool]:
    """Bedrock's "system": a string (Claude 3 Haiku) or a list of {"text"} blocks (Nova)."""
    return _content(value, "the system prompt")


def _chat(obj: dict) -> Example:
    raw = obj["messages"]
    if not isinstance(raw, list) or not raw:
        raise ShapeError('has "messages" that is not a non-empty list')
    messages, media, structured = [], 0, False
    if "system" in obj:
        text, m, s = _system(obj["system"])
        messages.append(Message("system", text))
        media, structured = media + m, structured or s
    for i, item in enumerate(raw, start=1):
        msg, m, s = _message(item, f"message {i}")
        messages.append(msg)
        media, structured = media + m, structured or s
    defs = [obj[k] for k in ("tools", "functions", "toolConfig") if obj.get(k)]
    tools = "".join(_json_text(d) for d in defs)
    return Example("chat", tuple(messages), tools=tools, media=media, structured=structured or bool(defs))


def _strings(obj: dict, keys: tuple[str, ...], shape: str) -> Example:
    for key in keys:
        if not isinstance(obj[key], str):
            raise ShapeError(f'has "{key}" that is not a string')
    return Example(shape, texts=tuple(obj[k] for k in keys))


def parse_example(obj: Any) -> Example:
    """One line's parsed JSON as an Example; ShapeError says what is wrong with it."""
    if not isinstance(obj, dict):
        kind = "an array" if isinstance(obj, list) else f"a {type(obj).__name__}"
        raise ShapeError(f"is {kind}, not an object")
    if "messages" in obj:
        return _chat(obj)
    if "prompt" in obj and "completion" in obj:
        return _strings(obj, ("prompt", "completion"), "prompt_completion")
    if "text" in obj:
        return _strings(obj, ("text",), "text")
    keys = ", ".join(sorted(obj)[:5]) or "none"
    raise ShapeError(f'has none of "messages", "prompt" with "completion", or "text" (its keys: {keys})')
