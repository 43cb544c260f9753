"""The one registry of argument meanings (costlib/arguments.py) and everything that reads it.

- every parameter of every public function is registered, with a unit, a rule and one line;
- each public function's docstring Parameters section is generated from it, with the
  function's own readings (``gpu`` as watts in ``energy_cost``...);
- the Excel help of every argument, as xlwings registers it, is that resolved text;
- the rule a function enforces on each numeric argument is the registry's (or its reading's);
- ``_args.parse`` takes the rule from the registry when a call gives only a value (tests/test_args.py).
"""

import inspect
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from xlwings import server

import costlib
import costlib_udfs
from costlib import arguments
from costlib.arguments import ARGUMENTS, arguments_of, describe
from costlib.errors import InputError, OutOfRangeError
from costlib.rules import RULES

PUBLIC = sorted((getattr(costlib, name) for name in costlib.__all__ if inspect.isfunction(getattr(costlib, name))),
                key=lambda f: f.__name__)
#: public functions whose Parameters section is not generated (documented by hand)
HAND_DOCUMENTED = {"scenarios"}
DOCUMENTED = [f for f in PUBLIC if f.__name__ not in HAND_DOCUMENTED]


# --- the registry ---------------------------------------------------------------------

def test_every_parameter_of_every_public_function_is_registered():
    missing = sorted(f"{f.__name__}({p})" for f in PUBLIC for p in inspect.signature(f).parameters
                     if p not in ARGUMENTS)
    assert not missing, f"add to costlib/arguments.py: {missing}"


def test_every_argument_the_add_in_shows_is_registered():
    assert {n for spec in costlib_udfs.FUNCTIONS for n in spec.arguments} <= set(ARGUMENTS)


@pytest.mark.parametrize("name", sorted(ARGUMENTS))
def test_each_entry_has_a_unit_a_known_rule_and_one_line(name):
    arg = ARGUMENTS[name]
    assert arg.name == name and arg.unit and arg.meaning
    assert arg.rule is None or arg.rule in RULES
    assert "\n" not in arg.meaning and "`" not in arg.meaning
    assert re.search(r"\[[^\]]+\]", arg.text), f"{name}: no [unit] in {arg.text!r}"


def test_the_registry_module_is_light():
    code = "import sys, costlib.arguments; assert 'numpy' not in sys.modules, 'numpy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lookup_for_template_inputs():
    assert arguments.lookup("mfu") is ARGUMENTS["mfu"]
    assert arguments.lookup("monthly_growth") is None
    assert arguments.lookup(None) is None


# --- the docstrings -------------------------------------------------------------------

def parameters_section(function):
    doc = inspect.getdoc(function)
    assert "\nParameters\n----------\n" in doc, f"{function.__name__}: no Parameters section"
    body = doc.split("\nParameters\n----------\n", 1)[1]
    entries, current = {}, None
    for line in body.splitlines():
        if not line.strip():
            break
        if not line.startswith(" "):
            head = line.split(" : ", 1)
            current = head[0].lstrip("*")
            entries[current] = [head[1] if len(head) > 1 else "", ""]
        else:
            entries[current][1] += line.strip()
    return entries


@pytest.mark.parametrize("function", DOCUMENTED, ids=lambda f: f.__name__)
def test_docstring_parameters_are_the_resolved_texts(function):
    assert hasattr(function, "__arguments__"), f"{function.__name__}: decorate it with @documented(...)"
    entries = parameters_section(function)
    signature = inspect.signature(function).parameters
    assert list(entries) == list(signature)
    for name, (type_line, text) in entries.items():
        assert text == describe(function, name)
        assert type_line.startswith(arguments_of(function)[name].type)
        default = signature[name].default
        if default is None:
            assert type_line.endswith(", optional")
        elif default is not inspect.Parameter.empty:
            assert ", default " in type_line
    assert arguments.PLACEHOLDER not in function.__doc__


def test_per_function_readings_are_in_the_docstrings():
    assert "[W]" in describe(costlib.energy_cost, "gpu")
    assert "[TB/s]" in describe(costlib.decode_tokens_per_second, "gpu")
    assert "[TFLOP/s]" in describe(costlib.train_cost, "gpu")
    assert "All the parameters" in describe(costlib.weight_bytes, "params")
    assert "served" in describe(costlib.serving_gpu_hours, "tokens")
    assert "all routed experts" in describe(costlib.moe_active_params, "expert_params")
    assert "whole programme" in describe(costlib.programme_capex, "data_preparation_share")
    for function, name in [(costlib.energy_cost, "gpu"), (costlib.weight_bytes, "params")]:
        assert describe(function, name) in inspect.getdoc(function)


def test_documented_refuses_a_reading_of_no_parameter_and_a_missing_placeholder():
    with pytest.raises(TypeError, match="not its parameters"):
        arguments.documented(gpus="x [count]")(lambda gpu: None)

    def no_placeholder(params):
        """Nothing [B]."""

    with pytest.raises(TypeError, match="placeholder|parameters"):
        arguments.documented()(no_placeholder)


# --- the Excel help -------------------------------------------------------------------

@pytest.fixture(scope="module")
def meta():
    return {f["name"]: {p["name"]: p["description"] for p in f["parameters"]}
            for f in server.custom_functions_meta(costlib_udfs)["functions"]}


@pytest.mark.parametrize("spec", costlib_udfs.FUNCTIONS, ids=lambda s: s.name)
def test_excel_help_is_the_functions_own_text(meta, spec):
    for name in spec.arguments:
        assert meta[spec.name][name] == costlib_udfs.argument_help(spec, name)
        assert meta[spec.name][name].startswith(describe(spec.target, name, with_default=True)[:-1])


