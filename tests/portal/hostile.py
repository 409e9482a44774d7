"""Hostile workbooks built by hand, raw XML in a zip, as small as the real attacks: a sheet whose
<dimension> claims the whole grid, a million short rows, a part that unpacks to far more than the
upload, a formula never computed, a cell wider than any template."""

import io
import time
import zipfile
from contextlib import contextmanager
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def number(ref: str, value) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def row(number_: int, *cells: str) -> str:
    return f'<row r="{number_}">{"".join(cells)}</row>'


def header_row(titles) -> str:
    letters = [chr(ord("A") + i) for i in range(len(titles))]
    return row(1, *(text(f"{letter}1", title) for letter, title in zip(letters, titles, strict=True)))


def workbook(
    rows_xml: str | bytes,
    *,
    dimension: str = "A1:I2",
    shared_strings: bytes | None = None,
    sheet_name: str = "Sheet1",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    body = rows_xml.encode() if isinstance(rows_xml, str) else rows_xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(name=sheet_name))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml", SHEET_HEAD.format(dimension=dimension).encode() + body + SHEET_TAIL.encode()
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            shared_strings
            or b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
        )
    return buffer.getvalue()


def claims_whole_grid(titles) -> bytes:
    """1.8 KB: <dimension> A1:XFD1048576 and one cell in the last row of the grid."""
    return workbook(header_row(titles) + row(1048576, number("A1048576", 1)), dimension="A1:XFD1048576")


def million_rows(titles) -> bytes:
    """A few hundred KB: a header and 1,048,575 short rows."""
    parts = [header_row(titles).encode()]
    parts += [b"<row><c><v>1</v></c></row>"] * 1048575
    return workbook(b"".join(parts), dimension="A1:A1048576")


def huge_shared_string(titles, size: int = 60 * 1024 * 1024) -> bytes:
    """About 60 KB that unpack to one shared string of 60 MB (the real attack used 1 GB)."""
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>" + b"a" * size + b"</t></si></sst>"
    )
    return workbook(header_row(titles) + row(2, '<c r="A2" t="s"><v>0</v></c>'), shared_strings=sst)


def uncomputed_formula(titles, ref: str, cells: str) -> bytes:
    """One data row holding `cells`, plus `ref` as a formula that was never computed (no <v>)."""
    return workbook(header_row(titles) + row(2, cells + f'<c r="{ref}"><f>SUM(1,2)</f></c>'))


@contextmanager
def within(seconds: float):
    """The block must finish within `seconds` of this process's CPU time (the page must answer before a
    user gives up). CPU time, not the wall clock, so a busy test machine does not fail it; the attacks
    it guards against cost minutes of CPU."""
    start = time.process_time()
    yield
    elapsed = time.process_time() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s of CPU"
