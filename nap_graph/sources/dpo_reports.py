"""Read the UN Department of Peace Operations' monthly reports of uniformed personnel (PDF).

Each report gives men and women per contributing country and personnel type, in most months
per mission, in one of fourteen layouts (data/peacekeeping/un-dpo-monthly-gender-pdfs/SOURCE.md).
The reader recognises the layout from the report's own headings, reads its rows in the order
the PDF draws them (pdfplumber), and recomputes every subtotal and total the report prints
from the rows under it: a report whose sums do not match is refused with the file, the page
and the line that disagrees. `nap-graph import-dpo` writes what it read as a CSV that the
build reads; the build never parses a PDF.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nap_graph.errors import ReportRefused

# The personnel types of the reports, by every label a layout prints, as the CSV names them.
TROOPS, STAFF, EXPERTS = "Troops", "Staff Officer", "Experts on Mission"
POLICE, FPU = "Individual Police", "Formed Police Units"
TYPE_LABELS = {
    "contingent troop": TROOPS,
    "contingent troops": TROOPS,
    "troops": TROOPS,
    "contingent": TROOPS,
    "staff officer": STAFF,
    "staff officers": STAFF,
    "staff": STAFF,
    "experts on mission": EXPERTS,
    "experts": EXPERTS,
    "individual police": POLICE,
    "ind police": POLICE,
    "police": POLICE,
    "formed police units": FPU,
    "fpu": FPU,
}
# The wide layout of 2019-10 prints a pair of columns (men, women) per type, in this order.
WIDE_TYPES = (EXPERTS, TROOPS, POLICE, FPU, STAFF)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_DATE_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float


@dataclass
class Line:
    """The words of one printed line, with the page and the line's place on it (from 1)."""

    page: int
    number: int
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def numbers_at_end(self) -> tuple[list[Word], list[int]]:
        """Split the line into its leading words and the numbers that end it."""
        words = list(self.words)
        numbers: list[int] = []
        while words and _NUMBER.fullmatch(words[-1].text):
            numbers.insert(0, int(words.pop().text.replace(",", "")))
        return words, numbers


@dataclass(frozen=True)
class Record:
    """One printed row: a country's men and women of one type, in one mission or none."""

    country: str  # as printed, wrapped names rejoined
    mission: str  # "" where the report has no mission breakdown
    personnel_type: str
    male: int | None  # None where the report gives no gender (2023-09)
    female: int | None
    total: int
    page: int
    line: int


@dataclass(frozen=True)
class Check:
    """A subtotal or total that the report prints, and what its rows add up to."""

    kind: str  # mission, country, mission-country, grand, rows
    label: str
    printed: tuple[int | None, int | None, int | None]  # male, female, total (None: not printed)
    summed: tuple[int, int, int]
    page: int
    line: int

    @property
    def passes(self) -> bool:
        return all(p is None or p == s for p, s in zip(self.printed, self.summed, strict=True))


@dataclass
class Report:
    file: str
    sha256: str
    layout: str
    report_date: str  # YYYY-MM-DD, as printed (or from the file name, where none is printed)
    date_printed: bool
    has_mission: bool
    has_gender: bool
    records: list[Record] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader skipped or repaired, and why

    @property
    def month(self) -> str:
        return self.report_date[:7]


# ---------------------------------------------------------------- reading the PDF


def _lines(page, number: int, flow: bool) -> list[Line]:
    """Return a page's lines: words grouped by their height on the page, left to right; or,
    with `flow`, in the order the PDF draws them, a new line where the height changes."""
    words = [
        Word(w["text"], w["x0"], w["x1"], w["top"])
        for w in page.extract_words(use_text_flow=flow, x_tolerance=1.5, y_tolerance=2.5)
    ]
    groups: list[list[Word]] = []
    if flow:
        for word in words:
            if groups and abs(word.top - groups[-1][-1].top) <= 2.5:
                groups[-1].append(word)
            else:
                groups.append([word])
    else:
        for word in sorted(words, key=lambda w: w.top):
            if groups and word.top - groups[-1][0].top <= 3:
                groups[-1].append(word)
            else:
                groups.append([word])
        groups = [sorted(g, key=lambda w: w.x0) for g in groups]
    return [Line(number, i, g) for i, g in enumerate(groups, 1)]


