"""Citations a reader can resolve: every source is a key of docs/references.md.

Code, templates and workbook Source cells cite a source by its key in square brackets
(``[Kaplan2020]``, ``[DeepSeekAI2024, Table 1]``); a figure no source gives says
"assumption", arithmetic on cited inputs says "identity". These tests keep it so:

1. no tracked text file cites a private label (the numbered briefing documents, the
   private domain notes or an internal issue number), which a reader cannot look up;
2. every key cited in the code, templates, tests, scripts and docs is a heading of
   docs/references.md;
3. every entry of docs/references.md has a link, or says its link was not verified;
4. in each generated workbook, the Inputs sheet's Source column cites only such keys, and
   a source that cites no key says "assumption" (or "identity").
"""

import re
import subprocess
from pathlib import Path

import pytest
from rendered import default_book

from costlib.plan import template_names

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "docs" / "references.md"
TEXT_SUFFIXES = {".py", ".toml", ".md", ".csv", ".txt"}

#: A private label: the numbered briefing documents in every spelling (long, short, with a
#: dot, plural, across a line break), the private domain notes file, an internal issue number.
#: An upstream tracker is cited by project and hash, which a reader can look up ("xlwings issue #776").
PRIVATE = re.compile(r"(?i)\b(ref(erence)?s?\.?\s*00[0-4]|DOMAIN\.md|issues?\s+\d+)\b")
#: A cited key: letters then a four-digit year (with an optional letter), or ending in ND (no date),
#: closed by "]" or followed by a locator after a comma: [Kaplan2020], [DeepSeekAI2024, Table 1].
KEY = re.compile(r"\[([A-Z][A-Za-z]+\d{4}[a-z]?|[A-Z][A-Za-z]*[a-z]ND)(?=[,\]])")
#: Where keys are cited.
CITING = ("costlib", "addin", "templates", "tests", "scripts", "docs", "README.md")


def tracked_text_files():
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        paths = [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but the build tree
        paths = [p for p in ROOT.rglob("*") if p.is_file() and "build" not in p.relative_to(ROOT).parts[:1]]
    return sorted(p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file())


def reference_entries():
    """{key: text of its entry} from docs/references.md's ``### Key`` headings."""
    entries, key = {}, None
    for line in REFERENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            key = line[4:].strip()
            entries[key] = ""
        elif line.startswith("## "):
            key = None
        elif key is not None:
            entries[key] += line + "\n"
    return entries


KEYS = set(reference_entries())


def line_of(text, index):
    return text.count("\n", 0, index) + 1


def test_references_file_has_entries():
    assert len(KEYS) >= 20
    malformed = [k for k in KEYS if not KEY.match(f"[{k}]")]
    assert not malformed, f"keys the citation pattern cannot find: {malformed}"


def test_no_private_labels():
    files = tracked_text_files()
    assert files, "no tracked text files found"
    hits = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in PRIVATE.finditer(text):
            hits.append(f"{path.relative_to(ROOT)}:{line_of(text, m.start())}: {m.group()!r}")
    assert not hits, "cite a key of docs/references.md, 'identity' or 'assumption' instead:\n" + "\n".join(hits)


def test_every_cited_key_is_in_references():
    unknown = []
    for path in tracked_text_files():
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in CITING:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in KEY.finditer(text):
            if m.group(1) not in KEYS:
                unknown.append(f"{rel}:{line_of(text, m.start())}: [{m.group(1)}]")
    assert not unknown, "keys missing from docs/references.md:\n" + "\n".join(unknown)


def test_the_citation_pattern_finds_citations():
    # guards the test above against a pattern that silently matches nothing
    text = (ROOT / "costlib" / "training.py").read_text(encoding="utf-8")
    assert "Kaplan2020" in {m.group(1) for m in KEY.finditer(text)}
    assert KEY.findall("[DeepSeekAI2024, Table 1] [ComparthingND] [FASB1974] [list] [ratio > 0]") == [
        "DeepSeekAI2024", "ComparthingND", "FASB1974"]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_reference_has_a_link(key):
    entry = reference_entries()[key]
    has_link = re.search(r"(?m)^Links?: .*https?://", entry) is not None
    assert has_link or "link not verified" in entry.lower(), f"{key}: add 'Link: https://...' or say 'Link not verified'"


@pytest.mark.parametrize("name", template_names())
def test_workbook_sources_resolve(name):
    wb = default_book(name)
    ws = wb["Inputs"]
    assert ws.cell(row=4, column=5).value == "Source or comment"
    problems, rows = [], 0
    for r in range(5, ws.max_row + 1):
        if not ws.cell(row=r, column=6).value:  # a group heading, not an input
            continue
        rows += 1
        source = str(ws.cell(row=r, column=5).value or "")
        keys = KEY.findall(source)
        if PRIVATE.search(source):
            problems.append(f"E{r}: private label in {source!r}")
        if unknown := [k for k in keys if k not in KEYS]:
            problems.append(f"E{r}: unknown keys {unknown} in {source!r}")
        if not keys and not re.search(r"(?i)\b(assumption|identity)\b", source):
            problems.append(f"E{r}: neither a key nor 'assumption': {source!r}")
    assert rows > 0
    assert not problems, f"{name}.xlsx Inputs sheet:\n" + "\n".join(problems)
