#!/usr/bin/env python3
"""(Re)generate the multi-year corpus under tests/years/corpus/ and its oracle
tests/years/expected.json.

Stdlib only and deterministic: every value comes from a SHA-256 counter keyed
by the report, so the same script always writes the same bytes.

    python3 tests/years/make.py            # writes corpus/ and expected.json
    python3 tests/years/make.py --sample   # writes data/years/ (the README's sample)
    python3 tests/years/verify.py          # ingests corpus/ with xxgk and compares

The values of each report satisfy every in-report check of
../../../shared/spec/tables.md (requests balance per column, outcome total,
row totals, litigation totals). Across years they are consistent (carried_over
of year N == carried_forward of N-1 per column; gb2021 in_force(N) ==
in_force(N-1) + issued(N) - repealed(N)) except for the two mismatches planted
in body D. See README.md for what each body tests.
"""

import hashlib
import json
import os
import shutil
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
EXPECTED = os.path.join(HERE, "expected.json")

CONFIG = {
    "path_pattern": "{province}/{city}/{county}/**",
    "strip_suffixes": ["人民政府", "办事处"],
    "renames": {"太阳乡": "太阳镇"},
}

# --------------------------------------------------------------------------
# Keys and labels (tables.md), printed exactly as the existing fixtures print
# them (data/fixtures/year2021_on_gb2019_form.txt for gb2019,
# data/fixtures/twin_report.txt for gb2021).
# --------------------------------------------------------------------------

APPLICANT_COLS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
]
REQ_COLS = APPLICANT_COLS + ["total"]