def read_report(path: Path) -> Report:
    """Read one monthly report; ReportRefused names the file, page and line of a problem."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    name = path.name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, PdfminerException, OSError, ValueError) as exc:
        # A file cut short fails here, where pdfminer looks for the cross-reference table.
        raise ReportRefused(name, None, None, f"not a readable PDF: {exc}") from exc
    try:
        with pdf:
            try:
                first = _lines(pdf.pages[0], 1, flow=False)
            except Exception as exc:  # pdfminer raises many types on a damaged file
                raise ReportRefused(name, 1, None, f"cannot read the page: {exc}") from exc
            layout = detect_layout(first, pdf, name)
            flow = layout in ("C1",)
            lines = []
            for number, page in enumerate(pdf.pages, 1):
                try:
                    lines.extend(_lines(page, number, flow))
                except Exception as exc:  # pdfminer raises many types on a damaged file
                    raise ReportRefused(name, number, None, f"cannot read the page: {exc}") from exc
            separators = _separators(pdf) if layout == "C1X" else None
    except ReportRefused:
        raise
    except Exception as exc:  # a truncated file fails when its pages are loaded
        raise ReportRefused(name, None, None, f"not a readable PDF: {exc}") from exc
    report = Report(name, digest, layout, "", True, layout not in ("B3", "C2"), layout != "C2")
    report.report_date, report.date_printed = _report_date(lines, name)
    if layout == "C1X":
        _parse_c1x(lines, separators, report)
    else:
        PARSERS[layout](lines, report)
    verify(report)
    return report


def detect_layout(first: list[Line], pdf, name: str) -> str:
    """Recognise a report's layout from its first page's headings, never from its file name."""
    text = " ".join(line.text for line in first[:12]).casefold()
    header = next(
        (
            line.text.casefold()
            for line in first[:14]
            if re.search(r"\b(male|m)\b", line.text.casefold()) or "unmem" in line.text.casefold()
        ),
        "",
    )
    if "mission's summary" in text:
        return "A"
    if (
        "peackeeping by country and mission detail" in text
        or "by country and mission detail" in text
    ):
        return "B0"
    if "by country, mission and post" in text:
        return "B2" if _has_mission_subtotals(pdf) else "B1"
    if "by country and post." in text and "country name" in text:
        return "B3"
    if header.startswith("mission country description male female total report_date"):
        return "D1"
    if "unmem m" in header:
        return "D2"
    if "by mission, country" in text and "and post" in text:
        if header.split()[:4] == ["mission", "country", "male", "female"]:
            return "D3"
        if "contributor" in header:
            return "D6" if _mission_line_has_totals(first) else "D5"
        return "D4"
    if "by country and personnel type" in text:
        return "C2"
    if "by mission, country, and personnel type" in text:
        return "C1" if any(p.lines for p in pdf.pages[:1]) else "C1X"
    if header.startswith("mission country personnel type male female total report date"):
        return "D7"
    raise ReportRefused(name, 1, None, "a layout that no reader knows: " + text[:120])


def _has_mission_subtotals(pdf) -> bool:
    """B2 prints a subtotal under each mission ("MINURSO 3"); B1 only per country."""
    lines = _lines(pdf.pages[0], 1, flow=False)
    missions = set()
    for line in lines:
        words, numbers = line.numbers_at_end()
        if not numbers and len(words) == 1 and _is_mission(words[0].text):
            missions.add(words[0].text)
        elif len(numbers) == 1 and len(words) == 1 and words[0].text in missions:
            return True
    return False


def _mission_line_has_totals(first: list[Line]) -> bool:
    """D6 prints each mission's totals on its own line ("BINUH 10 3 13"); D5 under it."""
    for line in first:
        words, numbers = line.numbers_at_end()
        if len(words) == 1 and _is_mission(words[0].text):
            return len(numbers) == 3
    return False


