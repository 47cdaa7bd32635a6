"""The --risk / --sensitivity / --grid flags of `ft-breakeven report`, apart from the sections
they compute (xl_addin.report_risk), so that building the CLI's parser loads no engine:
`ft-breakeven --help` and `--version` start as fast as a bare interpreter (issue 19)."""

from __future__ import annotations

import argparse

from pricing.model.risk_options import DEFAULT_DRAWS, DEFAULT_TORNADO_OUTPUT, DISTRIBUTIONS, OUTPUTS

DEFAULT_PRESET = "faisal"  # what `report` and `estimate-training` use when no input is given


def _run_risk_sections(*args, **kwargs) -> str:
    from xl_addin.report_risk import run_risk_sections  # the engine loads when a report runs

    return run_risk_sections(*args, **kwargs)


def _triple(text: str) -> tuple[str, tuple[float, ...]]:
    """NAME=LOW,LIKELY,HIGH (or NAME=LOW,HIGH for --driver) -> (name, numbers)."""
    name, sep, rest = text.partition("=")
    try:
        numbers = tuple(float(x) for x in rest.split(","))
    except ValueError:
        numbers = ()
    if not sep or not name.strip() or not numbers:
        raise argparse.ArgumentTypeError(f"expected NAME=numbers separated by commas, got {text!r}")
    return name.strip(), numbers


def _draws(text: str) -> int:
    """--draws: fewer than 100 trials make P10/P90 noise, more than a million only wait."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 100 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 100 to 1,000,000, got {text!r}")
    return n


def add_risk_args(parser: argparse.ArgumentParser) -> None:
    """The --risk / --sensitivity flags of `ft-breakeven report`; sets extra_sections."""
    g = parser.add_argument_group("risk and sensitivity")
    g.add_argument(
        "--risk",
        action="store_true",
        help="Monte Carlo: P10/P50/P90 payback and NPV, probability of paying back",
    )
    g.add_argument(
        "--uncertain",
        action="append",
        type=_triple,
        default=[],
        metavar="NAME=LOW,LIKELY,HIGH",
        help="an uncertain input's range (repeatable); it replaces that input's built-in range "
        "only. Built-in ranges are centred on the scenario's own values: traffic 0.5x-1.5x, tokens "
        "0.8x-1.2x, training cost 0.5x-1.5x, accuracy lift and price decline when not 0",
    )
    g.add_argument(
        "--draws",
        type=_draws,
        default=DEFAULT_DRAWS,
        help=f"Monte Carlo draws, 100 to 1,000,000 (default {DEFAULT_DRAWS:,}, as FT_RISK)",
    )
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0: reproducible)")
    g.add_argument("--distribution", choices=DISTRIBUTIONS, default="triangular")
    g.add_argument(
        "--sensitivity",
        action="store_true",
        help="tornado: each driver at its low and high value, biggest swing first",
    )
    g.add_argument(
        "--driver",
        action="append",
        type=_triple,
        default=[],
        metavar="NAME=LOW,HIGH",
        help="a tornado driver (repeatable; default: +/-20%% on the main inputs)",
    )
    g.add_argument(
        "--sensitivity-output",
        choices=OUTPUTS,
        default=DEFAULT_TORNADO_OUTPUT,
        help=f"the figure the tornado ranks drivers by (default {DEFAULT_TORNADO_OUTPUT}, as FT_SENSITIVITY)",
    )
    g.add_argument(
        "--grid",
        nargs=2,
        type=_triple,
        metavar=("X=V1,V2,...", "Y=V1,V2,..."),
        help="two-way table: --grid-output for every pair of values of two inputs",
    )
    g.add_argument(
        "--grid-output",
        choices=OUTPUTS,
        default="payback_months",
        help="the figure in the two-way table's cells (default payback_months)",
    )
    g.add_argument(
        "--couple-tokens",
        action="store_true",
        help="scale the fine-tuned prompt and completion with the frontier tokens varied "
        "(off: every input other than the one named stays as the scenario has it)",
    )
    parser.set_defaults(extra_sections=_run_risk_sections)
