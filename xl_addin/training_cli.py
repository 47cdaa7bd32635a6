"""`ft-breakeven estimate-training FILE.jsonl`: size training from the file you have.

Counts the file's examples and tokens (pricing.model.token_count: a real tokenizer where one
ships, else a labelled estimate), prices one training job for every catalog model with a
per-token training price (or the --model ones) through the engine itself (evaluate(): the
same tokens x epochs x rate, minimum charge and runs as `ft-breakeven report`), prints the
table and writes one scenario per model to a file `ft-breakeven report --scenario` reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pricing.model.breakeven import evaluate
from pricing.model.presets import preset
from pricing.model.scenario import Scenario, ScenarioError, current_names, make_scenario
from pricing.model.token_count import CHARS, CHARS_PER_TOKEN, O200K, FileCount, counting_for
from pricing.neutralise import terminal_text
from pricing.prices.catalog import TOKENS_PER_MILLION, Catalog, ModelEntry, UnknownModelError
from pricing.prices.store import load_catalog
from xl_addin.report import _read_scenario_file
from xl_addin.report_risk_args import DEFAULT_PRESET
from xl_addin.training_args import COMMAND
from xl_addin.training_read import TrainingFileError, count_file

# Vendors whose published training formula bills validation passes (n_evals x validation
# tokens): Together AI, docs.together.ai/docs/fine-tuning-pricing. The others publish
# training tokens x epochs only, so a validation file adds nothing to their bill here.
VALIDATION_BILLED = {"Together AI"}
# what the file's own figures replace in the base scenario
TRAINING_FIELDS = (
    "training_tokens",
    "training_examples",
    "tokens_per_example",
    "training_hours",
    "training_per_1m",
)
MAX_EVALS = 1000


class Refusal(ValueError):
    """Bad input to this command: str(e) is the sentence."""


@dataclass
class Row:
    model: ModelEntry
    counting: str  # label of the counting method
    tokens_per_example: float
    billed_tokens: float
    cost: float | None  # the engine's training_cost; None when the engine refused the model
    reason: str = ""  # why not, in the engine's words
    scenario: dict[str, Any] | None = None


def _base_scenario(args: argparse.Namespace) -> dict[str, Any]:
    """The inputs other than the training set's size, from a preset or a scenario file."""
    if args.scenario is not None:
        items = _read_scenario_file(args.scenario)
        if len(items) != 1:
            raise Refusal(f"--scenario {args.scenario} holds {len(items)} scenarios; give a file of one")
        make_scenario(items[0])  # a bad base is refused before the file is counted
        values = current_names(items[0])  # an old file's training_price is training_per_1m
    else:  # a preset's name and epochs are its own example's, not this file's
        values = preset(args.preset or DEFAULT_PRESET).scenario.model_dump(mode="json", exclude_defaults=True)
        values.pop("name", None)
        values.pop("epochs", None)
    for key in TRAINING_FIELDS:
        values.pop(key, None)
    return values


def _models(catalog: Catalog, wanted: list[str], today: date) -> list[ModelEntry]:
    if not wanted:
        return [
            m for m in catalog.models if m.training_per_1m is not None and m.offered_for_fine_tuning(today)
        ]
    models = []
    for model_id in wanted:
        m = catalog.get(model_id)
        if m.training_per_1m is None:
            hourly = (
                " (it is billed per training hour: give training_hours in a scenario)"
                if m.training_per_hour
                else ""
            )
            raise Refusal(f"--model {model_id} has no per-token training price in the catalog{hourly}")
        models.append(m)
    return models


def _check_counts(args: argparse.Namespace) -> None:
    if not 0 <= args.evals <= MAX_EVALS:
        raise Refusal(f"--evals must be a whole number from 0 to {MAX_EVALS}, got {args.evals}")
    if args.evals and not args.validation:
        raise Refusal(f"--evals {args.evals} needs --validation FILE.jsonl (the file evaluated)")


def _row(
    model: ModelEntry,
    train: FileCount,
    valid: FileCount | None,
    evals: int,
    base: dict[str, Any],
    epochs: float,
    catalog: Catalog,
) -> Row:
    counting = counting_for(model.vendor)
    tokens = train.tokens[counting.id]
    values = {
        **base,
        "name": f"{base.get('name') or Path(train.path).stem} / {model.id}",
        "ft_model": model.id,
        "training_examples": train.examples,
        "tokens_per_example": tokens / train.examples,
        "epochs": epochs,
    }
    billed = tokens * epochs
    if valid is not None and evals and model.vendor in VALIDATION_BILLED:
        extra = evals * valid.tokens[counting.id]
        billed += extra
        # the engine bills training_tokens x epochs: fold the validation passes into it
        values["training_tokens"] = tokens + extra / epochs
    row = Row(model, counting.label, tokens / train.examples, billed, None)
    try:
        row.cost = evaluate(values, catalog).training_cost
    except (ScenarioError, UnknownModelError, KeyError) as exc:
        row.reason = str(exc.args[0] if type(exc) is KeyError else exc)
        return row
    row.scenario = values
    return row