def test_excel_help_fixed_where_it_was_wrong(meta):
    assert "[W]" in meta["ENERGY_COST"]["gpu"] and "TFLOP/s" not in meta["ENERGY_COST"]["gpu"]
    assert "[TB/s]" in meta["DECODE_TOKENS_PER_SECOND"]["gpu"]
    assert "TFLOP/s" not in meta["DECODE_TOKENS_PER_SECOND"]["gpu"]
    assert "All the parameters" in meta["WEIGHT_BYTES"]["params"]
    assert "not the active" in meta["WEIGHT_BYTES"]["params"]
    assert "served" in meta["SERVING_GPU_HOURS"]["tokens"]
    assert "Training" not in meta["SERVING_GPU_HOURS"]["tokens"]
    assert "all routed experts" in meta["MOE_ACTIVE_PARAMS"]["expert_params"]
    assert "one routed expert" not in meta["MOE_ACTIVE_PARAMS"]["expert_params"]
    assert "whole programme" in meta["PROGRAMME_CAPEX"]["data_preparation_share"]
    assert "name, not a number" in meta["GPU_PRICE"]["gpu"]
    assert meta["TRAIN_COST"]["mfu"].endswith("; default 0.4.")


# --- the rules the functions enforce ---------------------------------------------------

def typical(rule):
    """A value well inside ``rule``."""
    return {"fraction": 0.5, "share": 0.5, "share_below_one": 0.5}.get(rule, 2.0)


def sequence_argument(function, name):
    return arguments_of(function)[name].type.startswith("sequence")


def call(function, name, value, as_array=False):
    """``function`` with ``value`` for ``name``; its other required arguments typical values."""
    kwargs = {}
    for p, parameter in inspect.signature(function).parameters.items():
        if p == name:
            kwargs[p] = [value] if sequence_argument(function, p) else np.array([value]) if as_array else value
        elif parameter.default is inspect.Parameter.empty:
            kwargs[p] = typical(arguments_of(function)[p].rule) if arguments_of(function)[p].rule else "H100"
    return function(**kwargs)


def enforced(function, name, value, as_array=False):
    """The rule (a key of RULES) whose message rejects ``value`` for ``name``; None if accepted."""
    try:
        call(function, name, value, as_array)
    except OutOfRangeError as exc:
        if exc.argument != name:
            return None  # another argument's check (experts_per_token <= experts, say)
        for rule, (*_, text) in RULES.items():
            if str(exc).startswith(f"{name} {text},"):
                return rule
        return "other"  # a function-specific bound (target_loss > 1.69, say)
    except InputError as exc:
        return "other" if exc.argument == name else None
    return None


def probes(rule):
    """Values just outside and just inside each finite bound of ``rule``."""
    lo, lo_incl, hi, hi_incl, _ = RULES[rule]
    d = 1e-9
    outside, inside = [], []
    if math.isfinite(lo):
        outside.append(lo - d if lo_incl else lo)
        inside.append(lo if lo_incl else lo + d)
    if math.isfinite(hi):
        outside.append(hi + d if hi_incl else hi)
        inside.append(hi if hi_incl else hi - d)
    if not outside:
        outside.append(math.inf)
    return outside, inside


NUMERIC = [(f, n) for f in PUBLIC for n in inspect.signature(f).parameters if arguments_of(f)[n].rule]


@pytest.mark.parametrize("as_array", [False, True], ids=["scalar", "array"])
@pytest.mark.parametrize("function, name", NUMERIC, ids=lambda x: getattr(x, "__name__", x))
def test_the_enforced_rule_is_the_registrys(function, name, as_array):
    """Probed just outside and just inside each bound: the rule's own message, or nothing."""
    rule = arguments_of(function)[name].rule
    outside, inside = probes(rule)
    for value in outside:
        got = enforced(function, name, value, as_array)
        assert got == rule, (f"{function.__name__}({name}={value!r}) should fail with the rule {rule!r} "
                             f"(costlib/arguments.py), got {got!r}")
    for value in inside:
        got = enforced(function, name, value, as_array)
        assert got in (None, "other"), (f"{function.__name__}({name}={value!r}) is inside the rule {rule!r} "
                                        f"but was rejected by {got!r}")


# --- result units: declared once, in @documented(returns=...) --------------------------

#: public functions whose result has no one unit: a DataFrame of several (scale_plan), a
#: Simulation, the scenarios' frame
NO_RESULT_UNIT = {"scale_plan", "simulate", "scenarios"}


@pytest.mark.parametrize("function", [f for f in DOCUMENTED if f.__name__ not in NO_RESULT_UNIT],
                         ids=lambda f: f.__name__)
def test_every_function_declares_its_result_unit_and_its_docstring_says_it(function):
    declared = function.__returns__
    assert declared, f"{function.__name__}: give @documented(returns=...) the unit of its result"
    doc = inspect.getdoc(function)
    units = declared.values() if isinstance(declared, dict) else [declared]
    if declared != "flag (1 = true)":  # a true/false result: simulate counts it as a flag
        for unit in units:
            assert f"[{unit}]" in doc, f"{function.__name__}: its docstring does not say [{unit}]"


def test_simulate_takes_the_units_from_the_registry():
    # energy_cost reads gpu as board power [W], and returns USD: both from @documented
    sim = costlib.simulate(costlib.energy_cost, {"gpu": (600, 700, 800)}, n=10,
                           fixed=dict(gpu_hours=1e6, price_per_kwh=0.1))
    assert sim.units == {"gpu": "W", "energy_cost": "USD"}