def _separators(pdf) -> dict[int, list[float]]:
    """The tops of the thin rules drawn between the country groups of the 2022-09 export."""
    found = {}
    for number, page in enumerate(pdf.pages, 1):
        found[number] = sorted(
            # Full-width rules part the groups; the shorter ones part rows within a group.
            r["top"]
            for r in page.rects
            if r["height"] < 3 and r["x0"] < 100 and r["width"] > 400
        )
    return found


def _report_date(lines: list[Line], name: str) -> tuple[str, bool]:
    """Return the report's end-of-month date as printed in it, else from its file name."""
    for line in lines[:40]:
        text = line.text
        match = re.search(r"(\d{1,2})-([A-Za-z]{3})-(\d{2})\b", text)
        if match and "report" in text.casefold():
            day, month, year = int(match[1]), _MONTHS[match[2].casefold()], 2000 + int(match[3])
            return date(year, month, day).isoformat(), True
        match = re.search(r"End of ([A-Za-z]+),? (\d{4})", text)
        if match:
            month = _MONTHS[match[1][:3].casefold()]
            return _month_end(int(match[2]), month), True
        match = _DATE_DMY.search(text)
        if match and not text.startswith("Report Generated"):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
            return date(year, month, day).isoformat(), True
    match = re.search(r"(\d{4})_(\d{2})", name)
    if match:  # 2019-10 prints no date; its file name names its month
        return _month_end(int(match[1]), int(match[2])), False
    raise ReportRefused(name, 1, None, "no report date printed, and none in the file name")


def _month_end(year: int, month: int) -> str:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1).isoformat()


# ---------------------------------------------------------------- recognising words


