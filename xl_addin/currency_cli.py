"""`--currency`, `--fx-rate`, `--fx-date`, `--fx-source`: the reporting currency on the command line.

The rate is typed, never downloaded (pricing.model.currency); a bad code, rate, date or source is
one sentence naming the flag, the value and what is allowed (exit 2).
"""

from __future__ import annotations

import argparse

from pricing.model.currency import Currency, make_currency

FLAGS = ("--currency", "--fx-rate", "--fx-date", "--fx-source")
OLD_FX_FLAG = "--fx"  # the rate's flag before it took the FT_ functions' name (fx_rate); still read


def add_currency_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reporting currency (inputs and catalog prices stay USD)")
    g.add_argument("--currency", default="USD", metavar="CODE", help="ISO 4217 code of the answers, e.g. EUR")
    g.add_argument("--fx-rate", default=None, metavar="RATE", help="units of CODE one USD buys, e.g. 0.92")
    g.add_argument(OLD_FX_FLAG, dest="fx_rate", help=argparse.SUPPRESS)
    g.add_argument("--fx-date", default=None, metavar="YYYY-MM-DD", help="the day the rate was taken")
    g.add_argument("--fx-source", default="", metavar="TEXT", help="where the rate comes from, e.g. 'ECB'")


def currency_from_args(args: argparse.Namespace) -> Currency:
    """The checked currency of the flags (USD at 1 when none is given)."""
    return make_currency(
        getattr(args, "currency", "USD"),
        getattr(args, "fx_rate", None),
        getattr(args, "fx_date", None),
        getattr(args, "fx_source", ""),
        names=FLAGS,
    )
