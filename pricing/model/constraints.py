"""The Calculator's Yes/No constraint switches as data: each switch, what it sets, what it notes.

One table, two readers: workbook/switch_formulas.py writes the rules as the Calculator's Excel
formulas, and `ruled_inputs` / `notes` compute the same in Python (the inputs of the file without
the add-in, workbook.sheets.calculator.python_inputs). tests/test_constraints.py recalculates the
formulas for every combination of switches and checks they agree. A rule added here appears in
both. (Constraints from the seed page: shared/seed.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

YES, NO = "Yes", "No"


class Switch(NamedTuple):
    name: str  # the workbook name of its Yes/No cell
    label: str
    default: str  # YES or NO
    effect: str  # what the sheet says it changes


class Assumption(NamedTuple):
    """A value a rule puts in when its switch is on (the user can change it on the sheet)."""

    name: str  # the workbook name of its cell
    label: str
    value: float
    unit: str


class Value(NamedTuple):
    """What a rule sets an input to (build one with the functions below)."""

    kind: str  # "number", "blank", "assumed", "assumed_unless_given"
    number: float = 0.0
    assumption: str = ""


def number(x: float) -> Value:
    return Value("number", number=x)


BLANK = Value("blank")  # left blank: the engine's own default applies


def assumed(name: str) -> Value:
    """The assumption's value, whatever the input holds."""
    return Value("assumed", assumption=name)


def assumed_unless_given(name: str) -> Value:
    """The input's own value, or the assumption where it is blank or 0."""
    return Value("assumed_unless_given", assumption=name)


class Rule(NamedTuple):
    """While `switch` reads `when`, `field` is `then`; else `otherwise`, or (None) its own value.

    Several rules on one field: the first whose switch reads its `when` decides; a rule with an
    `otherwise` decides either way, so the rules after it never apply."""

    switch: str
    when: str
    field: str
    then: Value
    otherwise: Value | None = None


class Note(NamedTuple):
    switch: str
    when: str
    text: str  # ends with ". ": the notes are shown joined


SWITCHES: tuple[Switch, ...] = (
    Switch(
        "SelfHosted",
        "Self-hosted fine-tuned model (own GPUs)?",
        NO,
        "Yes: fine-tuned token rates 0; serving billed per GPU-hour at the rate below (GPUs from the load)",
    ),
    Switch(
        "EvalHarness",
        "Eval harness budgeted?",
        YES,
        "Yes: eval_cost = the scenario's (or the assumption below); No: 0 and a warning",
    ),
    Switch(
        "MLOpsCounted",
        "MLOps engineer counted?",
        NO,
        "Yes: mlops_fte = the FTE below (eval pipelines, drift, retraining, A/B tests)",
    ),
    Switch(
        "LatencyCritical",
        "Sub-second latency budget applies (voice, autocomplete)?",
        NO,
        "Yes: latency_budget_ms = the budget below (latency can drive the verdict)",
    ),
    Switch(
        "PIIDocumented",
        "Training data provenance and PII scrubbing documented?",
        NO,
        "No: a compliance note",
    ),
    Switch(
        "NoTrainTerms",
        "Vendor's no-train terms verified (enterprise tier)?",
        NO,
        "No: a note to check the vendor's terms",
    ),
    Switch(
        "PortabilityNeeded",
        "Might switch vendor later (portability)?",
        NO,
        "Yes: a note: switching vendor means full retraining",
    ),
)

ASSUMPTIONS: tuple[Assumption, ...] = (
    # one always-on GPU at this rate costs what the old flat $1,500/month assumption did (x 730 h)
    Assumption(
        "SelfHostedGpuHour", "GPU rate when self-hosted (your own or reserved GPUs)", 2.05, "$/GPU-hour"
    ),
    Assumption("EvalHarnessCost", "Eval harness cost when the scenario has none", 2000, "USD"),
    Assumption("MLOpsFte", "MLOps engineers when counted", 0.5, "FTE"),
    Assumption("LatencyBudgetMs", "Latency budget when it applies", 300, "ms"),
)

RULES: tuple[Rule, ...] = (
    Rule("SelfHosted", YES, "ft_input_price", number(0)),
    Rule("SelfHosted", YES, "ft_output_price", number(0)),
    Rule("SelfHosted", YES, "ft_cached_price", number(0)),
    Rule("SelfHosted", YES, "hosting_per_month", BLANK),  # served per GPU-hour instead
    Rule("SelfHosted", YES, "gpu_hourly_price", assumed("SelfHostedGpuHour")),
    Rule("MLOpsCounted", YES, "mlops_fte", assumed("MLOpsFte")),
    Rule("EvalHarness", YES, "eval_cost", assumed_unless_given("EvalHarnessCost"), otherwise=number(0)),
    Rule("LatencyCritical", YES, "latency_budget_ms", assumed("LatencyBudgetMs")),
)

NOTES: tuple[Note, ...] = (
    Note(
        "EvalHarness",
        NO,
        "No eval harness: fine-tuned models hallucinate within their domain; budget one before production. ",
    ),
    Note(
        "PIIDocumented",
        NO,
        "Compliance: document where the training data came from, that PII is scrubbed and that "
        "the dataset is reproducible. ",
    ),
    Note(
        "NoTrainTerms",
        NO,
        "Check the vendor's enterprise no-train terms: default tiers may use your training data. ",
    ),
    Note(
        "PortabilityNeeded",
        YES,
        "Portability: a model fine-tuned on one vendor is not usable on another; switching is a "
        "full retrain (open models such as Llama or Mistral move more easily). ",
    ),
    Note(
        "SelfHosted",
        YES,
        "Self-hosted: needs ML/SRE capacity; token rates of the fine-tuned model are set to 0 and"
        " serving is priced per GPU-hour (GPUs from the peak load, see Running the model). ",
    ),
)


def ruled_fields() -> tuple[str, ...]:
    """The inputs some rule sets, in the table's order."""
    return tuple(dict.fromkeys(r.field for r in RULES))


def rules_for(field: str) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.field == field)


def settings(switches: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every switch's setting: its default unless given."""
    return {s.name: s.default for s in SWITCHES} | dict(switches or {})


def assumption_values(assumptions: Mapping[str, float] | None = None) -> dict[str, float]:
    return {a.name: a.value for a in ASSUMPTIONS} | dict(assumptions or {})


def _value(v: Value, own: Any, assumptions: Mapping[str, float]) -> Any:
    if v.kind == "number":
        return v.number
    if v.kind == "blank":
        return None
    if v.kind == "assumed":
        return assumptions[v.assumption]
    return assumptions[v.assumption] if own in (None, "", 0) else own  # assumed_unless_given


def ruled_value(field: str, own: Any, switches: Mapping[str, str], assumptions: Mapping[str, float]) -> Any:
    """One input after the rules (None: blank); `own` is what it holds without them."""
    for rule in rules_for(field):
        if switches[rule.switch] == rule.when:
            return _value(rule.then, own, assumptions)
        if rule.otherwise is not None:
            return _value(rule.otherwise, own, assumptions)
    return own


def ruled_inputs(
    own: Mapping[str, Any],
    switches: Mapping[str, str] | None = None,
    assumptions: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The inputs with every rule applied (None: blank); `own` holds each input's own value."""
    sw, asm = settings(switches), assumption_values(assumptions)
    return {**own, **{f: ruled_value(f, own.get(f), sw, asm) for f in ruled_fields()}}


def notes(switches: Mapping[str, str] | None = None) -> str:
    """The constraints' notes, joined as the Calculator shows them."""
    sw = settings(switches)
    return "".join(n.text for n in NOTES if sw[n.switch] == n.when)
