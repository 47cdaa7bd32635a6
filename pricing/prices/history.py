"""Price history: dated change points of each model's rates, and the rate in force on a date.

The bundled history (data/history.json, built by pricing.prices.history_build from LiteLLM registries
on PyPI) is extended by the user's changelog (pricing.prices.history_store: every change a refresh
applied is one more change point, so a store keeps growing its own history). This module reads
only the bundled files, so the model may use it (docs/ARCHITECTURE.md). Rates are USD per 1M
tokens as published by the registry (no inferred cached/batch rates: a rate the registry lacked
on a date is None).
"""

from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources

from pydantic import BaseModel, ConfigDict

from pricing.prices.catalog import INFERENCE_FIELDS

HISTORY_FILE = "history.json"
MODELS_FILE = "history_models.json"
HISTORY_FIELDS = INFERENCE_FIELDS  # what LiteLLM registries publish per model
DATA = resources.files("pricing") / "data"


class BeforeHistoryError(ValueError):
    """A date earlier than the first registry in the history."""

    def __init__(self, as_of: date, start: date):
        super().__init__(
            f"as_of {as_of.isoformat()} is before the price history starts ({start.isoformat()})"
        )


class ReleaseInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str  # "litellm 1.56.6"
    date: date
    dated_by: str
    file: str
    sha256: str


class History(BaseModel):
    """The file format: releases, and per model [date, release index, registry key, *rates]."""

    model_config = ConfigDict(extra="ignore")
    fields: list[str]
    releases: list[ReleaseInfo]
    points: dict[str, list[list]]


@dataclass(frozen=True)
class PricePoint:
    """Rates in force from `date` until the next point of the same model."""

    date: date
    source: str  # the release (or refresh) the rates came from
    key: str  # the registry key (or the catalog id, for a refresh)
    rates: dict[str, float | None]


@functools.cache
def load_history_models() -> dict:
    return json.loads((DATA / MODELS_FILE).read_text(encoding="utf-8"))


@functools.cache
def bundled_history() -> PriceHistory:
    raw = History.model_validate_json((DATA / HISTORY_FILE).read_text(encoding="utf-8"))
    return PriceHistory.from_file(raw)


class PriceHistory:
    """Change points per model id (catalog ids and the reference models of history_models)."""

    def __init__(self, start: date, points: dict[str, list[PricePoint]]):
        self.start = start
        self.points = points

    @classmethod
    def from_file(cls, raw: History) -> PriceHistory:
        points = {}
        for model, rows in raw.points.items():
            points[model] = [
                PricePoint(
                    date=date.fromisoformat(row[0]),
                    source=f"{raw.releases[row[1]].name} ({raw.releases[row[1]].date})",
                    key=row[2],
                    rates=dict(zip(raw.fields, row[3:], strict=True)),
                )
                for row in rows
            ]
        return cls(min(r.date for r in raw.releases), points)

    def with_changes(self, records: list) -> PriceHistory:
        """This history plus a changelog's applied changes (ChangeRecord), one point per model
        and refresh time; a change to a field the registry does not publish is not history."""
        points = {m: list(p) for m, p in self.points.items()}
        for r in sorted(records, key=lambda r: r.timestamp):
            if r.field not in HISTORY_FIELDS or not isinstance(r.new, int | float):
                continue
            try:
                when = date.fromisoformat(r.timestamp[:10])
            except ValueError:
                continue
            series = points.setdefault(r.model, [])
            source = f"refresh {r.timestamp} ({r.source})"
            prev = series[-1] if series else None
            rates = dict(prev.rates) if prev else dict.fromkeys(HISTORY_FIELDS)
            rates[r.field] = float(r.new)
            if prev is not None and prev.source == source:
                series[-1] = PricePoint(prev.date, source, r.model, rates)
            elif prev is None or prev.rates != rates:
                series.append(PricePoint(when, source, r.model, rates))
        return PriceHistory(self.start, points)

    def has(self, model: str) -> bool:
        return model in self.points

    def series(self, model: str) -> list[PricePoint]:
        """Change points of one model, oldest first (KeyError if the history lacks it)."""
        return self.points[model]

    def point_at(self, model: str, as_of: date) -> PricePoint | None:
        """The point in force on `as_of`; None before the model first appeared."""
        if as_of < self.start:
            raise BeforeHistoryError(as_of, self.start)
        series = self.points[model]
        i = bisect.bisect_right([p.date for p in series], as_of)
        return series[i - 1] if i else None

    def rate_at(self, model: str, field: str, as_of: date) -> float | None:
        point = self.point_at(model, as_of)
        return None if point is None else point.rates.get(field)


def price_on(catalog, history: PriceHistory, model: str, field: str, as_of: date):
    """A catalog field's value on a date: the catalog itself from its as-of date on, before that
    the history (None: the model was not listed yet, or the registry lacked that rate).
    Raises UnknownModelError for an unknown model, BeforeHistoryError before the history."""
    entry = catalog.get(model)
    if as_of >= catalog.as_of:
        return getattr(entry, field)
    if as_of < history.start:
        raise BeforeHistoryError(as_of, history.start)
    if field not in HISTORY_FIELDS or not history.has(entry.id):
        return None
    return history.rate_at(entry.id, field, as_of)
