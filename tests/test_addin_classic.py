"""The classic (Windows, COM) add-in, through xlwings's own classic code.

xlwings's classic decorators (``xlwings.udfs.xlfunc``/``xlarg``/``xlret``) and its VBA
generator (``generate_vba_wrapper``, what "Import Functions" and ``ImportPythonUDFsToAddin``
run) are plain Python; only their module's imports need pywin32, so pywin32's three
modules are stood in for here and nothing else. The add-in's module is then loaded as the
classic runtime loads it, its VBA module generated exactly as xlwings writes it, and every
name and line checked against what the VBA compiler accepts: one compile error stops the
whole module, so none of the 32 functions would work (``Date`` and ``Function`` as
argument names did that; xlwings issue #563 is the same with ``currency``).
"""

import importlib.util
import inspect
import io
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import costlib.excel

ROOT = Path(__file__).resolve().parents[1]

#: VBA's reserved identifiers, [MS-VBAL] 3.3.5.2 "Reserved Identifiers and IDENTIFIER"
#: (Microsoft, VBA Language Specification v1.1, https://learn.microsoft.com/openspecs/microsoft_general_purpose_programming_languages/ms-vbal/),
#: every list: statement keywords, marker keywords, operator identifiers, reserved names,
#: special forms, reserved type identifiers, literal identifiers, Rem, names reserved for
#: the implementation and the future; plus Error and Property, statement words VBA refuses as
#: parameter names too.
VBA_RESERVED = {w.lower() for w in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng DefLngPtr DefObj
    DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For Friend Function Get Global GoSub
    GoTo If Implements Input Let Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent ReDim
    Resume Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write
    Rem
    Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab Then To
    AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor
    Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date Debug DoEvents Fix
    Int Len LenB Me PSet Scale Sgn String
    Array Circle InputB LBound UBound
    Boolean Byte Currency Double Integer Long LongLong LongPtr Single Variant
    True False Nothing Empty Null
    Attribute LINEINPUT VB_Base VB_Control VB_Creatable VB_Customizable VB_Description VB_Exposed VB_Ext_KEY
    VB_GlobalNameSpace VB_HelpID VB_Invoke_Func VB_Invoke_Property VB_Invoke_PropertyPut
    VB_Invoke_PropertyPutRef VB_MemberFlags VB_Name VB_PredeclaredId VB_ProcData VB_TemplateDerived
    VB_UserMemId VB_VarDescription VB_VarHelpID VB_VarMemberFlags VB_VarProcData VB_VarUserMemId
    CDecl Decimal DefDec
    Error Property
""".split()}

#: Names xlwings's wrapper declares itself inside a function with a ParamArray.
XLWINGS_LOCALS = {"argsarray", "k"}

#: [MS-VBAL] 3.3.5: an identifier is a letter then letters, digits and underscores, at most 255 characters.
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")
#: VBA's editor limits: 1,023 characters on a physical line, 24 line continuations in a logical line.
MAX_LINE, MAX_CONTINUATIONS = 1023, 24
#: Excel's Application.MacroOptions: a description and each argument's description, at most 255 characters
#: (xlwings's import_udfs cuts them there: ``xlret["doc"][:255]``, ``arg["doc"][:255]``).
MAX_HELP = 255


@pytest.fixture(scope="module")
def classic():
    """xlwings's classic UDF code and the add-in loaded through it, as on Windows."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
            mp.setitem(sys.modules, name, types.ModuleType(name))
        sys.modules["pythoncom"].CoInitialize = lambda: None
        sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
        sys.modules["win32com.client"].Dispatch = None
        sys.modules["win32com"].client = sys.modules["win32com.client"]
        mp.delitem(sys.modules, "xlwings.udfs", raising=False)
        udfs = importlib.import_module("xlwings.udfs")
        import xlwings as xw

        mp.setattr(xw, "func", udfs.xlfunc)  # what `import xlwings` binds on Windows with pywin32
        mp.setattr(xw, "arg", udfs.xlarg)
        mp.setattr(xw, "ret", udfs.xlret)
        spec = importlib.util.spec_from_file_location("costlib_udfs_classic",
                                                      ROOT / "addin" / "costlib_udfs" / "__init__.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        mp.delenv("XLWINGS_ON_SERVER", raising=False)  # the classic runtime
        # conversion.write(..., None, ...) looks up the Windows engine, which the raw return
        # converter never uses: another engine stands in for it
        mp.setitem(xw.engines.engines_by_name, "excel", xw.engines["officejs"])
        yield udfs, module
        sys.modules.pop("xlwings.udfs", None)


class _AddinWorkbook:
    Name = "costlib_functions.xlam"  # a custom add-in, as addin/README.md sets it up


def vba_module(udfs, module) -> str:
    """The module xlwings imports into the workbook, written as ``import_udfs`` writes it."""
    out = io.StringIO()
    writer = udfs.VBAWriter(out)
    writer.writeln('Attribute VB_Name = "xlwings_udfs"')
    writer.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
    writer.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    udfs.generate_vba_wrapper("costlib_udfs", module, out, _AddinWorkbook())
    return out.getvalue()


def declarations(vba: str) -> list[tuple[str, list[str]]]:
    """Each ``Function NAME(arguments)`` of the module: its name and its argument names."""
    logical = vba.replace(" _\n", "")
    found = []
    for m in re.finditer(r"^(?:Function|Sub) (\w+)\((.*)\)$", logical, re.MULTILINE):
        names = [re.sub(r"^(Optional |ParamArray )", "", a).removesuffix("()") for a in m[2].split(", ") if a]
        found.append((m[1], names))
    return found


def problems(vba: str) -> list[str]:
    """What the VBA compiler would refuse in ``vba``: reserved or malformed names, long lines."""
    bad = []
    functions = declarations(vba)
    for name, arguments in functions:
        for identifier in [name, *arguments]:
            if identifier.lower() in VBA_RESERVED:
                bad.append(f"{name}: {identifier} is a reserved word in VBA")
            if not IDENTIFIER.fullmatch(identifier):
                bad.append(f"{name}: {identifier!r} is not a VBA identifier")
        lowered = [a.lower() for a in arguments]
        if len(set(lowered)) != len(lowered) or name.lower() in lowered or XLWINGS_LOCALS & set(lowered):
            bad.append(f"{name}: arguments {arguments} collide (VBA ignores case)")
    names = [n.lower() for n, _ in functions]
    if len(set(names)) != len(names):
        bad.append("two functions share a name (VBA ignores case)")
    for line in vba.split("\n"):
        if len(line) > MAX_LINE:
            bad.append(f"a line of {len(line)} characters")
    for logical in re.split(r"(?<! _)\n", vba):
        if logical.count(" _\n") > MAX_CONTINUATIONS:
            bad.append(f"{logical.count(' _' + chr(10))} line continuations in one statement")
    return bad


def test_the_generated_vba_module_compiles_by_the_rules(classic):
    udfs, module = classic
    vba = vba_module(udfs, module)
    found = dict(declarations(vba))
    assert set(found) == {f.name for f in costlib.excel.FUNCTIONS} | {"COSTLIB_MESSAGE"}  # all 32 declared
    assert found["API_PRICE"] == ["model", "kind", "provider", "price_date", "service_tier"]
    assert found["COSTLIB_MESSAGE"] == ["function_name", "arguments"]
    assert problems(vba) == []


@pytest.mark.parametrize("argument,reason", [
    ("date", "reserved"), ("function", "reserved"), ("currency", "reserved"),  # xlwings #563
    ("String", "reserved"), ("k", "collide"), ("_x", "not a VBA identifier"),
])
def test_the_check_catches_what_vba_refuses(classic, argument, reason):
    """The checker is not vacuous: the names that broke the module, and others VBA refuses."""
    udfs, _ = classic
    source = f"def BAD({argument}, *arguments):\n    return 1\n"
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 (a fixed, local function)
    fake = types.ModuleType("fake")
    fake.BAD = udfs.xlfunc(namespace["BAD"])
    assert any(reason in p for p in problems(vba_module(udfs, fake))), argument


def test_long_lines_are_split_within_vbas_limits(classic):
    """xlwings splits a declaration over 1,024 characters with ' _': the limits hold even then."""
    udfs, _ = classic
    arguments = [f"argument_number_{i:03d}" for i in range(60)]  # a ~1,500-character declaration
    namespace: dict = {}
    exec(f"def WIDE({', '.join(arguments)}):\n    return 1\n", namespace)  # noqa: S102
    fake = types.ModuleType("fake")
    fake.WIDE = udfs.xlfunc(namespace["WIDE"])
    vba = vba_module(udfs, fake)
    assert " _\n" in vba  # it was split
    assert declarations(vba) == [("WIDE", arguments)] and problems(vba) == []


def test_every_help_text_fits_excels_255_characters(classic):
    """Excel's function wizard takes at most 255 characters per description: none is cut."""
    _, module = classic
    for spec in costlib.excel.FUNCTIONS:
        info = getattr(module, spec.name).__xlfunc__
        assert len(info["ret"]["doc"]) <= MAX_HELP, spec.name
        for arg in info["args"]:
            assert len(arg["doc"]) <= MAX_HELP, (spec.name, arg["name"], len(arg["doc"]))


def test_one_name_per_argument_across_library_functions_and_registry():
    """A renamed argument has one name everywhere: no alias for Excel only."""
    from costlib import arguments

    for spec in costlib.excel.FUNCTIONS:
        params = inspect.signature(spec.target).parameters
        for name in spec.arguments:
            assert name in params, (spec.name, name)  # the library's own name
            assert name in arguments.ARGUMENTS or name in arguments.arguments_of(spec.target), (spec.name, name)
    assert "date" not in arguments.ARGUMENTS and "price_date" in arguments.ARGUMENTS


# --- what a cell gets for an error ----------------------------------------------------------

CLASSIC_CASES = [
    # (function, arguments as the classic add-in hands them over, why the cell is an error)
    ("BREAKEVEN", (1000, 0.3, 0.35), "no break-even"),
    ("TRAIN_COST", (70e9, 15e12, 2, "H100", 1.4), "mfu must be in (0, 1], got 1.4"),
    ("TOKEN_COST", ("abc", 2000), "price_per_gpu_hour must be a number"),
    ("TOKEN_COST", (-2146826246, 2000), "price_per_gpu_hour is the error #N/A"),  # an #N/A cell (CVErr code)
    ("GPU_SPEC", ("H1000", "bandwidth"), "gpu must be a name in the accelerators catalogue"),
]


@pytest.mark.parametrize("name,args,why", CLASSIC_CASES, ids=[c[0] + str(i) for i, c in enumerate(CLASSIC_CASES)])
def test_an_error_reaches_excel_as_a_null_never_a_number_or_text(classic, name, args, why):
    """Through xlwings's own return path: ``call_udf`` converts the result with
    ``conversion.write(ret, None, ret_info["options"])`` and ``XLPython.CallUDF`` unwraps a 1x1
    result; pywin32 turns None into a Null variant (VT_NULL, oleargs.cpp
    ``PyCom_VariantFromPyObject``), which Excel shows as #VALUE! (xlwings issue #390)."""
    udfs, module = classic
    from xlwings import conversion

    assert 'conversion.write(ret, None, ret_info["options"])' in inspect.getsource(udfs.call_udf)
    func = getattr(module, name)
    result = conversion.write(func(*args), None, func.__xlfunc__["ret"]["options"])
    assert result == [[None]]  # CallUDF hands Excel result[0][0]: None, a Null variant
    assert module.COSTLIB_MESSAGE(name, *args).startswith(why)


def test_a_range_with_a_bad_cell_is_one_null_inside_the_array(classic):
    """Excel cannot show a Null inside an array either: the whole result shows #VALUE!, never a
    wrong total; COSTLIB_MESSAGE names the row."""
    udfs, module = classic
    from xlwings import conversion

    func = module.TOKEN_COST
    got = conversion.write(func(((2.5,), ("abc",), (3.0,)), 2000), None, func.__xlfunc__["ret"]["options"])
    assert got[1] == [None] and isinstance(got[0][0], float) and not any(
        isinstance(v, float) and np.isnan(v) for row in got for v in row)
    assert module.COSTLIB_MESSAGE("TOKEN_COST", ((2.5,), ("abc",), (3.0,)), 2000)[1][0].endswith(
        "(row 2, column 1 of its range)")


def test_the_demos_argument_count_rows_hold_in_the_generated_vba(classic):
    """workbooks/udf-demo.xlsx says the classic TOKEN_COST declares 3 parameters (5 arguments never reach
    Python) and COSTLIB_MESSAGE takes a ParamArray (any number reach it): as the generated module declares."""
    udfs, module = classic
    vba = vba_module(udfs, module).replace(" _\n", "")
    assert dict(declarations(vba))["TOKEN_COST"] == ["price_per_gpu_hour", "tokens_per_second", "utilization"]
    assert re.search(r"^Function COSTLIB_MESSAGE\(function_name, ParamArray arguments\(\)\)$", vba, re.MULTILINE)
