"""The printed pack: every workbook rendered to PDF by LibreOffice, page by page.

What a finance reader holds is the print: each template's default workbook is converted to
PDF (LibreOffice headless) and read back with poppler's pdftotext (Debian's poppler-utils).
Each page's footer names its sheet ("&A"), so pages are counted per sheet. The first sheet
prints on at most two pages and holds the decision sentence, the close-call verdict, the
master check, the active scenario and every key figure's label whole; no two lines of text
overprint each other on any page; month axes are dates; the paper follows the currency
(Letter for US dollars, A4 otherwise).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from costlib.plan import load_template, schedule, template_names
from costlib.workbook import generate
from costlib.workbook.recalc import convert

#: Pages a default workbook prints, by sheet: a ceiling, measured 2026-12-06 with LibreOffice 7 (Debian) (unit
#: economics' Inputs: 3 since the named API model, its service tier and long-context tier inputs; the budget's 4
#: and finetune-vs-prompt's 3 since the Constants block holds mfu_scale_by_precision); the first
#: sheet's two pages are the issue's requirement, not a measurement
CEILINGS = {
    "budget": {"Summary": 2, "Inputs": 4, "Calculations": 1, "Headcount": 3, "Build": 3, "Opex": 3, "Accounting": 3,
               "Verify": 1, "Ranges": 2, "Annual": 2, "Quarterly": 1, "Checks": 5, "Catalogue": 1, "About": 1},
    "build-vs-buy": {"Summary": 2, "Inputs": 2, "Setup": 2, "Opex": 2, "Verify": 1, "Ranges": 2, "Annual": 1,
                     "Quarterly": 1, "Checks": 2, "Catalogue": 1, "About": 1},
    "finetune-vs-prompt": {"Summary": 2, "Inputs": 3, "Fine-tunes": 2, "Opex": 2, "Verify": 1, "Ranges": 2, "Annual": 1,
                           "Quarterly": 1, "Checks": 2, "Catalogue": 1, "About": 1},
    "unit-economics": {"Summary": 2, "Inputs": 3, "Verify": 1, "Ranges": 2, "Checks": 1, "Catalogue": 1, "About": 1},
}
LETTER, A4 = (792, 612), (842, 595)  # landscape page sizes [pt]
FOOTER = re.compile(r"\.xlsx\s+(\S[^\n]*?)\s+Page \d+ of \d+")  # the footer line, as pdftotext -layout lays it


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed: apt-get install poppler-utils (scripts/test.sh installs it)"
    return found


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    src = tmp_path_factory.mktemp("pack")
    cases = {name: {} for name in template_names()} | {"budget-eur": {"currency": "EUR"}}
    paths = []
    for case, overrides in cases.items():
        path = src / f"{case}.xlsx"
        generate(case.removesuffix("-eur"), overrides, path)
        paths.append(path)
    out = tmp_path_factory.mktemp("pack-pdf")
    convert(paths, out, to="pdf")
    return {case: out / f"{case}.pdf" for case in cases}


def _pages(pdf) -> list[tuple[str, str]]:
    """(sheet, text) of each page: the sheet from the footer's line, the text in reading order."""
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info)[1])
    out = []
    for p in range(1, count + 1):
        read = [_tool("pdftotext"), "-f", str(p), "-l", str(p), str(pdf), "-"]
        laid = subprocess.run(read[:1] + ["-layout"] + read[1:], capture_output=True, text=True, check=True).stdout
        found = FOOTER.search(laid)
        assert found, f"page {p} without the footer: {laid[-200:]!r}"
        out.append((found[1], subprocess.run(read, capture_output=True, text=True, check=True).stdout))
    return out


def _flat(text: str) -> str:
    """The text as one line, without hyphens: pdftotext joins a word the print broke after its hyphen at a
    line's end ("month-" / "1") and drops the hyphen ("month1"), so both sides are compared without them."""
    return re.sub(r"\s+", " ", text.replace("-", "")).strip()


@pytest.mark.parametrize("template", sorted(CEILINGS))
def test_pages_per_sheet_and_a_first_sheet_of_two_pages_at_most(pdfs, template):
    counts = Counter(sheet for sheet, _ in _pages(pdfs[template]))
    first = load_template(template).ordered_sheets[0].name
    assert 1 <= counts[first] <= 2, counts
    assert set(counts) == set(CEILINGS[template]), counts  # every sheet prints, none is left out
    over = {s: n for s, n in counts.items() if n > CEILINGS[template][s]}
    assert not over, f"more pages than measured: {over} (all: {dict(counts)})"


@pytest.mark.parametrize("template", sorted(CEILINGS))
def test_the_first_pages_hold_the_decision_the_check_the_scenario_and_the_key_figures_whole(pdfs, template):
    t = load_template(template)
    s = schedule(t)
    first = t.ordered_sheets[0].name
    text = _flat(" ".join(page for sheet, page in _pages(pdfs[template]) if sheet == first))
    for name in t.headline:
        assert _flat(s.items[name]) in text, f"the decision sentence is not whole in the print: {s.items[name][:80]}"
    assert "All checks pass (sheet Checks) TRUE" in text
    assert "Scenario: Base: each uncertain input at its base value (Inputs)" in text
    if t.close_call is not None:
        assert re.search(r"(Too close to call|Clear): .+? in \d+ % of draws", text)
    for name in t.key_numbers:
        label = t.items[name][1].label
        assert _flat(label) in text, f"key figure {name}: its label {label!r} is not whole in the print"


def _lines(pdf):
    """Each page's text lines as (xmin, ymin, xmax, ymax, text), from pdftotext -bbox-layout."""
    xhtml = subprocess.run([_tool("pdftotext"), "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        lines = []
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            words = " ".join(w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word"))
            lines.append((*box, words))
        pages.append(lines)
    return pages


def _overlap(a, b) -> float:
    """The share of the smaller box that two boxes share (0 when apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def test_the_overprint_reader_can_fail():
    assert _overlap((0, 0, 10, 10, "a"), (5, 5, 15, 15, "b")) == 0.25
    assert _overlap((0, 0, 10, 10, "a"), (10, 0, 20, 10, "b")) == 0.0


@pytest.mark.parametrize("template", sorted(CEILINGS))
def test_no_text_overprints_other_text(pdfs, template):
    found = []
    for number, lines in enumerate(_lines(pdfs[template]), start=1):
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                if _overlap(a, b) > 0.2:
                    found.append(f"page {number}: {a[4][:40]!r} over {b[4][:40]!r}")
    assert not found, f"{len(found)} overprinted lines, e.g. {found[:4]}"


@pytest.mark.parametrize("case, size", [("budget", LETTER), ("build-vs-buy", LETTER), ("budget-eur", A4)])
def test_the_paper_follows_the_currency(pdfs, case, size):
    info = subprocess.run([_tool("pdfinfo"), str(pdfs[case])], capture_output=True, text=True, check=True).stdout
    width, height = (round(float(v)) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (width, height) == size


def test_month_axes_show_dates(pdfs):
    # the finetune-vs-prompt charts run over 24 months from January 2027: the axis says Jan-27, never 46418
    text = " ".join(page for sheet, page in _pages(pdfs["finetune-vs-prompt"]) if sheet == "Summary")
    assert "Jan-27" in text and "Month ending" in text
    assert not re.search(r"\b4[67]\d{3}\b", text)  # no date serial (46,388 is 2027-01-31)
