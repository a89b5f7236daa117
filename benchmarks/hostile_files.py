"""Hostile data files: how long the readers take to refuse (or read) them, and their peak memory.

    python -m benchmarks.hostile_files [--rows-long N]

Each file is built here, written to a temporary folder and loaded by `hotline.load` in a fresh
process (so that one file's peak memory is not another's), and the table printed gives the time,
the peak resident memory of that process and the first words of the message.

Files: `wide.xlsx` (one value in column XFD on each of 20,000 rows: 327 million cells from A1 in
156 kB; before the sheet check it ran 405 s with a 7.97 GB peak, or aborted), `long.xlsx` (2 million
rows of 5 cells, 34 MB), `ok.xlsx` (the same layout at 100,000 rows, accepted), and the nested Parquet
and unclosed-quote CSV of issue 10.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(rows) -> bytes:
    """A minimal .xlsx whose first sheet holds `rows` (bytes of <row> elements), streamed into the archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
            sheet.write(b'spreadsheetml/2006/main"><sheetData>')
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _text(ref: bytes, text: bytes) -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)


def _header(names: list[bytes]) -> bytes:
    return b'<row r="1">' + b"".join(_text(b"%c1" % (65 + i), n) for i, n in enumerate(names)) + b"</row>"


def wide_xlsx(rows: int = 20_000) -> bytes:
    """One value in column A and one in column XFD on each row: a used range of rows x 16,384 cells."""
    body = (b'<row r="%d"><c r="A%d"><v>2019</v></c><c r="XFD%d"><v>1</v></c></row>' % (i, i, i) for i in range(2, rows + 2))
    return workbook([_header([b"year", b"state", b"trafficking_type"]), *body])


def long_xlsx(rows: int = 2_000_000) -> bytes:
    """`rows` signals of five cells each, as a real table would hold them."""
    states = (b"TX", b"CA", b"NY", b"FL", b"OK")
    body = (
        b'<row r="%d"><c r="A%d"><v>%d</v></c>' % (i, i, 2015 + i % 5)
        + _text(b"B%d" % i, states[i % 5])
        + _text(b"C%d" % i, b"sex" if i % 3 else b"labor")
        + b'<c r="D%d"><v>%d</v></c><c r="E%d"><v>1</v></c></row>' % (i, 1 + i % 12, i)
        for i in range(2, rows + 2)
    )
    return workbook([_header([b"year", b"state", b"trafficking_type", b"month", b"count"]), *body])


def nested_parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {"year": [2019, 2020], "state": ["TX", "OK"], "trafficking_type": ["sex", "labor"], "tags": [["a"], ["b"]]}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


UNCLOSED_QUOTE = b'year,state,trafficking_type,count\n2019,TX,labor,40\n2019,"OK"x,sex,"25\n2020,CA,sex,30\n'

_LOAD = """
import json, sys, time
import hotline
start = time.perf_counter()
try:
    data = hotline.load(sys.argv[1])
    message = f"loaded: {data.records:,} rows"
except hotline.DataError as error:
    message = str(error)
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: the latter keeps the parent's high-water mark across exec (a pytest process's)
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024 if "VmHWM:" in status else 0.0
print(json.dumps({"seconds": seconds, "peak_mb": peak, "message": message}))
"""


def measure(path: Path, memory_limit_mb: int = 4096, timeout: float = 600) -> dict:
    """Load `path` in a new process under an address-space limit; its time, peak memory and message."""
    limit = memory_limit_mb * 1024 * 1024
    command = [sys.executable, "-c", f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n{_LOAD}"]
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        return {"seconds": None, "peak_mb": None, "message": f"crashed (exit {done.returncode}): {done.stderr[-200:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows-long", type=int, default=2_000_000, help="rows of long.xlsx (default 2,000,000)")
    args = parser.parse_args(argv)
    files = {
        "wide.xlsx": wide_xlsx,
        "long.xlsx": lambda: long_xlsx(args.rows_long),
        "ok.xlsx": lambda: long_xlsx(100_000),
        "nested.parquet": nested_parquet,
        "unclosed_quote.csv": lambda: UNCLOSED_QUOTE,
    }
    print("| file | size | time | peak memory (process) | message |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, build in files.items():
            path = Path(folder) / name
            path.write_bytes(build())
            result = measure(path)
            seconds = "-" if result["seconds"] is None else f"{result['seconds']:.1f} s"
            peak = "-" if result["peak_mb"] is None else f"{result['peak_mb']:.0f} MB"
            message = result["message"].split(". ")[0][:150]
            print(f"| {name} | {path.stat().st_size / 1024:,.0f} kB | {seconds} | {peak} | {message} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
