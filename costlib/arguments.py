"""The one registry of argument meanings: name, unit, rule and a one-line meaning.

Every argument of every public costlib function is described here once, in
:data:`ARGUMENTS`. The rest of costlib reads it:

- each public function's numpydoc ``Parameters`` section is generated from it at import
  time by :func:`documented`, which also takes the function's own readings of an argument
  (``gpu`` read as board power [W] by :func:`costlib.energy_cost`, say);
- :func:`describe` gives the resolved text of one argument of one function, and the Excel
  add-in shows exactly that as the argument's help;
- ``costlib._args.parse(params=params)`` takes the rule from here when a call gives no rule;
- :func:`lookup` gives a template input with a registered name its unit and rule;
- the README's nomenclature table is :func:`nomenclature_markdown`, and a test fails when
  the README's copy differs.

This module imports neither numpy nor the rest of costlib (only :mod:`costlib.rules`), so
the command line stays fast.

>>> ARGUMENTS["mfu"].text
"Model FLOPs utilisation, the realised share of the accelerator's dense peak [fraction in (0, 1]]."
>>> lookup("mfu").rule
'fraction'
"""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable

from .rules import RULES

# ``inspect`` is imported where a signature is read, not here: listing templates stays light.

__all__ = ["Argument", "ARGUMENTS", "READINGS", "documented", "describe", "arguments_of", "result_units", "lookup",
           "nomenclature_markdown", "with_nomenclature", "PLACEHOLDER"]

#: The line a docstring's source holds where :func:`documented` puts the Parameters section.
PLACEHOLDER = "{parameters}"

#: Rules whose bounds are worth saying beside the unit: "[fraction in (0, 1]]", "[ratio >= 1]".
_BOUNDED = {"fraction", "share", "share_below_one", "at_least_one"}
_SAID_FOR = {"fraction", "ratio"}  # units that always say their rule, whatever it is


@dataclass(frozen=True)
class Argument:
    """One argument: its name, unit, rule (a key of ``costlib.rules.RULES``, or None for
    a name or other non-numeric argument) and a one-line meaning.

    ``type`` is the numpydoc type of the Parameters entry; by default ``array_like`` for a
    number and ``str`` for a name. A meaning that already holds its unit in brackets
    (``"... its board power [W] as a number"``) is taken as it is; otherwise the unit
    follows it in brackets.
    """

    name: str
    unit: str
    rule: str | None
    meaning: str
    type: str = ""

    def __post_init__(self):
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"argument {self.name}: rule must be one of {', '.join(RULES)}, got {self.rule!r}")
        if not self.type:
            object.__setattr__(self, "type", "array_like" if self.rule else "str")

    @property
    def bracket(self) -> str:
        """The unit as the bracket says it, with the rule's bounds where they matter."""
        if self.rule and (self.rule in _BOUNDED or self.unit in _SAID_FOR) and self.rule != "finite":
            bounds = RULES[self.rule][4].removeprefix("must be ")
            return f"{self.unit} {bounds}"
        return self.unit

    @property
    def text(self) -> str:
        """The meaning with its unit: one sentence, as a docstring and Excel show it."""
        meaning = self.meaning.rstrip(".")
        if "[" not in meaning:
            meaning = f"{meaning} [{self.bracket}]"
        return meaning + "."

    def but(self, **changes: Any) -> "Argument":
        """This argument read differently by one function: ``ARGUMENTS["tokens"].but(meaning=...)``."""
        return dataclasses.replace(self, **changes)


def _table(*rows: tuple) -> dict[str, Argument]:
    out = {}
    for row in rows:
        arg = Argument(*row)
        if arg.name in out:
            raise ValueError(f"argument {arg.name} is registered twice")
        out[arg.name] = arg
    return out


_GPU_NAME_OR = 'Accelerator: a catalogue name such as "H100", or its '

