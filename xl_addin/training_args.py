"""`ft-breakeven estimate-training`'s arguments, without the engine: the CLI builds every
sub-command's parser at start, and `--help` / `--version` must not import numpy or the catalog
(docs/PERFORMANCE.md, cold start). The command itself lives in xl_addin/training_cli.py."""

from __future__ import annotations

import argparse

from xl_addin.report_risk_args import DEFAULT_PRESET

COMMAND = "estimate-training"


def run_estimate(args: argparse.Namespace) -> int:
    from xl_addin.training_cli import run_estimate as run

    return run(args)


def add_training_parser(sub: argparse._SubParsersAction, add_store_flag) -> argparse.ArgumentParser:
    p = sub.add_parser(
        COMMAND,
        help="count a fine-tuning JSONL file and price training per vendor (writes a scenario file)",
        description="Count the examples and tokens of a training file (chat messages, "
        "prompt/completion or text JSONL, as OpenAI, Together, Fireworks and Bedrock take them), "
        "price one training job for every catalog model with a per-token training price, print "
        "the table and write one scenario per model for `ft-breakeven report --scenario`.",
    )
    p.add_argument("file", metavar="FILE.jsonl", help="the training file")
    p.add_argument("--model", action="append", default=[], help="only this catalog model (repeatable)")
    p.add_argument(
        "--epochs",
        type=float,
        help="passes over the file (default: the --scenario file's, else the engine's 3)",
    )
    p.add_argument("--validation", metavar="FILE.jsonl", help="validation file (billed by Together AI)")
    p.add_argument(
        "--evals", type=int, default=0, help="evaluations over the validation file (Together's n_evals)"
    )
    base = p.add_mutually_exclusive_group()
    base.add_argument("--preset", help=f"the other inputs from this preset (default {DEFAULT_PRESET})")
    base.add_argument("--scenario", help="the other inputs from this scenario file (one object)")
    p.add_argument("-o", "--output", help="scenario file to write (default ./<FILE>.scenarios.json)")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_store_flag(p)
    p.set_defaults(func=run_estimate)
    return p