def _write(path: Path, scenarios: list[dict[str, Any]]) -> None:
    """The scenario file, whole or not at all (a temp file beside it, then a rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(scenarios, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _money(value: float) -> str:
    return f"${value:,.2f}"


def render_table(
    train: FileCount, valid: FileCount | None, evals: int, epochs: float, rows: list[Row]
) -> str:
    media = f"; {train.media:,} image/video/document parts not counted" if train.media else ""
    lines = [
        f"Training file: {terminal_text(train.path)} ({train.shape.replace('_', '/')}, "
        f"{train.examples:,} examples{media})",
        f"Epochs: {epochs:g}",
    ]
    if valid is not None:
        lines.append(
            f"Validation: {terminal_text(valid.path)} ({valid.examples:,} examples), {evals} evaluations "
            f"(billed where the vendor bills them: {', '.join(sorted(VALIDATION_BILLED))})"
        )
    heads = ["Vendor", "Model", "Counting", "Tokens/example", "Billed tokens", "$/1M", "Training cost"]
    cells = [
        [
            r.model.vendor,
            r.model.id,
            r.counting,
            f"{r.tokens_per_example:,.1f}",
            f"{r.billed_tokens:,.0f}",
            f"{r.model.training_per_1m:,.2f}",
            _money(r.cost) if r.cost is not None else "n/a (see notes)",
        ]
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(heads, *cells, strict=True)]
    left = {0, 1, 2}

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if j in left else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    lines += ["", line(heads), *(line(c).rstrip() for c in cells), "", "Notes:"]
    lines += [f"  - {note}" for note in _notes(train, rows)]
    return "\n".join(lines)


def _notes(train: FileCount, rows: list[Row]) -> list[str]:
    notes = []
    if any(r.counting == CHARS.label for r in rows):
        notes.append(
            f"{CHARS.label}: characters of every role, name and content / {CHARS_PER_TOKEN}, rounded up "
            "per example; no freely licensed tokenizer ships for these vendors' models, so their "
            "count is an estimate"
        )
    if {CHARS.id, O200K.id} <= train.tokens.keys() and train.tokens[O200K.id]:
        ratio = train.tokens[CHARS.id] / train.tokens[O200K.id] - 1
        notes.append(
            f"on this file the estimate gives {abs(ratio):.0%} {'more' if ratio >= 0 else 'fewer'} tokens "
            "than OpenAI's o200k_base tokenizer: how far an estimate can be from a real tokenizer"
        )
    if any(r.counting != CHARS.label for r in rows):
        notes.append(
            "o200k_base tokenizer: OpenAI's encoding of the gpt-4o and gpt-4.1 families, counted "
            "as OpenAI's fine-tuning cookbook does (3 tokens a message + role + content, 3 a conversation)"
        )
    if train.structured:
        notes.append(
            "tool calls and tool definitions are counted as their JSON text "
            "(no vendor documents how they render)"
        )
    for r in rows:
        if r.cost is None:
            notes.append(f"{r.model.id}: not priced: {r.reason}")
        elif (
            r.model.min_job_charge
            and r.billed_tokens * r.model.training_per_1m / TOKENS_PER_MILLION < r.model.min_job_charge
        ):
            notes.append(
                f"{r.model.id}: the vendor's minimum charge of {_money(r.model.min_job_charge)} a job applies"
            )
    return [terminal_text(n) for n in notes]


def _as_json(
    train: FileCount, valid: FileCount | None, evals: int, epochs: float, rows: list[Row], out: Path
) -> str:
    return json.dumps(
        {
            "file": train.path,
            "format": train.shape,
            "training_examples": train.examples,
            "epochs": epochs,
            "validation_file": valid.path if valid else None,
            "validation_examples": valid.examples if valid else None,
            "evals": evals,
            "scenario_file": str(out),
            "models": [
                {
                    "vendor": r.model.vendor,
                    "model": r.model.id,
                    "counting": r.counting,
                    "tokens_per_example": r.tokens_per_example,
                    "billed_tokens": r.billed_tokens,
                    "training_per_1m": r.model.training_per_1m,
                    "training_cost": r.cost,
                    "not_priced_because": r.reason or None,
                }
                for r in rows
            ],
            "notes": _notes(train, rows),
        },
        indent=2,
    )


def _output_path(args: argparse.Namespace) -> Path:
    out = Path(args.output) if args.output else Path(f"{Path(args.file).stem}.scenarios.json")
    if out.is_dir():
        raise Refusal(f"--output {out} is a folder; give a file name")
    if out.exists() and not args.force:
        raise Refusal(f"{out} already exists: pass --force to replace it, or -o another name")
    return out


def _estimate(args: argparse.Namespace) -> int:
    _check_counts(args)
    catalog = load_catalog(args.store) if args.store else load_catalog()
    models = _models(catalog, args.model, date.today())
    if not models:
        raise Refusal("the catalog has no model with a per-token training price on offer today")
    base = _base_scenario(args)
    epochs = (
        args.epochs
        if args.epochs is not None
        else base.get("epochs", Scenario.model_fields["epochs"].default)
    )
    make_scenario({**base, "epochs": epochs, "training_tokens": 0})  # bad epochs: one sentence, now
    out = _output_path(args)
    countings = [counting_for(m.vendor) for m in models]
    train = count_file(args.file, countings)
    valid = count_file(args.validation, countings) if args.validation else None
    rows = [_row(m, train, valid, args.evals, base, epochs, catalog) for m in models]
    scenarios = [r.scenario for r in rows if r.scenario is not None]
    if not scenarios:
        raise Refusal(f"no model could be priced: {rows[0].model.id}: {rows[0].reason}")
    _write(out, scenarios)
    if args.format == "json":
        print(_as_json(train, valid, args.evals, epochs, rows, out))
    else:
        print(render_table(train, valid, args.evals, epochs, rows))
        shown = terminal_text(str(out))
        print(f"  - wrote {len(scenarios)} scenarios to {shown}: `ft-breakeven report --scenario {shown}`")
    return 0


def run_estimate(args: argparse.Namespace) -> int:
    try:
        return _estimate(args)
    except (Refusal, TrainingFileError, ScenarioError, UnknownModelError) as exc:
        print(f"ft-breakeven {COMMAND}: {terminal_text(str(exc))}", file=sys.stderr)
        return 2
