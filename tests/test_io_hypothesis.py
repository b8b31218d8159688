"""Generated exports, valid and corrupted: a valid export loads with every row kept and every
value as written; any other export loads with exact row accounting or raises a FipevalError,
never anything else; raw BSNs never come out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fipeval.errors import FipevalError
from fipeval.io import load

from test_io import KEY, REASON_NL, SPELL_HEADER, fake_bsns, hmac_ref

EXTRACT = "2020-01-01"
BSNS = fake_bsns(12, np.random.default_rng(11))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

bsn_values = st.sampled_from(BSNS) | st.sampled_from(["", "123456789", "abc", " " + BSNS[0] + " ",
                                                      BSNS[1][1:], "0" * 9])
date_values = st.sampled_from(["01-01-2015", "31-12-2014", "15-06-2019", "29-02-2016", "2015-03-01",
                               "20150301", "12-25-2015", "01-02-15", "", "31-02-2015", "morgen",
                               "01-01-2030", "42005"])
code_values = st.sampled_from(["Werk", "werkaanvaarding", "fraude", "verhuisd", "samenwonen", "Onbekend",
                               "iets anders", "", "Overlijden", "Handhaving/fraude"])
text_values = st.sampled_from(["Steenbergen", "Woensdrecht", " Bergen op Zoom ", "", "KM-1", "x;y",
                               'a"b', "é", "0"])
amount_values = st.sampled_from(["900,00", "1.234,56", "abc", "", "-5", "12.5", "1e3", "€ 7,50"])
small = st.sampled_from(["1", "6", "9", "", "trede 3", "V", "M", "Alleenstaande", "x", "01-01-1970"])


@st.composite
def spells_rows(draw):
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        rows.append([draw(bsn_values), f"K{draw(st.integers(0, 9))}", draw(text_values), draw(text_values),
                     draw(date_values), draw(date_values), draw(code_values), draw(amount_values),
                     draw(small), draw(date_values), draw(small), draw(small)])
    return rows


def _quote(value: str, sep: str) -> str:
    if sep in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def render(rows, *, sep: str, encoding: str, newline: str, blank_every: int, short_every: int) -> tuple[bytes, int]:
    """The export as bytes and its number of data records (blank lines are not records)."""
    lines = [sep.join(SPELL_HEADER)]
    records = 0
    for i, row in enumerate(rows):
        if blank_every and i % blank_every == 0:
            lines.append("")
        fields = row[:5] if short_every and i % short_every == 1 else row
        lines.append(sep.join(_quote(v, sep) for v in fields))
        records += 1
    text = newline.join(lines) + newline
    return text.encode(encoding, errors="replace"), records


def _check_accounting(reg, path, *, records: int | None = None) -> None:
    rep = reg.load_report
    assert rep["rows_read"] == rep["rows_kept"] + rep["rows_rejected"]
    assert rep["rows_kept"] == len(reg.spells) + len(reg.contacts) + len(reg.events)
    assert rep["rows_rejected"] == len(rep["rejected"])
    assert sum(rep["rejected_by_reason"].values()) == rep["rows_rejected"]
    assert sum(rep["repaired_by_kind"].values()) >= rep["rows_repaired"]
    lines = [r["line"] for r in rep["rejected"]]
    assert len(set(lines)) == len(lines) and all(line >= 1 for line in lines)
    if records is not None:
        assert rep["rows_read"] == records
    # every physical line of a text file is the header, a record, a blank line or a
    # continuation line of a quoted value with a line break: none vanishes
    for name, f in rep["files"].items():
        lines = f["detected"].get("lines")
        if lines is not None:
            assert lines["records"] == f["rows_read"], (name, lines)
            assert lines["physical"] == (lines["header"] + lines["records"] + lines["blank"]
                                         + lines["continuation"]), (name, lines)
    text = rep.to_json() + reg.spells.to_csv()
    assert not [b for b in BSNS if b in text or b[1:] in text]


def _check_error(err: FipevalError) -> None:
    text = str(err) + " " + str(err.__cause__ or "") + " " + str(err.__context__ if not
                                                               err.__suppress_context__ else "")
    assert not [b for b in BSNS if b in text or b[1:] in text], text


@SETTINGS
@given(rows=spells_rows(), sep=st.sampled_from([";", ",", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), newline=st.sampled_from(["\n", "\r\n"]),
       blank_every=st.integers(0, 5), short_every=st.integers(0, 6))
def test_generated_exports_load_with_exact_accounting(tmp_path_factory, rows, sep, encoding, newline,
                                                      blank_every, short_every):
    path = tmp_path_factory.mktemp("gen") / "uitkeringen.csv"
    data, records = render(rows, sep=sep, encoding=encoding, newline=newline,
                           blank_every=blank_every, short_every=short_every)
    path.write_bytes(data)
    try:
        reg = load(path, key=KEY, extract_date=EXTRACT)
    except FipevalError as err:
        _check_error(err)
        return
    _check_accounting(reg, path, records=records)


# ---- valid exports: everything loads, as written ---------------------------------------

VALID_BSNS = fake_bsns(25, np.random.default_rng(12))
HOUSEHOLD_NL = {"single": "Alleenstaande", "single_parent": "Eenoudergezin", "couple": "Gehuwd"}
SEX_NL = {"female": "V", "male": "M"}
names = st.text(st.characters(codec="cp1252", categories=["L", "N", "Zs"],
                              exclude_characters="\x85\xa0"), min_size=1, max_size=12)
days = st.dates(min_value=pd.Timestamp("2005-01-01").date(),
                max_value=pd.Timestamp("2019-12-31").date())


@st.composite
def valid_spells(draw):
    """One spell per client: a running benefit or one that ended, with a known end reason."""
    n = draw(st.integers(1, len(VALID_BSNS)))
    rows = []
    for bsn in VALID_BSNS[:n]:
        start = draw(days)
        end = draw(st.none() | st.dates(min_value=start, max_value=pd.Timestamp("2019-12-31").date()))
        rows.append({"bsn": bsn, "municipality": draw(names).strip() or "Tholen",
                     "caseworker": draw(names).strip() or "KM", "start": start, "end": end,
                     "reason": None if end is None else draw(st.sampled_from(sorted(REASON_NL)[:-1])),
                     "cents": draw(st.integers(0, 250_000)),
                     "household": draw(st.sampled_from(sorted(HOUSEHOLD_NL))),
                     "birth": draw(st.dates(min_value=pd.Timestamp("1940-01-01").date(),
                                            max_value=pd.Timestamp("2001-12-31").date())),
                     "sex": draw(st.sampled_from(sorted(SEX_NL))), "rung": draw(st.integers(1, 6))})
    return rows


def render_valid(rows, *, sep: str, encoding: str, newline: str, quote_all: bool) -> bytes:
    def field(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote_all or sep in v or '"' in v else v

    lines = [sep.join(field(h) for h in SPELL_HEADER)]
    for i, r in enumerate(rows):
        euros, cents = divmod(r["cents"], 100)
        lines.append(sep.join(field(v) for v in [
            r["bsn"], f"K{i}", r["municipality"], r["caseworker"], r["start"].strftime("%d-%m-%Y"),
            "" if r["end"] is None else r["end"].strftime("%d-%m-%Y"),
            "" if r["reason"] is None else REASON_NL[r["reason"]],
            f"{euros:,}".replace(",", ".") + f",{cents:02d}", HOUSEHOLD_NL[r["household"]],
            r["birth"].strftime("%d-%m-%Y"), SEX_NL[r["sex"]], str(r["rung"])]))
    return (newline.join(lines) + newline).encode(encoding)


@SETTINGS
@given(rows=valid_spells(), sep=st.sampled_from([";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       newline=st.sampled_from(["\n", "\r\n"]), quote_all=st.booleans())
def test_valid_exports_load_every_row_as_written(tmp_path_factory, rows, sep, encoding, newline,
                                                 quote_all):
    path = tmp_path_factory.mktemp("valid") / "uitkeringen.csv"
    path.write_bytes(render_valid(rows, sep=sep, encoding=encoding, newline=newline,
                                  quote_all=quote_all))
    reg = load(path, key=KEY, extract_date=EXTRACT)
    rep = reg.load_report
    assert (rep["rows_read"], rep["rows_kept"], rep["rows_rejected"]) == (len(rows), len(rows), 0)
    got = reg.spells.set_index("client_id").loc[[hmac_ref(r["bsn"]) for r in rows]]
    want = pd.DataFrame(rows)
    np.testing.assert_array_equal(got["municipality"].astype(str), want["municipality"])
    np.testing.assert_array_equal(got["caseworker"].astype(str), want["caseworker"])
    np.testing.assert_array_equal(got["start_date"], pd.to_datetime(want["start"]))
    np.testing.assert_array_equal(got["end_date"], pd.to_datetime(want["end"]))
    np.testing.assert_array_equal(got["end_reason"].astype(object).where(got["end_reason"].notna(), None),
                                  [r["reason"] for r in rows])
    np.testing.assert_array_equal(got["monthly_amount"], want["cents"] / 100)
    np.testing.assert_array_equal(got["household_type"].astype(str), want["household"])
    np.testing.assert_array_equal(got["birth_year"].astype(int), [b.year for b in want["birth"]])
    np.testing.assert_array_equal(got["sex"].astype(str), want["sex"])
    np.testing.assert_array_equal(got["ladder_rung"].astype(int), want["rung"])
    _check_accounting(reg, path, records=len(rows))


@st.composite
def corruptions(draw):
    ops = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.floats(0, 1))
        payload = draw(st.sampled_from([b"\x00", b"\r", b'"', b";", b"\n", b"\xff\xfe", b"\xe9",
                                        b"PK\x03\x04", b" ", b"\n\n", b"9", b"-"]))
        ops.append((kind, pos, payload))
    return ops


@SETTINGS
@given(rows=spells_rows(), ops=corruptions())
def test_corrupted_exports_load_or_raise_fipeval_error(tmp_path_factory, rows, ops):
    data, _ = render(rows, sep=";", encoding="utf-8", newline="\n", blank_every=0, short_every=0)
    data = bytearray(data)
    for kind, pos, payload in ops:
        at = int(pos * len(data))
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= 0x5A
        elif kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at:at + 3]
        else:
            del data[at:]
    path = tmp_path_factory.mktemp("bad") / "uitkeringen.csv"
    path.write_bytes(bytes(data))
    try:
        reg = load(path, key=KEY, extract_date=EXTRACT)
    except FipevalError as err:
        _check_error(err)
        assert err.file is not None and path.name in str(err.file)   # names the file
        return
    _check_accounting(reg, path)
    assert reg.load_report["rows_read"] <= bytes(data).count(b"\n") + bytes(data).count(b"\r") + 1


def _load_or_error(path, **kwargs):
    try:
        return load(path, key=KEY, extract_date=EXTRACT, **kwargs)
    except FipevalError as err:
        return type(err)


@SETTINGS
@given(rows=spells_rows(), ops=st.lists(corruptions(), max_size=1),
       newline=st.sampled_from(["\n", "\r\n"]), blank_every=st.integers(0, 5),
       short_every=st.integers(0, 6), chunk=st.integers(40, 400))
def test_streamed_and_whole_file_reads_agree(tmp_path_factory, rows, ops, newline, blank_every,
                                             short_every, chunk):
    """Large files are read chunk by chunk (falling back to the exact path on anything the
    fast path cannot number): with tiny chunks, every export, valid or corrupted, must give
    the same register and load report as the whole-file read, or the same error."""
    import fipeval.io.readers as readers
    data, _ = render(rows, sep=";", encoding="utf-8", newline=newline, blank_every=blank_every,
                     short_every=short_every)
    data = bytearray(data)
    for kind, pos, payload in (ops[0] if ops else []):
        at = int(pos * len(data))
        if kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at:at + 3]
    path = tmp_path_factory.mktemp("stream") / "uitkeringen.csv"
    path.write_bytes(bytes(data))
    whole = _load_or_error(path)
    saved = readers.STREAM_BYTES, readers.HEAD_BYTES
    readers.STREAM_BYTES, readers.HEAD_BYTES = chunk, 2 * chunk
    try:
        streamed = _load_or_error(path)
    finally:
        readers.STREAM_BYTES, readers.HEAD_BYTES = saved
    if isinstance(whole, type):
        assert streamed is whole
        return
    assert not isinstance(streamed, type), streamed
    for table in ("spells", "contacts", "events"):
        pd.testing.assert_frame_equal(getattr(streamed, table), getattr(whole, table))
    assert streamed.load_report.to_dict() == whole.load_report.to_dict()


@pytest.mark.parametrize("seed", range(3))
def test_contacts_generated(tmp_path, seed):
    rng = np.random.default_rng(seed)
    kinds = ["Intake", "FIP-gesprek", "Regulier", "Huisbezoek", ""]
    lines = ["bsn;datum;soort contact;duur minuten"]
    for _ in range(50):
        lines.append(";".join([BSNS[rng.integers(len(BSNS))] if rng.random() < 0.9 else "12",
                               ["01-02-2015", "", "x", "01-02-2031"][rng.integers(4)] if rng.random() < 0.3
                               else "03-04-2016", kinds[rng.integers(len(kinds))],
                               ["30", "", "-1", "x", "20,5"][rng.integers(5)]]))
    path = tmp_path / "contacten.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = load(path, key=KEY, extract_date=EXTRACT)
    _check_accounting(reg, path, records=50)


@st.composite
def header_defects(draw):
    """What happens to export headers: a column dropped, duplicated, renamed with a typo or
    garbled by a wrong decode, two swapped, an extra unknown one."""
    kind = draw(st.sampled_from(["drop", "duplicate", "typo", "mojibake", "swap", "extra"]))
    return kind, draw(st.integers(0, len(SPELL_HEADER) - 1)), draw(st.integers(0, len(SPELL_HEADER) - 1))


@SETTINGS
@given(rows=spells_rows(), defect=header_defects())
def test_header_defects_load_with_accounting_or_name_the_file(tmp_path_factory, rows, defect):
    kind, i, j = defect
    header = list(SPELL_HEADER)
    if kind == "drop":
        del header[i]
    elif kind == "duplicate":
        header[j] = header[i]
    elif kind == "typo":
        header[i] = header[i][:-1] + ("x" if header[i][-1:] != "x" else "y")
    elif kind == "mojibake":
        header[i] = header[i].encode("utf-8").decode("cp1252", errors="replace").replace("e", "Ã«", 1)
    elif kind == "swap":
        header[i], header[j] = header[j], header[i]
    else:
        header.append("opmerking")
    data, records = render(rows, sep=";", encoding="utf-8", newline="\n", blank_every=0,
                           short_every=0)
    body = data.split(b"\n", 1)[1]
    path = tmp_path_factory.mktemp("hdr") / "uitkeringen.csv"
    path.write_bytes(";".join(header).encode("utf-8") + b"\n" + body)
    try:
        reg = load(path, key=KEY, extract_date=EXTRACT)
    except FipevalError as err:
        _check_error(err)
        assert err.file is not None and str(path.name) in str(err.file)   # names the file
        return
    _check_accounting(reg, path, records=records)
    notes = " ".join(reg.load_report["notes"])
    if kind == "duplicate" and header[i] in SPELL_HEADER and i != j:
        assert "occurs more than once" in notes