#: Every argument of costlib's public functions, described once.
ARGUMENTS: dict[str, Argument] = _table(
    # model size and training
    ("params", "parameters", "positive",
     "Parameters trained or read per token; for a mixture of experts, the active parameters"),
    ("tokens", "tokens", "positive", "Training tokens"),
    ("flops", "FLOP", "positive", "Work to execute, in floating-point operations"),
    ("compute", "FLOP", "positive", "Compute budget, in floating-point operations"),
    ("flops_per_param_token", "FLOP/parameter/token", "positive",
     "Training FLOPs per parameter per token: 2 forward and 4 backward"),
    ("gpu", "TFLOP/s", None, _GPU_NAME_OR + "dense peak [TFLOP/s] as a number", "str, float or array_like"),
    ("precision", "name", None,
     "Number format of the arithmetic: bf16, fp16, fp8 or tf32 (for weights also fp32, int8, int4)"),
    ("mfu", "fraction", "fraction", "Model FLOPs utilisation, the realised share of the accelerator's dense peak"),
    ("price_per_gpu_hour", "USD/GPU-h", "non_negative", "Price of one accelerator for one hour, rented or internal"),
    ("gpu_hours", "GPU-h", "non_negative", "Accelerator time"),
    ("price_per_kwh", "USD/kWh", "non_negative", "Electricity price"),
    ("pue", "ratio", "at_least_one",
     "Power usage effectiveness, facility power over IT power; 1 counts the boards only"),
    ("final_run_cost", "USD", "non_negative", "Compute cost of the final training run"),
    ("compute_cost", "USD", "non_negative", "Compute cost of a programme: final run, research and failed runs"),
    ("research_multiplier", "ratio", "non_negative", "Research and ablation compute as a multiple of the final run"),
    ("failed_run_share", "fraction", "non_negative",
     "Compute lost to failed or restarted runs, as a share of the final run"),
    ("data_preparation_share", "fraction", "share_below_one",
     "Data preparation's share of the whole programme's cost (not of the final run)"),
    ("shared_params", "parameters", "non_negative",
     "Parameters every token uses (attention, embeddings, shared experts)"),
    ("expert_params", "parameters", "non_negative", "Parameters of all routed experts together, not of one expert"),
    ("experts_per_token", "count", "positive", "Routed experts each token activates (top-k)"),
    ("experts", "count", "positive", "Routed experts in all"),
    ("tokens_per_param", "tokens/parameter", "positive", "Training tokens per parameter (Chinchilla: 20)"),
    ("E", "nats/token", "non_negative", "Irreducible loss of the Chinchilla fit (Hoffmann et al. 2022)"),
    ("A", "fit constant", "positive", "Parameter-term coefficient of the Chinchilla loss fit"),
    ("B", "fit constant", "positive", "Data-term coefficient of the Chinchilla loss fit"),
    ("alpha", "exponent", "positive", "Parameter-term exponent of the Chinchilla loss fit"),
    ("beta", "exponent", "positive", "Data-term exponent of the Chinchilla loss fit"),
    ("target_loss", "nats/token", "positive",
     "Quality to reach, as Chinchilla-fit pre-training loss; must exceed the fit's irreducible loss, 1.69"),
    ("inference_tokens", "tokens", "non_negative",
     "Tokens the model will process over its serving life, input and output"),
    ("inference_cost_ratio", "ratio", "positive", "Cost of one inference FLOP over one training FLOP"),
    # serving
    ("layers", "count", "positive", "Transformer layers"),
    ("kv_heads", "count", "positive",
     "Key-value heads per layer (fewer than query heads under grouped-query attention)"),
    ("head_dim", "count", "positive", "Dimension of one attention head"),
    ("context_tokens", "tokens", "non_negative", "Tokens held in the KV cache: the prompt plus those generated so far"),
    ("bytes_per_value", "B", "positive", "Bytes per cached value (2 for BF16)"),
    ("kv_cache_bytes_per_sequence", "B", "non_negative", "KV cache read per decode step for each sequence"),
    ("batch_size", "count", "positive", "Sequences decoded together"),
    ("bandwidth_utilization", "fraction", "fraction",
     "Share of the peak HBM bandwidth a decode step reaches (model bandwidth utilisation, MBU)"),
    ("prefill_mfu", "fraction", "fraction", "Share of the dense peak the prefill (prompt) kernels reach"),
    ("target_requests_per_second", "requests/s", "positive", "Load to serve, in requests per second"),
    ("requests_per_second", "requests/s", "positive", "What one model replica serves, in requests per second"),
    ("gpus", "count", "positive", "Accelerators working together on one model replica; their capacity adds up"),
    ("prompt_tokens", "tokens", "non_negative", "Tokens in the prompt"),
    ("tokens_per_second", "tokens/s", "positive", "Throughput at full load"),
    ("utilization", "fraction", "fraction",
     "Share of the paid accelerator hours that are busy; idle hours are paid too"),
    ("input_tokens", "tokens", "non_negative", "Prompt tokens per query, cached and not"),
    ("output_tokens", "tokens", "non_negative", "Generated tokens per query"),
    ("input_price_per_m_tokens", "USD/Mtok", "non_negative", "API list price of input tokens"),
    ("output_price_per_m_tokens", "USD/Mtok", "non_negative", "API list price of output tokens"),
    ("cached_input_price_per_m_tokens", "USD/Mtok", "non_negative",
     "API list price of cached input tokens; when not given, the input price"),
    ("api_price_per_m_tokens", "USD/Mtok", "non_negative", "The API's price"),
    ("cached_share", "fraction", "share", "Share of the input tokens served from the provider's prompt cache"),
    ("context_tier_start_tokens", "tokens", "non_negative",
     "Prompt tokens above which the provider's long-context tier prices every token of the request"),
    ("context_tier_price_per_m_tokens", "USD/Mtok", "non_negative",
     "Price above the long-context tier's start, for every token of the request"),
    ("large_model_cost", "USD/query", "non_negative", "Cost of a query on the default (large) model"),
    ("small_model_cost", "USD/query", "non_negative", "Cost of a query routed to the cheaper model"),
    ("small_model_share", "fraction", "share",
     "Share of the queries that miss the cache and are routed to the cheaper model"),
    ("cache_hit_rate", "fraction", "share", "Share of the queries answered from a response cache"),
    ("cache_hit_cost", "USD/query", "non_negative", "Cost of answering a query from the cache"),
    ("tokens_served", "tokens", "non_negative", "Tokens served"),
    ("price_per_m_tokens", "USD/Mtok", "finite", "Price of 1 M tokens"),
    ("cost", "USD", "non_negative", "A cost to spread over the tokens served"),
    # economics
    ("cost_per_query", "USD/query", "non_negative", "Inference cost of one query"),
    ("median", "unit of the quantity", "non_negative", "Median of a right-skewed quantity, such as input tokens per query"),
    ("p95", "unit of the quantity", "non_negative", "95th percentile of the same quantity, at least the median"),
    ("fixed_cost", "USD", "non_negative", "One-time or standing cost of building: a fine-tune, reserved capacity"),
    ("price_per_unit", "USD/unit", "non_negative",
     "What buying costs per unit: an API price per query or per 1 M tokens"),
    ("cost_per_unit", "USD/unit", "non_negative", "Own marginal cost per unit once built, in the unit of the price"),
    ("cost_per_m_tokens_at_full_load", "USD/Mtok", "non_negative", "Self-hosted cost at 100 % utilisation"),
    ("marginal_cost_per_m_tokens", "USD/Mtok", "non_negative", "Marginal (inference) cost of serving 1 M tokens"),
    ("training_cost", "USD", "non_negative", "Training capex to recover"),
    ("lifetime_tokens", "tokens", "positive", "Tokens served over the model's life"),
    ("monthly_saving", "USD/month", "finite", "Saving per month once built; zero or less never pays back"),
    ("price", "USD/unit", "non_negative", "Today's price; the result is in its unit"),
    ("annual_decline", "fraction", "share_below_one",
     "Share the price falls each year; 0.9 is an order of magnitude a year"),
    ("years", "years", "non_negative", "Years ahead; fractions allowed"),
    ("queries_per_user_per_month", "queries/user/month", "non_negative", "Queries per user per month"),
    ("users", "users", "non_negative", "Users; 1 gives the figure per user"),
    ("cogs_per_user", "USD/user/month", "non_negative", "Inference cost of goods sold per user per month"),
    ("arpu", "USD/user/month", "positive", "Average revenue per user per month"),
    ("revenue", "USD", "positive", "Revenue"),
    ("cogs", "USD", "non_negative", "Cost of goods sold"),
    ("threshold", "fraction", "share", "COGS share of ARPU above which the product needs redesign (0.30)"),
    ("cogs_share", "fraction", "finite", "Inference cost of goods sold over average revenue per user"),
    ("gross_margin", "fraction", "finite", "Gross margin, (revenue - COGS) / revenue"),
    ("margin_floor", "fraction", "finite", "Gross margin below which the product is a services business (0.50)"),
    ("multiples", "ratio", "positive", "Plans to show, as multiples of today's users", "sequence of float"),
    ("quantiles", "fraction", "share", "Which quantiles of the cost per query", "sequence of float"),
    # catalogue look-ups
    ("field", "name", None,
     'Catalogue column: "tflops" (dense BF16 peak) [TFLOP/s], "bandwidth" [TB/s], "memory" [GB], "power" [W], '
     '"vendor", "as_of", "source" or any other column'),
    ("tier", "name", None,
     'Rental tier: "reserved", "on_demand", "spot", or a commitment "1_year" or "3_year"'),
    ("model", "name", None, 'API model name in the price data (genai-prices), e.g. "gpt-4o"'),
    ("kind", "name", None, 'Which price: "input", "cached_input" (prompt-cache read), "cache_write" or "output"'),
    ("provider", "name", None,
     'API provider id in the price data, e.g. "openai", "anthropic", "aws"; not given: the model\'s own provider'),
    ("price_date", "date", None,
     'Day the price must be in force on, e.g. "2026-03-31"; not given: today (UTC)', "str, datetime.date or None"),
    ("service_tier", "name", None,
     'API service tier: "standard", "batch", "flex", "priority" or "fast", where the provider has it'),
    # scenarios
    ("frame", "table", None, "One scenario per row, one input per column, named as the functions' arguments",
     "pandas.DataFrame"),
    ("functions", "callable", None, "costlib functions to evaluate on every row", "callable"),
    ("fixed", "any", None, "Arguments that are the same for every scenario", "any"),
    # ranges (costlib.simulate)
    ("function_or_template", "callable or template", None,
     "A costlib function, or a template: its name (costlib templates lists them), a path to a .toml file or a "
     "loaded template", "callable, str, path or Template"),
    ("ranges", "input -> range", None,
     "Uncertain inputs: name -> (low, base, high) in the input's unit, a dict such as "
     "{'dist': 'normal', 'mean': m, 'sd': s}, or a costlib.Range; not given, a template's declared ranges",
     "dict"),
    ("n", "draws", None, "Draws of the uncertain inputs, a whole number >= 1", "int"),
    ("seed", "seed", None, "Seed of the draws, a whole number >= 0: the same seed gives the same numbers", "int"),
    ("outputs", "names", None,
     "Outputs to report: a template's items, or the fields of a function's result; not given: every number",
     "sequence of str"),
    ("dist", "name", None, 'Distribution of a (low, base, high) range: "pert" or "triangular"'),
    ("progress", "callable", None, "Called as progress(done, n) after each block of draws, for a progress bar",
     "callable"),
    # serving, tensor parallel (appended)
    ("link_efficiency", "fraction", "fraction",
     "Share of the interconnect's one-way bandwidth a tensor-parallel all-reduce reaches"),
    # API bills (appended)
    ("cache_write_share", "fraction", "share",
     "Share of the input tokens not read from the cache that are written to it (billed at the cache-write price)"),
    ("cache_write_price_per_m_tokens", "USD/Mtok", "non_negative",
     "API list price of input tokens written to the prompt cache; when not given, the input price"),
    ("reasoning_tokens", "tokens", "non_negative",
     "Hidden reasoning tokens per query, beyond the output tokens; billed as output"),
    ("batch_discount", "fraction", "share",
     "Share taken off the bill for batch processing, where the price data has no batch price"),
    ("cache_write_ttl", "name", None, 'How long a prompt-cache write lasts, "5m" or "1h" (priced apart by some providers)'),
)

