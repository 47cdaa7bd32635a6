"""The reporting currency: the answers in the user's currency at a rate the user gives.

The engine and the catalog stay in USD: every price, every input the user types (fixed costs,
evaluation, engineer cost, value per correct answer) and every threshold (the Mandatory verdict's
$10,000/month) is USD. A Currency converts the answers on the way out: each money figure
(pricing.model.figures, kind money or money_per_query) times `rate`, the units of the reporting
currency one USD buys. Months, shares, counts and verdicts do not change with the currency, and
USD at rate 1 (the default) leaves every figure exactly as it was (x * 1.0 == x).

No rate is downloaded: the user types it with its date and source (an ECB reference rate, the
finance team's budget rate), and every printout shows all three.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pricing.model.figures import is_money

# Active ISO 4217 alphabetic codes (list one, SIX Group as the ISO 4217 maintenance agency:
# https://www.six-group.com/dam/download/financial-information/data-center/iso-currrency/lists/list-one.xml),
# without fund codes, precious metals and the test codes (XTS, XXX).
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED
    VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)
MAX_RATE = 1e7  # units per USD: the weakest currencies trade near 10^5-10^6 per USD
MAX_SOURCE = 200  # characters of the rate's source
CODE_ALLOWED = "a three-letter ISO 4217 currency code such as EUR, GBP or JPY"
RATE_ALLOWED = f"a number > 0 and <= {MAX_RATE:,.0f}: units of the currency one USD buys (EUR: about 0.92)"
DATE_ALLOWED = "a date as YYYY-MM-DD (the day the rate was taken)"
SOURCE_ALLOWED = f"text of at most {MAX_SOURCE} characters naming where the rate comes from"
_DOLLARS = re.compile(r"(-?)\$(\d[\d,]*(?:\.\d+)?)")  # "$1,728", "-$432", "$8.00" in the notes


@dataclass(frozen=True)
class Currency:
    code: str = "USD"
    rate: float = 1.0  # units of `code` per USD
    as_of: date | None = None  # the day the rate was taken
    source: str = ""  # where the rate comes from

    @property
    def is_default(self) -> bool:
        """USD at 1: nothing to convert and nothing to say."""
        return self.code == "USD" and self.rate == 1.0

    def money(self, usd: Any) -> Any:
        """A USD amount in this currency; None, text ("never") and non-finite values pass through."""
        if isinstance(usd, bool) or not isinstance(usd, (int, float)):
            return usd
        return usd * self.rate

    def amount_text(self, value: float, decimals: int = 0) -> str:
        """$1,234 in USD, EUR 1,234 otherwise; the minus sign first (-EUR 432)."""
        sign, body = ("-" if value < 0 else ""), f"{abs(value):,.{decimals}f}"
        return f"{sign}${body}" if self.code == "USD" else f"{sign}{self.code} {body}"

    def text_format(self, fmt: str) -> str:
        """A "${:,.0f}" text format of the CLI in this currency ("EUR {:,.0f}")."""
        return fmt if self.code == "USD" else fmt.replace("$", f"{self.code} ", 1)

    def caption(self) -> str:
        """One line for every printout: the code, the rate, its date and source."""
        said = [f"rate of {self.as_of.isoformat()}" if self.as_of else "rate date not given"]
        said.append(f"source: {self.source}" if self.source else "source not given")
        return (
            f"Money in {self.code} at 1 USD = {self.rate:,.6g} {self.code} ({'; '.join(said)}); "
            "inputs and catalog prices are USD"
        )

    def record(self) -> dict[str, Any]:
        """The currency as data (JSON exports)."""
        return {
            "currency": self.code,
            "fx_rate": self.rate,
            "fx_date": self.as_of.isoformat() if self.as_of else None,
            "fx_source": self.source,
        }

    def notes(self, notes: Iterable[str]) -> list[str]:
        """The notes with each dollar amount converted ("saves $1,728 a month" -> "EUR 1,590")."""
        if self.is_default:
            return list(notes)

        def convert(m: re.Match) -> str:
            digits = m.group(2).replace(",", "")
            decimals = len(digits.split(".")[1]) if "." in digits else 0
            return self.amount_text(float(m.group(1) + digits) * self.rate, decimals)

        return [_DOLLARS.sub(convert, n) for n in notes]


USD = Currency()


def make_currency(
    code: Any = "USD",
    rate: Any = None,
    as_of: Any = None,
    source: Any = "",
    names: Sequence[str] = ("currency", "fx_rate", "fx_date", "fx_source"),
) -> Currency:
    """A checked Currency; a bad value raises ScenarioError naming the input (`names`: how the
    caller spells code, rate, date and source, e.g. the CLI's --currency)."""
    from pricing.model.scenario import ScenarioError  # pydantic: not at the CLI's start-up

    text = code.strip().upper() if isinstance(code, str) else code
    if text not in ISO_4217:
        raise ScenarioError(names[0], code, CODE_ALLOWED)
    value = fx_rate(rate, names[1], default=1.0 if text == "USD" else None)
    day = as_of
    if isinstance(as_of, str) and as_of.strip():
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            raise ScenarioError(names[2], as_of, DATE_ALLOWED) from None
    elif as_of in (None, ""):
        day = None
    elif not isinstance(as_of, date):
        raise ScenarioError(names[2], as_of, DATE_ALLOWED)
    src = "" if source is None else source
    if not isinstance(src, str) or len(src) > MAX_SOURCE:
        raise ScenarioError(names[3], source, SOURCE_ALLOWED)
    return Currency(text, value, day, src.strip())


def fx_rate(rate: Any, name: str = "fx_rate", default: float | None = 1.0) -> float:
    """A checked rate (units per USD); blank gives `default` (None: the rate is required)."""
    from pricing.model.scenario import ScenarioError

    if rate is None or (isinstance(rate, str) and not rate.strip()):
        if default is None:
            raise ScenarioError(name, rate, RATE_ALLOWED + "; required for a currency other than USD")
        return default
    try:
        value = float(rate) if not isinstance(rate, bool) else math.nan
    except (TypeError, ValueError):
        raise ScenarioError(name, rate, RATE_ALLOWED) from None
    if not (math.isfinite(value) and 0 < value <= MAX_RATE):
        raise ScenarioError(name, rate, RATE_ALLOWED)
    return value


def convert_result(result, currency: Currency):
    """A pricing.model.breakeven.Result with every money figure and the notes' amounts converted."""
    if currency.is_default:
        return result
    update = {k: currency.money(v) for k, v in result.model_dump().items() if k != "name" and is_money(k)}
    update["notes"] = currency.notes(result.notes)
    return result.model_copy(update=update)


def convert_row(row: dict[str, Any], currency: Currency) -> dict[str, Any]:
    """A schedule row (month, queries, costs, ...) with its money columns converted."""
    return {k: currency.money(v) if is_money(k) else v for k, v in row.items()}


def convert_risk(risk, currency: Currency):
    """A pricing.model.risk.RiskResult with its NPV percentiles converted."""
    if currency.is_default:
        return risk
    keys = ("npv_p10", "npv_p50", "npv_p90", "npv_mean", "base_npv")
    return risk.model_copy(update={k: currency.money(getattr(risk, k)) for k in keys})


def convert_bars(bars, output: str, currency: Currency):
    """Tornado rows of a money output with the output's values converted (the inputs' low and
    high values stay as typed, USD)."""
    if currency.is_default or not is_money(output):
        return list(bars)
    keys = ("output_at_low", "output_at_high", "swing", "base_output")
    return [b.model_copy(update={k: currency.money(getattr(b, k)) for k in keys}) for b in bars]


def convert_grid(rows: list[list[Any]], output: str, currency: Currency) -> list[list[Any]]:
    """A grid table (risk_tables.grid_rows: corner and x values, then y | cells) of a money output
    with its cells converted; the axes are input values and stay as typed."""
    if currency.is_default or not is_money(output):
        return rows
    return [rows[0], *([r[0], *(currency.money(c) for c in r[1:])] for r in rows[1:])]


def converted_column(values: list[Any], output: str, currency: Currency) -> list[Any]:
    """One figure for many scenarios (TableResult.column) in `currency`: money figures converted,
    notes with their amounts converted, everything else as it is."""
    if currency.is_default:
        return values
    if output == "notes":
        return [currency.notes([v])[0] if isinstance(v, str) else v for v in values]
    return [currency.money(v) for v in values] if is_money(output) else values
