"""Regenerate tests/data/dpo-pages/: the first page of a UN DPO monthly report of each layout.

Run from the project root: python tests/data/make_dpo_pages.py (needs pypdf, a dev
dependency). Each page is cut from the project's copy of the report and keeps its file name,
so that the importer reads it as it reads the report: its text, its positions, its fonts'
metrics and its drawn lines are the report's. Only the embedded font programs, which draw
the glyphs and which no text extraction reads, are removed to keep the files small. The one
report of layout D6 prints each total above its rows, across page breaks, so no cut of it adds
up: it is kept whole.
"""

import csv
from pathlib import Path

from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "data" / "peacekeeping" / "un-dpo-monthly-gender-pdfs"
OUT = ROOT / "tests" / "data" / "dpo-pages"
WHOLE = {"D6"}


def _drop_font_programs(writer: PdfWriter) -> None:
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font")
        for ref in fonts.get_object().values() if fonts else []:
            font = ref.get_object()
            for descendant in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                        descriptor.pop(key, None)


def main() -> None:
    with (FOLDER / "imported-files.csv").open(encoding="utf-8", newline="") as handle:
        files = [f for f in csv.DictReader(handle) if f["status"] == "imported"]
    first_of_layout: dict[str, str] = {}
    for f in files:
        first_of_layout.setdefault(f["layout"], f["file"])
    OUT.mkdir(parents=True, exist_ok=True)
    for layout, name in sorted(first_of_layout.items()):
        reader = PdfReader(FOLDER / "pdf" / name)
        writer = PdfWriter()
        for page in reader.pages if layout in WHOLE else reader.pages[:1]:
            writer.add_page(page)
        _drop_font_programs(writer)
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        (OUT / layout).mkdir(exist_ok=True)
        with (OUT / layout / name).open("wb") as out:
            writer.write(out)
        print(layout, name, (OUT / layout / name).stat().st_size)


if __name__ == "__main__":
    main()