#: Per-function readings that differ from :data:`ARGUMENTS`: function name -> argument -> reading.
READINGS: dict[str, dict[str, Argument]] = {}
#: Function name -> the function whose readings :data:`READINGS` holds (a docstring example's too).
_READERS: dict[str, Callable] = {}


def lookup(name: str) -> Argument | None:
    """The registered :class:`Argument` called ``name``, or None where there is none.

    For template inputs: an input whose name is registered (``mfu``, ``params``,
    ``utilization``...) takes its unit and rule from here unless the template says them.

    >>> lookup("utilization").unit, lookup("utilization").rule
    ('fraction', 'fraction')
    >>> lookup("monthly_growth") is None
    True
    """
    return ARGUMENTS.get(name) if isinstance(name, str) else None


def _default_text(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


_STATED_UNIT = re.compile(r"\[([^\[\]]+)\]")


def _resolve(name: str, override: Any, function_name: str) -> Argument:
    if override is None:
        try:
            return ARGUMENTS[name]
        except KeyError:
            raise TypeError(f"{function_name}: argument {name} is not in costlib.arguments.ARGUMENTS; "
                            "register it there or give its reading in @documented") from None
    if isinstance(override, Argument):
        return override if override.name == name else override.but(name=name)
    if isinstance(override, str):
        base = ARGUMENTS.get(name) or Argument(name, "", None, override)
        # a reading that states its own unit ("... its board power [W] as a number") has that unit
        stated = _STATED_UNIT.findall(override)
        return base.but(meaning=override, **({"unit": stated[-1]} if stated else {}))
    raise TypeError(f"{function_name}: the reading of {name} must be text or an Argument, got {override!r}")


def _entry(arg: Argument, parameter: Any) -> list[str]:
    import inspect

    star = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
    head = f"{star}{arg.name} : {arg.type}"
    if parameter.default is None:
        head += ", optional"
    elif parameter.default is not inspect.Parameter.empty:
        head += f", default {_default_text(parameter.default)}"
    return [head, "    " + arg.text]


def documented(*, returns: str | dict[str, str] | None = None, **readings: str | Argument) -> Callable:
    """Decorator: generate the function's numpydoc Parameters section from the registry.

    ``returns`` is the unit of the result (for a record, field -> unit), as the Returns
    section says it; :func:`result_units` gives it to ``costlib.simulate``.

    The docstring's source holds the line ``{parameters}`` (:data:`PLACEHOLDER`) where the
    section goes; each keyword is this function's own reading of an argument, as text
    (meaning with its [unit]) or an :class:`Argument` (when the rule or type differs too).
    The function itself is returned unchanged but for ``__doc__``; the resolved texts are
    in ``function.__arguments__`` and :func:`describe`.

    >>> @documented(gpu="Accelerator: a catalogue name, or its board power [W] as a number.")
    ... def watts(gpu_hours, gpu="H100"):
    ...     '''Energy [kWh].
    ...
    ...     {parameters}
    ...     '''
    >>> print(watts.__doc__.strip())
    Energy [kWh].
    <BLANKLINE>
        Parameters
        ----------
        gpu_hours : array_like
            Accelerator time [GPU-h].
        gpu : str, float or array_like, default "H100"
            Accelerator: a catalogue name, or its board power [W] as a number.
    >>> describe(watts, "gpu", with_default=True)
    'Accelerator: a catalogue name, or its board power [W] as a number; default "H100".'
    """

    import inspect

    def decorate(function: Callable) -> Callable:
        name = function.__name__
        parameters = inspect.signature(function).parameters
        unknown = set(readings) - set(parameters)
        if unknown:
            raise TypeError(f"{name}: @documented names {sorted(unknown)}, which are not its parameters")
        resolved = {p: _resolve(p, readings.get(p), name) for p in parameters}
        function.__arguments__ = resolved
        function.__returns__ = returns
        READINGS[name] = {p: resolved[p] for p in readings}
        _READERS[name] = function
        doc = function.__doc__
        if doc is not None:  # None under python -OO
            lines = doc.split("\n")
            where = [i for i, line in enumerate(lines) if line.strip() == PLACEHOLDER]
            if len(where) != 1:
                raise TypeError(f"{name}: the docstring must hold the line {PLACEHOLDER} once for @documented")
            i = where[0]
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            block = ["Parameters", "----------"]
            for p, parameter in parameters.items():
                block += _entry(resolved[p], parameter)
            lines[i:i + 1] = [indent + line for line in block]
            function.__doc__ = "\n".join(lines)
        return function

    return decorate


def arguments_of(function: Callable) -> dict[str, Argument]:
    """Each parameter of ``function`` as the function reads it: its own readings, else the registry."""
    resolved = getattr(function, "__arguments__", None)
    if resolved is not None:
        return dict(resolved)
    import inspect

    return {p: _resolve(p, None, getattr(function, "__name__", "?")) for p in inspect.signature(function).parameters}


def result_units(function: Callable, names: list[str]) -> dict[str, str]:
    """The unit of each of ``function``'s outputs ``names`` (its result, or its record's fields), as
    ``@documented(returns=...)`` declares it; "" where it declares none.

    >>> import costlib
    >>> result_units(costlib.train_cost, ["train_cost"])
    {'train_cost': 'USD'}
    """
    declared = getattr(function, "__returns__", None)
    if isinstance(declared, dict):
        return {name: declared.get(name, "") for name in names}
    return {name: declared if declared and len(names) == 1 else "" for name in names}


def describe(function: Callable, name: str, *, with_default: bool = False) -> str:
    """The resolved text of argument ``name`` of ``function``: what its docstring says of it.

    ``with_default=True`` adds the default, as the Excel help shows it.

    >>> import costlib
    >>> describe(costlib.energy_cost, "gpu")
    'Accelerator: a catalogue name such as "H100", or its board power [W] as a number.'
    >>> describe(costlib.train_cost, "mfu", with_default=True)
    "Model FLOPs utilisation, the realised share of the accelerator's dense peak [fraction in (0, 1]]; default 0.4."
    """
    arguments = arguments_of(function)
    if name not in arguments:
        raise KeyError(f"{getattr(function, '__name__', function)} has no argument {name!r}")
    text = arguments[name].text
    if with_default:
        import inspect

        default = inspect.signature(function).parameters[name].default
        if default is not inspect.Parameter.empty and default is not None:
            text = f"{text[:-1]}; default {_default_text(default)}."
    return text


#: Where the generated table sits in README.md's "## Nomenclature" section.
README_BEGIN = "<!-- nomenclature: generated from costlib/arguments.py by scripts/make_docs.py; do not edit -->"
README_END = "<!-- end of the generated nomenclature -->"


def with_nomenclature(readme: str) -> str:
    """``readme`` (README.md's text) with its generated nomenclature block made current."""
    from ._generated import with_block

    return with_block(readme, README_BEGIN, README_END, nomenclature_markdown(), "README.md")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def nomenclature_markdown() -> str:
    """The README's nomenclature table(s), generated from the registry and the readings.

    The first table lists every registered argument; the second, each function's own
    reading where it differs. Importing the public functions (so that every reading is
    registered) loads numpy: this is for documentation, not for the command line.
    """
    import costlib

    for public in costlib.__all__:
        getattr(costlib, public)
    lines = ["| Name | Meaning | Unit | Rule |", "|---|---|---|---|"]
    for arg in ARGUMENTS.values():
        rule = RULES[arg.rule][4].removeprefix("must be ") if arg.rule else "-"
        lines.append(f"| `{arg.name}` | {_cell(arg.meaning.rstrip('.'))} | {_cell(arg.unit)} | {_cell(rule)} |")
    lines += ["", "Where one function reads an argument differently, its docstring and its Excel help say so:",
              "", "| Function | Argument | Reading | Rule |", "|---|---|---|---|"]
    for function in sorted(READINGS):
        defined = _READERS[function]
        if getattr(sys.modules.get(defined.__module__), function, None) is not defined:
            continue  # defined where no module holds it (a docstring example): not costlib's
        for name, arg in READINGS[function].items():
            registered = ARGUMENTS.get(name)
            if registered is None or (arg.text, arg.rule) != (registered.text, registered.rule):
                rule = "" if registered and arg.rule == registered.rule else (
                    RULES[arg.rule][4].removeprefix("must be ") if arg.rule else "-")
                lines.append(f"| `{function}` | `{name}` | {_cell(arg.text)} | {_cell(rule)} |")
    return "\n".join(lines) + "\n"