def _is_mission(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{4,9}", text)) and text not in ("FPU", "MALE", "TOTAL", "POST")


def _type_of(words: list[Word]) -> tuple[str | None, list[Word]]:
    """Find a personnel type at the end of `words`; return it and the words before it."""
    for size in (3, 2, 1):
        if len(words) >= size:
            label = " ".join(w.text for w in words[-size:]).casefold()
            if label in TYPE_LABELS:
                return TYPE_LABELS[label], words[:-size]
    return None, words


def _joined(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


_FURNITURE = re.compile(
    r"^(page \d+ of \d+|report generated on.*|country( name)? (un )?mission.*|mission (country|contributor).*"
    r"|country mission post.*|country name post.*|.*summary of contribution.*|.*un mission's summary.*"
    r"|detailed by country|month of report.*|police,.*|police, ?un military.*|un military experts.*"
    r"|troops \d{2}/\d{2}/\d{4}|.*by mission, country.*|and post.*|experts on mission, formed police.*"
    r"|as of ?: .*|contribution of uniformed.*|by country and personnel type|country experts on.*|mission units police"
    r"|.*personnel type$|on mission, staff officers.*|military experts on mission, staff officers and troops|pm)$",
    re.IGNORECASE,
)


def _without_date(line: Line) -> Line:
    """The line without the report date that the xlsx exports print at the end of each row."""
    words = list(line.words)
    if words and _DATE_DMY.fullmatch(words[-1].text):
        words = words[:-1]
    return Line(line.page, line.number, words)


def _furniture(line: Line) -> bool:
    """Titles, column headings and page footers, repeated on every page."""
    return bool(_FURNITURE.match(line.text.strip()))


class _Sums:
    """Running sums of the rows under a printed subtotal."""

    def __init__(self):
        self.male = self.female = self.total = 0
        self.count = 0

    def add(self, record: Record) -> None:
        self.male += record.male or 0
        self.female += record.female or 0
        self.total += record.total
        self.count += 1

    def value(self) -> tuple[int, int, int]:
        return self.male, self.female, self.total


def _printed(numbers: list[int]) -> tuple[int | None, int | None, int | None]:
    if len(numbers) == 3:
        return numbers[0], numbers[1], numbers[2]
    if len(numbers) == 1:
        return None, None, numbers[0]
    raise ValueError(numbers)


class _Builder:
    """Records and checks of one report, with the sums that its subtotals are checked against."""

    def __init__(self, report: Report):
        self.report = report
        self.mission = _Sums()
        self.country = _Sums()
        self.pair = _Sums()
        self.grand = _Sums()

    def row(self, line: Line, country: str | None, mission: str, kind: str, numbers: list[int]):
        if country is None:
            raise ReportRefused(
                self.report.file, line.page, line.number, f"a row before any country: {line.text!r}"
            )
        if len(numbers) == 3:
            male, female, total = numbers
            if male + female != total:
                raise ReportRefused(
                    self.report.file,
                    line.page,
                    line.number,
                    f"men + women ({male} + {female}) differ from the total {total}: {line.text!r}",
                )
        elif len(numbers) == 1:
            male = female = None
            total = numbers[0]
        else:
            raise ReportRefused(
                self.report.file,
                line.page,
                line.number,
                f"expected men, women and total: {line.text!r}",
            )
        record = Record(country, mission, kind, male, female, total, line.page, line.number)
        self.report.records.append(record)
        for sums in (self.mission, self.country, self.pair, self.grand):
            sums.add(record)
        return record

    def check(self, kind: str, label: str, line: Line, numbers: list[int], sums: _Sums) -> None:
        self.report.checks.append(
            Check(kind, label, _printed(numbers), sums.value(), line.page, line.number)
        )

    def count_check(self, line: Line, count: int) -> None:
        self.report.checks.append(
            Check(
                "rows",
                "rows",
                (None, None, count),
                (0, 0, self.grand.count),
                line.page,
                line.number,
            )
        )


def _unexpected(report: Report, line: Line) -> ReportRefused:
    return ReportRefused(
        report.file, line.page, line.number, f"a line no rule reads: {line.text!r}"
    )


# ---------------------------------------------------------------- the layouts


def _parse_a(lines: list[Line], report: Report) -> None:
    """2015-01 to 2017-04: country headings; [mission] type M F T; "MISSION total"; "Country total"."""
    b = _Builder(report)
    country = mission = None
    for line in lines:
        if _furniture(line):
            continue
        words, numbers = line.numbers_at_end()
        if words and _is_mission(words[0].text) and len(words) > 1:
            mission = words[0].text
            words = words[1:]
        kind, rest = _type_of(words)
        if kind and not rest:
            if len(numbers) == 3:
                b.row(line, country, mission, kind, numbers)
            elif numbers in ([], [0]):
                # 2015-02 prints some types again with nothing, or a lone 0, beside them.
                report.notes.append(
                    f"page {line.page}, line {line.number}: {line.text!r}: a type printed "
                    "again without its figures, skipped"
                )
            else:
                raise _unexpected(report, line)
            continue
        label = _joined(words)
        if len(numbers) == 1 and words:
            if label == mission:
                b.check("mission", label, line, numbers, b.mission)
                b.mission = _Sums()
            elif country and (label == country or country.startswith(label)):
                b.check("country", label, line, numbers, b.country)
                b.country = _Sums()
                mission = None
            else:
                raise _unexpected(report, line)
            continue
        if not numbers and words:
            if len(words) == 1 and _is_mission(label):
                mission = label  # a mission name on its own line
                continue
            country, mission = label, None
            b.country, b.mission = _Sums(), _Sums()
            continue
        if numbers and not words:
            raise _unexpected(report, line)
    _end(report)


def _parse_b(lines: list[Line], report: Report) -> None:
    """2016-11 and 2017-05 to 2019-08: "1 Country"; mission headings (none in B3); type M F T;
    "Total for Mission", mission and country subtotals, "Total for Country", grand total."""
    b = _Builder(report)
    country = mission = None
    pending: list[int] | None = None  # B3 prints some numbers a line above their type
    pending_line = None
    for line in lines:
        if _furniture(line):
            continue
        words, numbers = line.numbers_at_end()
        label = _joined(words)
        if pending is not None and not numbers:
            kind, rest = _type_of(words)
            if kind and not rest:
                b.row(pending_line, country, mission or "", kind, pending)
                pending = None
                continue
            raise _unexpected(report, pending_line)
        if pending is not None:
            raise _unexpected(report, pending_line)
        if re.fullmatch(r"\d+ .+", label) and not numbers:
            country, mission = label.split(" ", 1)[1], None
            b.country = _Sums()
            continue
        if not numbers and len(words) == 1 and _is_mission(label):
            mission = label
            b.mission, b.pair = _Sums(), _Sums()
            continue
        if label == "Total for Mission":
            b.check("mission-country", f"{country} {mission}", line, numbers, b.pair)
            b.pair = _Sums()
            continue
        if label == "Total for Country":
            b.check("country", country, line, numbers, b.country)
            b.country = _Sums()
            continue
        if label in ("Grand Total", "Total"):
            b.check("grand", label, line, numbers, b.grand)
            continue
        kind, rest = _type_of(words)
        if kind and not rest and len(numbers) == 3:
            b.row(line, country, mission or "", kind, numbers)
            continue
        if not words and len(numbers) == 3 and report.layout == "B3":
            pending, pending_line = numbers, line
            continue
        if not words and len(numbers) == 3 and report.layout == "B2" and country:
            # A country subtotal whose label the PDF cuts off entirely (2017-10).
            b.check("country", country, line, numbers, b.country)
            b.country = _Sums()
            continue
        if len(numbers) == 1 and mission and label and mission.startswith(label):
            b.check("mission-country", f"{country} {mission}", line, numbers, b.pair)
            b.pair = _Sums()
            continue
        if len(numbers) == 3 and country and label and country.startswith(label):
            b.check("country", country, line, numbers, b.country)
            b.country = _Sums()
            continue
        raise _unexpected(report, line)
    if pending is not None:
        raise _unexpected(report, pending_line)
    _end(report)


def _parse_d1(lines: list[Line], report: Report) -> None:
    """2019-09 and 2024-10: one line per mission, country and type, with the date on each. A
    long country name wraps into the lines just above and below its row."""
    b = _Builder(report)
    above: Line | None = None
    waiting: Record | None = None  # a row whose country's last words are on the next line
    for line in lines:
        if _furniture(line) or line.text.casefold().startswith("mission country"):
            continue
        words, numbers = _without_date(line).numbers_at_end()
        if not numbers:
            if waiting is not None:
                _rename(report, waiting, f"{waiting.country} {line.text}".strip())
                waiting = None
            else:
                above = line
            continue
        if len(numbers) != 3 or not words or not _is_mission(words[0].text):
            raise _unexpected(report, line)
        kind, country = _type_of(words[1:])
        if kind is None:
            raise _unexpected(report, line)
        name = _joined(country)
        if not country:
            if above is None:
                raise _unexpected(report, line)
            name, above = above.text, None
            waiting = b.row(line, name, words[0].text, kind, numbers)
            continue
        if above is not None:
            raise _unexpected(report, above)
        waiting = None
        b.row(line, name, words[0].text, kind, numbers)
    _end(report)


def _rename(report: Report, record: Record, country: str) -> None:
    """Give a record the whole of a country name that wrapped onto another line."""
    index = report.records.index(record)
    report.records[index] = Record(
        country,
        record.mission,
        record.personnel_type,
        record.male,
        record.female,
        record.total,
        record.page,
        record.line,
    )


def _parse_d2(lines: list[Line], report: Report) -> None:
    """2019-10: a line per country and mission, with men and women of five types side by side."""
    b = _Builder(report)
    b.grand_wide = [0] * 10
    country = None
    wide_sums = [0] * 10
    labelled = False
    for line in lines:
        if _furniture(line) or "unmem m" in line.text.casefold():
            continue
        words, numbers = line.numbers_at_end()
        label = _joined(words)
        was_label, labelled = labelled, False
        if not numbers:
            # A long name wraps onto a second line: "Bosnia and" / "Herzegovina".
            country = f"{country} {label}" if was_label else label
            labelled = True
            wide_sums = [0] * 10
            continue
        if len(numbers) != 10:
            raise _unexpected(report, line)
        if label in ("Total by Country", "Grand Total"):
            summed = wide_sums if label == "Total by Country" else b.grand_wide
            for i, kind in enumerate(WIDE_TYPES):
                printed = (numbers[2 * i], numbers[2 * i + 1], None)
                sums = (summed[2 * i], summed[2 * i + 1], summed[2 * i] + summed[2 * i + 1])
                report.checks.append(
                    Check(
                        "country" if label == "Total by Country" else "grand",
                        f"{country if label == 'Total by Country' else 'Grand Total'} {kind}",
                        printed,
                        sums,
                        line.page,
                        line.number,
                    )
                )
            continue
        if len(words) != 1 or not _is_mission(label):
            raise _unexpected(report, line)
        for i, kind in enumerate(WIDE_TYPES):
            male, female = numbers[2 * i], numbers[2 * i + 1]
            if male + female:  # a cell of the wide table, not a printed row, when empty
                b.row(line, country, label, kind, [male, female, male + female])
            wide_sums[2 * i] += male
            wide_sums[2 * i + 1] += female
            b.grand_wide[2 * i] += male
            b.grand_wide[2 * i + 1] += female
    _end(report)


def _parse_d345(lines: list[Line], report: Report) -> None:
    """2019-11 to 2021-01: mission headings (with totals in 2021-01); country then type
    (D3: M F T type; D4: type M F T; D5, D6: the contributor on its own line); a subtotal
    line of numbers under each mission; the grand total, and a row count in some."""
    b = _Builder(report)
    mission = country = None
    layout = report.layout
    previous = None  # what the last line was: "label", "row", "subtotal"
    for line in lines:
        if _furniture(line):
            continue
        words, numbers = line.numbers_at_end()
        label = _joined(words)
        kind_of_line = previous
        previous = "other"
        # A long name wraps onto the next line: "United Republic of" / "Tanzania", a country
        # label's (D5, D6) or a row's (D3, where the country is on the row).
        wraps = ("label", "row") if layout in ("D3", "D4") else ("label",)
        if words and not numbers and kind_of_line in wraps and not _is_mission(label):
            if _type_of(words)[0] is None:
                if kind_of_line == "label":
                    country = f"{country} {label}"
                else:
                    _rename(report, report.records[-1], f"{report.records[-1].country} {label}")
                    country = report.records[-1].country
                previous = kind_of_line
                continue
        if words and _is_mission(words[0].text) and len(words) == 1:
            _close_pending(b)
            mission, country = words[0].text, None
            b.mission = _Sums()
            if numbers:  # D6: the mission's totals come first, checked at the next mission
                b.pending_mission = (line, numbers)
            continue
        if label in ("Grand Total",) or (not words and len(numbers) == 4):
            if len(numbers) == 4:  # the row count, then the grand totals
                b.count_check(line, numbers[0])
                numbers = numbers[1:]
            _close_pending(b)
            b.check("grand", "Grand Total", line, numbers, b.grand)
            continue
        if not words and len(numbers) == 3:
            if kind_of_line == "subtotal":  # D5 prints the grand total under the last subtotal
                b.check("grand", "Grand Total", line, numbers, b.grand)
                continue
            b.check("mission", mission, line, numbers, b.mission)
            b.mission = _Sums()
            previous = "subtotal"
            continue
        if not words and len(numbers) == 1 and layout == "D3":
            b.count_check(line, numbers[0])
            continue
        if layout == "D3":
            # "Country M F T Type": the type follows the numbers
            words = list(line.words)
            kind, before = _type_of(words)
            head = Line(line.page, line.number, before)
            country_words, numbers = head.numbers_at_end()
            if kind and len(numbers) == 3 and country_words:
                b.row(line, _joined(country_words), mission, kind, numbers)
                previous = "row"
                continue
            raise _unexpected(report, line)
        kind, rest = _type_of(words)
        if kind and not rest and len(numbers) == 3:
            b.row(line, country, mission, kind, numbers)
            previous = "row"
            continue
        if kind and rest and len(numbers) == 3:  # D4: "Country type M F T"
            country = _joined(rest)
            b.row(line, country, mission, kind, numbers)
            previous = "row"
            continue
        if words and not kind and not numbers or (words and not kind and len(numbers) == 3):
            _close_pending_country(b)
            country = label
            b.pair = _Sums()
            if numbers:  # D6: the contributor's totals come first, checked at its last row
                b.pending_country = (line, numbers)
            previous = "label"
            continue
        raise _unexpected(report, line)
    _close_pending(b)
    _end(report)


def _close_pending_country(b: _Builder) -> None:
    pending = getattr(b, "pending_country", None)
    if pending:
        line, numbers = pending
        b.check("mission-country", _joined(line.words[:-3]), line, numbers, b.pair)
        b.pending_country = None


def _close_pending(b: _Builder) -> None:
    _close_pending_country(b)
    pending = getattr(b, "pending_mission", None)
    if pending:
        line, numbers = pending
        b.check("mission", line.words[0].text, line, numbers, b.mission)
        b.pending_mission = None


def _parse_c1(lines: list[Line], report: Report) -> None:
    """2021-02 to 2025-07, read in the order the PDF draws it: mission; [country] type M F T
    (a country label before its rows); "Total MISSION"; "Grand Total"."""
    b = _Builder(report)
    mission = country = None
    labelled = False  # whether the last line was a country label (a long one wraps)
    for line in lines:
        if _furniture(line):
            continue
        words, numbers = line.numbers_at_end()
        label = _joined(words)
        was_label, labelled = labelled, False
        if not numbers and len(words) == 1 and _is_mission(label):
            mission, country = label, None
            b.mission = _Sums()
            continue
        if label.startswith("Total ") and len(numbers) == 3:
            b.check("mission", label[6:], line, numbers, b.mission)
            continue
        if label == "Grand Total":
            b.check("grand", label, line, numbers, b.grand)
            continue
        kind, rest = _type_of(words)
        if kind and len(numbers) == 3:
            if rest:
                country = _joined(rest)
            b.row(line, country, mission, kind, numbers)
            continue
        if words and not numbers:
            country = f"{country} {label}" if was_label else label
            labelled = True
            continue
        raise _unexpected(report, line)
    _end(report)


def _parse_c1x(lines: list[Line], separators: dict[int, list[float]], report: Report) -> None:
    """2022-09, an xlsx export of C1: a country's label is centred on its group of rows, which
    thin rules separate; each row takes the label found between the same two rules."""
    b = _Builder(report)
    mission = None
    pending: list[tuple[Line, str, list[int]]] = []  # rows of the current group
    labels: list[str] = []
    group = None

    def group_of(line: Line) -> tuple[int, int]:
        tops = separators.get(line.page, [])
        top = line.words[0].top
        return line.page, sum(1 for t in tops if t < top)

    last_label = None

    def flush():
        nonlocal pending, labels, last_label
        if pending:
            if not labels and group is not None and group[1] == 0 and last_label:
                # The first group of a page continues the last one of the page before.
                labels = [last_label]
            if len(labels) != 1:
                first = pending[0][0]
                raise ReportRefused(
                    report.file,
                    first.page,
                    first.number,
                    f"a group of rows with {len(labels)} country labels: {labels}",
                )
            for row_line, kind, numbers in pending:
                b.row(row_line, labels[0], mission, kind, numbers)
            last_label = labels[0]
        pending, labels = [], []

    for line in lines:
        if _furniture(line):
            continue
        words, numbers = line.numbers_at_end()
        label = _joined(words)
        where = group_of(line)
        if where != group:
            flush()
            group = where
        if not numbers and len(words) == 1 and _is_mission(label):
            flush()
            mission = label
            b.mission = _Sums()
            continue
        if label.startswith("Total ") and len(numbers) == 3:
            flush()
            b.check("mission", label[6:], line, numbers, b.mission)
            continue
        if label == "Grand Total":
            flush()
            b.check("grand", label, line, numbers, b.grand)
            continue
        kind, rest = _type_of(words)
        if kind and len(numbers) == 3:
            if rest:
                labels.append(_joined(rest))
            pending.append((line, kind, numbers))
            continue
        if words and not numbers:
            labels.append(label)
            continue
        raise _unexpected(report, line)
    flush()
    _end(report)


def _parse_c2(lines: list[Line], report: Report) -> None:
    """2023-09: totals per country and type, with no gender."""
    b = _Builder(report)
    order = (EXPERTS, FPU, POLICE, STAFF, TROOPS)
    wrapped = None
    for line in lines:
        if _furniture(line) or line.text in ("Mission Units Police",):
            continue
        words, numbers = _without_date(line).numbers_at_end()
        label = _joined(words)
        if label in ("Total", "Grand Total") and len(numbers) == 6:
            for i, kind in enumerate(order):
                summed = sum(r.total for r in report.records if r.personnel_type == kind)
                report.checks.append(
                    Check(
                        "grand",
                        f"{label} {kind}",
                        (None, None, numbers[i]),
                        (0, 0, summed),
                        line.page,
                        line.number,
                    )
                )
            report.checks.append(
                Check(
                    "grand",
                    label,
                    (None, None, numbers[5]),
                    (0, 0, b.grand.total),
                    line.page,
                    line.number,
                )
            )
            continue
        if len(numbers) == 6:
            country = label
            wrapped = (line, numbers, country)
            for kind, total in zip(order, numbers[:5], strict=True):
                b.row(line, country, "", kind, [total])
            report.checks.append(
                Check(
                    "country",
                    country,
                    (None, None, numbers[5]),
                    (0, 0, sum(numbers[:5])),
                    line.page,
                    line.number,
                )
            )
            continue
        if not numbers and words and wrapped is not None and line.number == wrapped[0].number + 1:
            # A name wrapped onto the next line ("United Republic of" / "Tanzania").
            first, _, name = wrapped
            joined = f"{name} {label}"
            report.records[-5:] = [
                Record(
                    joined, r.mission, r.personnel_type, r.male, r.female, r.total, r.page, r.line
                )
                for r in report.records[-5:]
            ]
            wrapped = None
            continue
        if label in ("Total", "Grand Total") and len(numbers) >= 1:
            report.checks.append(
                Check(
                    "grand",
                    label,
                    (None, None, numbers[-1]),
                    (0, 0, b.grand.total),
                    line.page,
                    line.number,
                )
            )
            continue
        raise _unexpected(report, line)
    _end(report)


def _end(report: Report) -> None:
    if not report.records:
        raise ReportRefused(report.file, None, None, "no rows found")


PARSERS = {
    "A": _parse_a,
    "B0": _parse_b,
    "B1": _parse_b,
    "B2": _parse_b,
    "B3": _parse_b,
    "D1": _parse_d1,
    "D2": _parse_d2,
    "D3": _parse_d345,
    "D4": _parse_d345,
    "D5": _parse_d345,
    "D6": _parse_d345,
    "C1": _parse_c1,
    "C2": _parse_c2,
    "D7": _parse_d1,
}


def verify(report: Report) -> None:
    """Refuse a report any of whose printed sums its rows do not add up to."""
    for check in report.checks:
        if not check.passes:
            printed = "/".join("-" if p is None else str(p) for p in check.printed)
            summed = "/".join(str(s) for s in check.summed)
            raise ReportRefused(
                report.file,
                check.page,
                check.line,
                f"the {check.kind} total of {check.label} is printed as {printed} (men/women/all) "
                f"but its rows add up to {summed}",
            )