# (row key, printed prefix of the row: the label cells before the values)
REQ_ROWS_COMMON_HEAD = [
    ("new_received", "一、本年新收政府信息公开申请数量\t"),
    ("carried_over", "二、上年结转政府信息公开申请数量\t"),
]
REQ_OUTCOMES_COMMON = [
    ("granted", "三、本年度办理结果\t（一）予以公开"),
    ("partially_granted", "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "\t（三）不予公开\t1.属于国家秘密"),
    ("denied_prohibited_by_law", "\t\t2.其他法律行政法规禁止公开"),
    ("denied_security_stability", "\t\t3.危及“三安全一稳定”"),
    ("denied_third_party_rights", "\t\t4.保护第三方合法权益"),
    ("denied_internal_affairs", "\t\t5.属于三类内部事务信息"),
    ("denied_process_info", "\t\t6.属于四类过程性信息"),
    ("denied_enforcement_files", "\t\t7.属于行政执法案卷"),
    ("denied_query_matters", "\t\t8.属于行政查询事项"),
    ("unavailable_not_held", "\t（四）无法提供\t1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "\t\t2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "\t\t3.补正后申请内容仍不明确"),
    ("not_processed_petition", "\t（五）不予处理\t1.信访举报投诉类申请"),
    ("not_processed_duplicate", "\t\t2.重复申请"),
    ("not_processed_publication", "\t\t3.要求提供公开出版物"),
    ("not_processed_excessive", "\t\t4.无正当理由大量反复申请"),
    ("not_processed_confirmation", "\t\t5.要求行政机关确认或重新出具已获取信息"),
]
REQ_OTHER = {
    "gb2019": [("other", "\t（六）其他处理")],
    "gb2021": [
        (
            "other_overdue_correction",
            "\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        (
            "other_unpaid_fee",
            "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        ("other_other", "\t\t3.其他"),
    ],
}
REQ_ROWS_TAIL = [
    ("total_processed", "\t（七）总计"),
    ("carried_forward", "四、结转下年度继续办理\t"),
]


def outcome_rows(template):
    return [k for k, _ in REQ_OUTCOMES_COMMON] + [k for k, _ in REQ_OTHER[template]]


def request_rows(template):
    return (
        REQ_ROWS_COMMON_HEAD
        + REQ_OUTCOMES_COMMON
        + REQ_OTHER[template]
        + REQ_ROWS_TAIL
    )


PROCEEDINGS = ["administrative_review", "litigation_direct", "litigation_after_review"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]

# Table 2 layout per template: table key -> (rows [(key, label)], cols [key]).
ART20 = {
    "gb2019": [
        ("art20_1", [("regulations", "规章"), ("normative_documents", "规范性文件")],
         ["new_made", "new_published", "total_published"]),
        ("art20_5", [("administrative_licensing", "行政许可"),
                     ("other_management_services", "其他对外管理服务事项")],
         ["prior_year_items", "change", "decisions"]),
        ("art20_6", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
         ["prior_year_items", "change", "decisions"]),
        ("art20_8", [("administrative_fees", "行政事业性收费")], ["prior_year_items", "change"]),
    ],
    "gb2021": [
        ("art20_1", [("regulations", "规章"), ("normative_documents", "行政规范性文件")],
         ["issued", "repealed", "in_force"]),
        ("art20_5", [("administrative_licensing", "行政许可")], ["decisions"]),
        ("art20_6", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
         ["decisions"]),
    ],
}
CAPTION = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}
HEADER = {
    ("gb2019", "art20_1"): "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    ("gb2019", "art20_5"): "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    ("gb2019", "art20_6"): "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    ("gb2019", "art20_8"): "信息内容\t上一年项目数量\t本年增/减\t",
    ("gb2019", "art20_9"): "信息内容\t采购项目数量\t采购总金额\t",
    ("gb2021", "art20_1"): "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    ("gb2021", "art20_5"): "信息内容\t本年处理决定数量\t\t",
    ("gb2021", "art20_6"): "信息内容\t本年处理决定数量\t\t",
    ("gb2021", "art20_8"): "信息内容\t本年收费金额（单位：万元）\t\t",
}


def template_of(year):
    return "gb2019" if year <= 2020 else "gb2021"


# --------------------------------------------------------------------------
# Deterministic numbers
# --------------------------------------------------------------------------


class Gen:
    """Integers from a SHA-256 counter: the same key gives the same sequence."""

    def __init__(self, key):
        self.key = key
        self.n = 0

    def int(self, lo, hi):
        self.n += 1
        h = hashlib.sha256(f"{self.key}|{self.n}".encode("utf-8")).digest()
        return lo + int.from_bytes(h[:8], "big") % (hi - lo + 1)

    def nonzero(self, lo, hi):
        """A non-zero value in [-hi, -lo] ∪ [lo, hi]."""
        v = self.int(lo, hi)
        return -v if self.int(0, 1) else v


# --------------------------------------------------------------------------
# The bodies and their reports
# --------------------------------------------------------------------------

# body id, (province, city, county), [(year, printed name)], scale of values,
# short ASCII tag for the seed
BODIES = [
    ("A", ("广东省", "广州市", "天河区"),
     [(2019, "天河区沙河街道办事处"), (2020, "天河区沙河街道办事处"),
      (2021, "天河区沙河街道"), (2022, "天河区沙河街道办事处")], 1),
    ("B", ("浙江省", "杭州市", "临安区"),
     [(2020, "太阳乡人民政府"), (2021, "太阳镇人民政府")], 2),
    ("C1", ("河南省", "郑州市", "登封市"),
     [(2020, "城关镇人民政府"), (2021, "城关镇人民政府")], 1),
    ("C2", ("湖北省", "襄阳市", "南漳县"),
     [(2020, "城关镇人民政府"), (2021, "城关镇人民政府")], 3),
    ("D", ("四川省", "成都市", "武侯区"),
     [(2021, "武侯区市场监督管理局"), (2022, "武侯区市场监督管理局")], 2),
    ("E", ("四川省", "成都市", "锦江区"),
     [(2021, "锦江区教育局"), (2022, "锦江区\u3000教育局")], 1),
]

# Body D's planted cross-year mismatches (year 2022).
D_CARRIED_OVER_SHIFT = 3  # added to requests.carried_over.natural_person
D_IN_FORCE_SHIFT = 2  # added to art20_1.regulations.in_force


def gen_report(body, region, year, name, scale, prev):
    """Values of one report. `prev` is the same body's report of year-1 or None."""
    tpl = template_of(year)
    g = Gen(f"{body}|{year}")
    zero_requests = body == "E" and year == 2021
    counts = {}  # (table, row, col) -> int: the disclosure_counts cells

    # ---- table 2
    for table, rows, cols in ART20[tpl]:
        for row, _ in rows:
            for col in cols:
                key = (table, row, col)
                if col == "change":
                    v = g.nonzero(1, 12 * scale)
                elif col == "prior_year_items":
                    pk = (table, row, "prior_year_items")
                    ck = (table, row, "change")
                    if prev and prev["template"] == tpl == "gb2019" and pk in prev["counts"]:
                        v = prev["counts"][pk] + prev["counts"][ck]
                    else:
                        v = g.int(40, 150) * scale
                elif col == "issued":
                    v = g.int(2, 12) * scale
                elif col == "repealed":
                    v = g.int(1, 6) * scale
                elif col == "in_force":
                    continue  # computed below
                elif col == "new_made":
                    v = g.int(10, 40) * scale
                elif col == "new_published":
                    v = g.int(3, 9) * scale
                elif col == "total_published":
                    continue  # computed below
                else:  # decisions
                    v = g.int(10, 300) * scale
                counts[key] = v
        if table == "art20_1":
            for row, _ in rows:
                if tpl == "gb2021":
                    pk = ("art20_1", row, "in_force")
                    if prev and prev["template"] == "gb2021":
                        v = (prev["counts"][pk] + counts[("art20_1", row, "issued")]
                             - counts[("art20_1", row, "repealed")])
                        if body == "D" and row == "regulations":
                            v += D_IN_FORCE_SHIFT
                    else:
                        v = g.int(40, 120) * scale
                    counts[pk] = v
                else:
                    pk = ("art20_1", row, "total_published")
                    if prev and prev["template"] == "gb2019":
                        v = prev["counts"][pk] + counts[("art20_1", row, "new_published")]
                    else:
                        v = g.int(60, 200) * scale
                    counts[pk] = v
    # keep the printed order: rebuild in table order
    ordered = {}
    for table, rows, cols in ART20[tpl]:
        for row, _ in rows:
            for col in cols:
                ordered[(table, row, col)] = counts[(table, row, col)]
    counts = ordered

    # ---- money
    procurement = {}
    if tpl == "gb2019":
        amount = Decimal(g.int(1000, 99999)) / Decimal(100)  # 万元, 2 decimals
        procurement["centralized_procurement"] = {
            "project_count": g.int(3, 40) * scale,
            "amount_wan": amount,
        }
    else:
        amount = Decimal(g.int(50, 9999)) / Decimal(10)  # 万元, 1 decimal
        if amount == amount.to_integral_value():
            amount += Decimal("0.5")
        procurement["administrative_fees"] = {"project_count": None, "amount_wan": amount}

    # ---- requests
    orows = outcome_rows(tpl)
    req = {}
    for c in APPLICANT_COLS:
        for r in orows:
            if zero_requests:
                v = 0
            elif r in ("granted",):
                v = g.int(8, 40) * scale
            else:
                v = g.int(1, 12) * scale
            req[(r, c)] = v
        req[("total_processed", c)] = sum(req[(r, c)] for r in orows)
        if zero_requests:
            co = 0
        elif prev:
            co = prev["req"][("carried_forward", c)]
            if body == "D" and c == "natural_person":
                co += D_CARRIED_OVER_SHIFT
        else:
            co = g.int(1, 15) * scale
        req[("carried_over", c)] = co
        cf = 0 if zero_requests else g.int(1, 15) * scale
        req[("carried_forward", c)] = cf
        req[("new_received", c)] = req[("total_processed", c)] + cf - co
        assert zero_requests or req[("new_received", c)] > 0
    for r, _ in request_rows(tpl):
        req[(r, "total")] = sum(req[(r, c)] for c in APPLICANT_COLS)

    # ---- litigation
    lit = {}
    for p in PROCEEDINGS:
        if zero_requests:
            vals = [0, 0, 0, 0]
        else:
            vals = [g.int(2, 9) * scale, g.int(1, 6) * scale, g.int(1, 5) * scale,
                    g.int(1, 4) * scale]
        for o, v in zip(OUTCOMES[:4], vals):
            lit[(p, o)] = v
        lit[(p, "total")] = sum(vals)

    province, city, county = region
    fname = f"{name.replace(chr(0x3000), '')}{year}年政府信息公开工作年度报告.txt"
    return {
        "body": body,
        "region": region,
        "year": year,
        "template": tpl,
        "org_name": name,
        "source_path": f"{province}/{city}/{county}/{year}/{fname}",
        "counts": counts,
        "procurement": procurement,
        "req": req,
        "lit": lit,
    }


def build():
    """All reports, in body then year order."""
    reports = []
    for body, region, years, scale in BODIES:
        prev = None
        for year, name in years:
            r = gen_report(body, region, year, name, scale,
                           prev if prev and prev["year"] == year - 1 else None)
            reports.append(r)
            prev = r
    return reports


# --------------------------------------------------------------------------
# Printing a report
# --------------------------------------------------------------------------


def fmt_wan(d):
    """A 万元 amount as a report prints it: no trailing zeros after the point."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def render(rep):
    tpl, year, name = rep["template"], rep["year"], rep["org_name"]
    county = rep["region"][2]
    counts, req, lit = rep["counts"], rep["req"], rep["lit"]
    basis = ("和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求编制"
             if tpl == "gb2021" else "和上级有关要求编制")
    received = req[("new_received", "total")]
    L = []
    L.append(f"{name}{year}年政府信息公开工作年度报告")
    L.append("")
    L.append(
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）{basis}，"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告电子版可在{county}人民政府门户网站政府信息公开专栏下载。"
        f"如对本报告有疑问，请与{name}办公室联系（电话：020-8{year % 100:02d}61234）。"
    )
    L.append("")
    L.append("一、总体情况")
    L.append(
        f"本年度，{name}坚持以公开为常态、不公开为例外，通过门户网站发布信息"
        f"{300 + received % 200}条，政务新媒体推送信息{100 + received % 90}条，"
        "组织政务公开业务培训2次。依申请公开工作规范有序，答复均在法定期限内完成。"
    )
    L.append("")
    L.append("二、主动公开政府信息情况")
    L.append("")
    for table, rows, cols in ART20[tpl]:
        L.append(CAPTION[table] + "\t\t\t")
        L.append(HEADER[(tpl, table)])
        for row, label in rows:
            cells = [str(counts[(table, row, c)]) for c in cols]
            cells += [""] * (3 - len(cells))
            L.append("\t".join([label] + cells))
    if tpl == "gb2019":
        p = rep["procurement"]["centralized_procurement"]
        L.append(CAPTION["art20_9"] + "\t\t\t")
        L.append(HEADER[("gb2019", "art20_9")])
        L.append(f"政府集中采购\t{p['project_count']}\t{fmt_wan(p['amount_wan'])}万元\t")
    else:
        p = rep["procurement"]["administrative_fees"]
        L.append(CAPTION["art20_8"] + "\t\t\t")
        L.append(HEADER[("gb2021", "art20_8")])
        L.append(f"行政事业性收费\t{fmt_wan(p['amount_wan'])}\t\t")
    L.append("")
    L.append("三、收到和处理政府信息公开申请情况")
    L.append("")
    L.append("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\t\t\t\t\t\t")
    L.append("\t\t自然人\t法人或其他组织\t\t\t\t\t总计")
    L.append("\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t")
    for row, prefix in request_rows(tpl):
        L.append(prefix + "\t" + "\t".join(str(req[(row, c)]) for c in REQ_COLS))
    L.append("")
    L.append("四、政府信息公开行政复议、行政诉讼情况")
    L.append("")
    L.append("行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t")
    L.append("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t")
    L.append("\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计")
    L.append("\t".join(str(lit[(p, o)]) for p in PROCEEDINGS for o in OUTCOMES))
    L.append("")
    L.append("五、存在的主要问题及改进情况")
    L.append(
        "政府信息公开工作取得了一定成效，但仍存在公开内容不够全面、解读形式较为单一等问题。"
        "下一步将加强业务培训，丰富政策解读形式，完善依申请公开办理流程。"
    )
    L.append("")
    L.append("六、其他需要报告的事项")
    L.append("本年度未收取信息处理费。")
    L.append("")
    L.append(name)
    L.append(f"{year + 1}年1月{15 + year % 10}日")
    L.append("")
    return "\n".join(L)


# --------------------------------------------------------------------------
# The oracle
# --------------------------------------------------------------------------


def fold(s):
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif ch == "\u3000":
            ch = " "
        if ch.isspace():
            continue
        out.append(ch)
    return "".join(out)


def org_key(rep):
    name = fold(rep["org_name"])
    for suf in sorted(CONFIG["strip_suffixes"], key=len, reverse=True):
        if name.endswith(suf) and len(name) > len(suf):
            name = name[: -len(suf)]
            break
    name = CONFIG["renames"].get(name, name)
    return "/".join(rep["region"]) + "/" + name


def yuan(wan):
    return (wan * 10000).quantize(Decimal("0.01"))


def cells_for_comparison(rep):
    """(table, row, col) -> (unit, value) for every comparable cell."""
    out = {}
    for k, v in rep["counts"].items():
        out[k] = ("count", v)
    tpl = rep["template"]
    for (row, col) in ((r, c) for r, _ in request_rows(tpl) for c in REQ_COLS):
        out[("requests", row, col)] = ("count", rep["req"][(row, col)])
    if tpl == "gb2021":
        for c in REQ_COLS:
            out[("requests", "other", c)] = ("count", sum(
                rep["req"][(r, c)] for r in ("other_overdue_correction", "other_unpaid_fee", "other_other")))
    for p in PROCEEDINGS:
        for o in OUTCOMES:
            out[("litigation", p, o)] = ("count", rep["lit"][(p, o)])
    for item, p in rep["procurement"].items():
        if p["project_count"] is not None:
            out[("procurement", item, "project_count")] = ("count", p["project_count"])
        out[("procurement", item, "amount_yuan")] = ("yuan", yuan(p["amount_wan"]))
    return out


def yearly_comparison(reports):
    by = {}
    for r in reports:
        by[(org_key(r), r["year"])] = r
    rows = []
    for (ok, year), cur in sorted(by.items()):
        prev = by.get((ok, year - 1))
        if prev is None:
            continue
        a, b = cells_for_comparison(cur), cells_for_comparison(prev)
        for key, (unit, val) in a.items():
            if key not in b:
                continue
            _, pval = b[key]
            delta = val - pval
            pct = None if pval == 0 else float(delta) / float(pval) * 100
            if unit == "yuan":
                val, pval, delta = (str(x.quantize(Decimal("0.01"))) for x in (val, pval, delta))
            rows.append({
                "org_key": ok, "year": year, "prior_year": year - 1,
                "table_key": key[0], "row_key": key[1], "col_key": key[2],
                "unit": unit, "value": val, "prior_value": pval,
                "delta": delta, "pct_change": pct,
            })
    return rows


def metrics(reports):
    rows = []

    def add(rep, key, num, den, value=None, value_is_num=False):
        if value_is_num:
            v = float(num)
        else:
            v = None if (den is None or den == 0 or num is None) else num / den
        rows.append({"source_path": rep["source_path"], "metric_key": key,
                     "numerator": num, "denominator": den, "value": v})

    for rep in reports:
        q, lit = rep["req"], rep["lit"]
        add(rep, "requests_accepted",
            q[("new_received", "total")] + q[("carried_over", "total")], None, value_is_num=True)
        add(rep, "substantive_disclosure_rate",
            q[("granted", "total")] + q[("partially_granted", "total")], q[("total_processed", "total")])
        for key, p in (("review_correction_rate", "administrative_review"),
                       ("litigation_direct_correction_rate", "litigation_direct"),
                       ("litigation_after_review_correction_rate", "litigation_after_review")):
            add(rep, key, lit[(p, "corrected")], lit[(p, "total")] - lit[(p, "pending")])
        add(rep, "dispute_conversion_rate",
            sum(lit[(p, "total")] for p in PROCEEDINGS), q[("new_received", "total")])
    return rows


def cross_year_findings(reports):
    by = {(org_key(r), r["year"]): r for r in reports}
    rows = []
    for (ok, year), cur in sorted(by.items()):
        prev = by.get((ok, year - 1))
        if prev is None:
            continue
        for c in REQ_COLS:
            if cur["req"][("carried_over", c)] != prev["req"][("carried_forward", c)]:
                rows.append({"source_path": cur["source_path"], "code": "cross_year.carried_over",
                             "table_key": "requests", "row_key": "carried_over", "col_key": c})
        if cur["template"] == prev["template"] == "gb2021":
            for row in ("regulations", "normative_documents"):
                cc, pc = cur["counts"], prev["counts"]
                if cc[("art20_1", row, "in_force")] != (pc[("art20_1", row, "in_force")]
                                                        + cc[("art20_1", row, "issued")]
                                                        - cc[("art20_1", row, "repealed")]):
                    rows.append({"source_path": cur["source_path"], "code": "cross_year.in_force",
                                 "table_key": "art20_1", "row_key": row, "col_key": "in_force"})
    return rows


def self_check(reports):
    """The in-report checks of tables.md hold, and namesakes differ everywhere."""
    for rep in reports:
        q, tpl = rep["req"], rep["template"]
        for c in REQ_COLS:
            assert q[("new_received", c)] + q[("carried_over", c)] == \
                q[("total_processed", c)] + q[("carried_forward", c)], rep["source_path"]
            assert q[("total_processed", c)] == sum(q[(r, c)] for r in outcome_rows(tpl))
        for r, _ in request_rows(tpl):
            assert q[(r, "total")] == sum(q[(r, c)] for c in APPLICANT_COLS)
        for p in PROCEEDINGS:
            assert rep["lit"][(p, "total")] == sum(rep["lit"][(p, o)] for o in OUTCOMES[:4])
        if rep["body"] != "E":
            assert all(v != 0 for v in q.values()), rep["source_path"]
            assert all(v != 0 for v in rep["lit"].values()), rep["source_path"]
        assert all(v != 0 for v in rep["counts"].values()), rep["source_path"]
    # A wrong namesake match must show: every carried figure and every in_force differs.
    c1 = {r["year"]: r for r in reports if r["body"] == "C1"}
    c2 = {r["year"]: r for r in reports if r["body"] == "C2"}
    for a, b in ((c1[2020], c2[2021]), (c2[2020], c1[2021])):
        for c in REQ_COLS:
            assert a["req"][("carried_forward", c)] != b["req"][("carried_over", c)]
    # Paths are unique and no two reports have the same bytes.
    assert len({r["source_path"] for r in reports}) == len(reports)


# --------------------------------------------------------------------------
# The sample corpus of data/years/ (`make.py --sample`)
# --------------------------------------------------------------------------

SAMPLE = os.path.join(HERE, "..", "..", "data", "years")

# body id, county (for the prose), printed name, {year: scale}: five bodies
# over 2020 (gb2019), 2021 and 2022 (gb2021), with the default config (no
# path pattern, so the names alone tell the bodies apart). Scales grow or
# shrink from year to year so that growth rankings have something to rank.
SAMPLE_BODIES = [
    ("S1", "东城区", "东城区和平里街道办事处", {2020: 1, 2021: 2, 2022: 3}),
    ("S2", "西湖区", "西湖区文新街道办事处", {2020: 2, 2021: 2, 2022: 2}),
    ("S3", "南山区", "南山区市场监督管理局", {2020: 3, 2021: 4, 2022: 6}),
    ("S4", "青云县", "青云县人民政府", {2020: 4, 2021: 3, 2022: 2}),
    ("S5", "滨江区", "滨江区教育局", {2021: 1, 2022: 2}),
]


def sample_reports():
    reports = []
    for body, county, name, scales in SAMPLE_BODIES:
        prev = None
        for year, scale in sorted(scales.items()):
            r = gen_report(body, ("", "", county), year, name, scale,
                           prev if prev and prev["year"] == year - 1 else None)
            r["source_path"] = f"{name}{year}年政府信息公开工作年度报告.txt"
            reports.append(r)
            prev = r
    return reports


def sample_oracle(rep):
    """The oracle of one report in the format of data/seeds/expected/."""
    tpl = rep["template"]
    cells = {}
    for (table, row, col), v in rep["counts"].items():
        cells[f"{table}.{row}.{col}"] = v
    for row, _ in request_rows(tpl):
        for c in REQ_COLS:
            cells[f"requests.{row}.{c}"] = rep["req"][(row, c)]
    for p in PROCEEDINGS:
        for o in OUTCOMES:
            cells[f"litigation.{p}.{o}"] = rep["lit"][(p, o)]
    money = {}
    if tpl == "gb2019":
        p = rep["procurement"]["centralized_procurement"]
        cells["art20_9.centralized_procurement.project_count"] = p["project_count"]
        money["art20_9.centralized_procurement.total_amount"] = {
            "yuan": str(yuan(p["amount_wan"])), "raw": f"{fmt_wan(p['amount_wan'])}万元"}
    else:
        p = rep["procurement"]["administrative_fees"]
        money["art20_8.administrative_fees.amount"] = {
            "yuan": str(yuan(p["amount_wan"])), "raw": fmt_wan(p["amount_wan"])}
    return {
        "file": rep["source_path"],
        "year": rep["year"],
        "template": tpl,
        "org_contains": rep["org_name"],
        "encoding": "utf-8",
        "format": "txt",
        "about": ("Multi-year sample (tests/years/make.py --sample): "
                  f"{rep['org_name']} in {rep['year']}, tab-row layout as "
                  "tests/years/corpus; values satisfy every in-report check and "
                  "carry over from the body's report of the year before "
                  "(carried_over = last year's carried_forward; gb2021 in_force = "
                  "last year's + issued − repealed), so the README's first command "
                  "gives yearly_comparison rows. Oracle computed by the generator."),
        "findings": [],
        "cells": cells,
        "money": money,
    }


def write_sample():
    reports = sample_reports()
    for rep in reports:
        q = rep["req"]
        for c in REQ_COLS:
            assert q[("new_received", c)] + q[("carried_over", c)] == \
                q[("total_processed", c)] + q[("carried_forward", c)]
    if os.path.isdir(SAMPLE):
        shutil.rmtree(SAMPLE)
    os.makedirs(os.path.join(SAMPLE, "expected"))
    for rep in reports:
        with open(os.path.join(SAMPLE, rep["source_path"]), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(render(rep))
        name = rep["source_path"].rsplit(".", 1)[0] + ".json"
        with open(os.path.join(SAMPLE, "expected", name), "w", encoding="utf-8",
                  newline="\n") as f:
            json.dump(sample_oracle(rep), f, ensure_ascii=False, indent=1)
            f.write("\n")
    pairs = sum(1 for r in reports if any(
        o["source_path"] != r["source_path"] and o["org_name"] == r["org_name"]
        and o["year"] == r["year"] - 1 for o in reports))
    print(f"{len(reports)} sample reports in data/years/, {pairs} with the year before")


def main():
    import sys
    if sys.argv[1:] == ["--sample"]:
        write_sample()
        return
    reports = build()
    self_check(reports)
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    texts = set()
    for rep in reports:
        path = os.path.join(CORPUS, *rep["source_path"].split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = render(rep)
        assert text not in texts
        texts.add(text)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    expected = {
        "config": CONFIG,
        "org_keys": {r["source_path"]: org_key(r) for r in reports},
        "yearly_comparison": yearly_comparison(reports),
        "metrics": metrics(reports),
        "cross_year_findings": cross_year_findings(reports),
    }
    with open(EXPECTED, "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(reports)} reports; yearly_comparison {len(expected['yearly_comparison'])}, "
          f"metrics {len(expected['metrics'])}, cross_year_findings "
          f"{len(expected['cross_year_findings'])}")


if __name__ == "__main__":
    main()
