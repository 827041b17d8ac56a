#!/usr/bin/env python3
"""Writes the DOCX twins of two HTML fixtures, as Word documents are made.

Each report of data/fixtures/ named below is read (its title and the body
inside id="zoom") and written with python-docx: paragraphs as paragraphs,
every HTML table as a real Word table whose colspan/rowspan become merged
cells (python-docx writes gridSpan for a column span and vMerge
restart/continue for a row span). Values are split into two runs, as Word
splits runs between edits. On top of what the page holds, each file carries
what a Word report carries and xxgk must see through: a page header naming
another year, a footer with a PAGE field, a comment with numbers in it, the
总计 of the first request row as a formula field (=SUM(LEFT), its cached
result shown), and a value typed over with tracked changes on (the old value
deleted, the new one inserted).

The oracles are the HTML fixtures' own (data/fixtures/expected/): the DOCX
must give the same cells. Run from the repository root:

    pip install python-docx   # 1.2 or later (comments)
    python3 tests/docx/make.py
"""

import copy
import html.parser
import os
import sys

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCES = ["html_spans_one_page", "html_table_per_item_gb2019"]


class Page(html.parser.HTMLParser):
    """The title and the blocks of the report body: ("p", text) with line
    breaks as "\\n", or ("table", rows) with rows of (paragraphs, colspan,
    rowspan)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = None
        self.in_title = False
        self.title_text = ""
        self.zoom_depth = 0  # open <div>s from the body's own, 0 outside
        self.blocks = []
        self.para = None  # text of the paragraph being read
        self.table = None  # rows being read
        self.cell = None  # [paragraphs, colspan, rowspan]

    def start_para(self):
        if self.para is None:
            self.para = ""

    def end_para(self):
        if self.para is None:
            return
        text = self.para.strip(" \t\r\n")
        self.para = None
        if self.cell is not None:
            self.cell[0].append(text)
        elif text:
            self.blocks.append(("p", text))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2") and self.title is None:
            self.in_title = True
            return
        if tag == "div":
            if self.zoom_depth:
                self.zoom_depth += 1
            elif a.get("id") == "zoom":
                self.zoom_depth = 1
            return
        if not self.zoom_depth:
            return
        if tag == "p":
            self.end_para()
            self.start_para()
        elif tag == "br":
            self.start_para()
            self.para += "\n"
        elif tag == "table":
            self.end_para()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table:
            self.cell = [[], int(a.get("colspan") or 1), int(a.get("rowspan") or 1)]

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self.in_title:
            self.in_title = False
            self.title = self.title_text.strip()
            return
        if tag == "div" and self.zoom_depth:
            self.zoom_depth -= 1
            return
        if not self.zoom_depth:
            return
        if tag == "p":
            self.end_para()
        elif tag in ("td", "th") and self.cell is not None:
            self.end_para()
            self.table[-1].append(tuple(self.cell))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(("table", [r for r in self.table if r]))
            self.table = None

    def handle_data(self, data):
        if self.in_title:
            self.title_text += data
            return
        if not self.zoom_depth:
            return
        if self.para is None and not data.strip(" \t\r\n"):
            return
        self.start_para()
        # White space collapsed as a browser does; no-break spaces kept.
        for c in data:
            if c in " \t\r\n":
                if not self.para.endswith((" ", "\n")) and self.para:
                    self.para += " "
            else:
                self.para += c


def runs(paragraph, text):
    """Writes text as runs: line breaks as <w:br/>, a number split in two."""
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraph.add_run().add_break()
        line = line.strip(" ")
        if len(line) >= 2 and line.replace(".", "").isdigit():
            half = len(line) // 2
            paragraph.add_run(line[:half])
            paragraph.add_run(line[half:])
        elif line:
            paragraph.add_run(line)


def element(tag, **attrs):
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(k), v)
    return e


def run_of(tag, text):
    """A <w:r> holding <w:t>/<w:delText>/<w:instrText> text."""
    r = element("w:r")
    t = element(tag)
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def as_field(cell, value):
    """Replaces the cell's text with a =SUM(LEFT) field whose result is value."""
    p = cell.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    for part in [
        element("w:fldChar", **{"w:fldCharType": "begin"}),
        ("w:instrText", " =SUM(LEFT) "),
        element("w:fldChar", **{"w:fldCharType": "separate"}),
        ("w:t", value),
        element("w:fldChar", **{"w:fldCharType": "end"}),
    ]:
        if isinstance(part, tuple):
            p._p.append(run_of(*part))
        else:
            r = element("w:r")
            r.append(part)
            p._p.append(r)


def typed_over(cell, value):
    """The cell's value as a tracked change: an old value deleted, the real
    one inserted."""
    p = cell.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    meta = {"w:id": "0", "w:author": "审核", "w:date": "2024-01-20T09:00:00Z"}
    d = element("w:del", **meta)
    d.append(run_of("w:delText", "9" + value + "9"))
    meta = dict(meta, **{"w:id": "1"})
    ins = element("w:ins", **meta)
    ins.append(run_of("w:t", value))
    p._p.append(d)
    p._p.append(ins)


def table(doc, rows):
    """A Word table with the HTML spans as merged cells."""
    taken = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for paras, cs, rs in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cs, rs, paras))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
    ncols = max(c + cs for r, c, cs, rs, _ in placed)
    t = doc.add_table(rows=len(rows), cols=ncols)
    t.style = "Table Grid"
    for r, c, cs, rs, paras in placed:
        cell = t.cell(r, c)
        if cs > 1 or rs > 1:
            cell = cell.merge(t.cell(r + rs - 1, c + cs - 1))
            # A merge leaves one empty paragraph per merged cell: Word
            # keeps one.
            for extra in cell.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
        for i, text in enumerate(paras or [""]):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            runs(p, text)
    return t


def decorate(t):
    """A formula field and a tracked change in the request table's first
    two data rows (found by their labels)."""
    for row in t.rows:
        label = row.cells[0].text
        values = [c for c in row.cells if c.text.strip().isdigit()]
        if label.startswith("一、本年新收") and values:
            as_field(values[-1], values[-1].text.strip())
        if label.startswith("二、上年结转") and values:
            typed_over(values[0], values[0].text.strip())


def make(name):
    src = os.path.join(ROOT, "data", "fixtures", name + ".html")
    page = Page()
    with open(src, encoding="utf-8") as f:
        page.feed(f.read())
    doc = docx.Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "2019年政府信息公开工作年度报告（页眉）"
    foot = section.footer.paragraphs[0]
    foot.add_run("第 ")
    simple = element("w:fldSimple", **{"w:instr": " PAGE "})
    simple.append(run_of("w:t", "1"))
    foot._p.append(simple)
    foot.add_run(" 页")
    title = doc.add_paragraph()
    title.add_run(page.title).bold = True
    first = True
    for kind, body in page.blocks:
        if kind == "p":
            p = doc.add_paragraph()
            runs(p, body)
            if first:
                doc.add_comment(p.runs, text="2018年数据 7 8 9 待核", author="审核", initials="SH")
                first = False
        else:
            t = table(doc, body)
            decorate(t)
    out = os.path.join(HERE, name + ".docx")
    doc.core_properties.title = page.title
    doc.save(out)
    print(out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    for name in sys.argv[1:] or SOURCES:
        make(name)
