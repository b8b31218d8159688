"""Loaders (fipeval.io): BSNs, dates, mappings, formats, row accounting, errors, privacy.

Fixtures are generated here: fake BSNs that pass the 11-proef (drawn from 9xxxxxxxx,
a range not issued), written as Dutch exports in every supported form.
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import fipeval
from fipeval.cli import main
from fipeval.errors import ConfigError, FipevalError, LoadError, PrivacyError
from fipeval.io import inspect, is_valid_bsn, load, parse_dates, pseudonymise, resolve_key
from fipeval.io.bsn import KEY_ENV, KEY_FILE_ENV, key_strength
from fipeval.io.mapping import read_mapping

KEY = "test-key-0123456789abcdef"
EXTRACT = "2020-01-01"
WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2])
SPELL_HEADER = ["bsn", "klantnummer", "gemeente", "klantmanager", "ingangsdatum", "einddatum",
                "reden beëindiging", "uitkeringsbedrag", "leefvorm", "geboortedatum", "geslacht",
                "trede participatieladder"]
REASON_NL = {"work": "Werk", "enforcement": "Handhaving/fraude", "moved": "Verhuizing",
             "partner": "Huwelijk/samenwonen", "other_benefit": "Andere uitkering",
             "education": "Studiefinanciering", "death": "Overlijden", "other": "Overig",
             "unknown": "Onbekend"}
HOUSEHOLD_NL = {"single": "Alleenstaande", "single_parent": "Alleenstaande ouder",
                "couple": "Gehuwd/samenwonend"}


def fake_bsns(n: int, rng: np.random.Generator, *, first: int = 9) -> list[str]:
    """``n`` distinct 9-digit strings passing the 11-proef, starting with ``first``."""
    out: set[str] = set()
    while len(out) < n:
        body = rng.integers(first * 10**7, (first + 1) * 10**7, size=4 * n)
        digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        check = (digits @ WEIGHTS) % 11
        out.update(f"{b:08d}{c}" for b, c in zip(body[check < 10], check[check < 10]))
    return sorted(out)[:n]


def hmac_ref(bsn: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), bsn.encode(), "sha256").hexdigest()[:16]


def make_spells(n_clients: int = 40, seed: int = 3) -> pd.DataFrame:
    """A clean canonical-like spells table with raw BSNs (one or two spells per client)."""
    rng = np.random.default_rng(seed)
    bsn = fake_bsns(n_clients, rng)
    rows = []
    for i, b in enumerate(bsn):
        start = pd.Timestamp("2010-01-01") + pd.Timedelta(days=int(rng.integers(0, 2500)))
        for k in range(1 + (i % 3 == 0)):
            ended = k == 0 and i % 3 == 0 or rng.random() < 0.5
            end = start + pd.Timedelta(days=int(rng.integers(30, 700))) if ended else pd.NaT
            if end is not pd.NaT and end >= pd.Timestamp(EXTRACT):
                end = pd.NaT
            rows.append({
                "bsn": b, "klantnummer": f"K{i:05d}", "municipality": ["Steenbergen", "Woensdrecht"][i % 2],
                "caseworker": f"KM-{i % 5}", "start_date": start, "end_date": end,
                "end_reason": (list(REASON_NL)[i % 9] if end is not pd.NaT else None),
                "monthly_amount": round(float(rng.uniform(400, 1800)), 2),
                "household_type": list(HOUSEHOLD_NL)[i % 3],
                "birth_date": pd.Timestamp("1950-01-01") + pd.Timedelta(days=int(rng.integers(0, 15000))),
                "sex": ["female", "male"][i % 2], "ladder_rung": int(1 + i % 6)})
            if end is pd.NaT:
                break
            start = end + pd.Timedelta(days=int(rng.integers(40, 400)))
            if start >= pd.Timestamp(EXTRACT):
                break
    return pd.DataFrame(rows)


def dutch(spells: pd.DataFrame, *, date="%d-%m-%Y", decimal=",") -> pd.DataFrame:
    """The spells as a Dutch export (text columns, Dutch codes)."""
    fmt = (lambda s: s.dt.strftime(date).fillna("")) if isinstance(date, str) else date
    amount = spells["monthly_amount"].map(lambda x: f"{x:.2f}".replace(".", decimal))
    return pd.DataFrame({
        "bsn": spells["bsn"], "klantnummer": spells["klantnummer"], "gemeente": spells["municipality"],
        "klantmanager": spells["caseworker"], "ingangsdatum": fmt(spells["start_date"]),
        "einddatum": fmt(spells["end_date"]),
        "reden beëindiging": spells["end_reason"].map(REASON_NL).fillna(""),
        "uitkeringsbedrag": amount, "leefvorm": spells["household_type"].map(HOUSEHOLD_NL),
        "geboortedatum": fmt(spells["birth_date"]), "geslacht": spells["sex"].map({"female": "V", "male": "M"}),
        "trede participatieladder": spells["ladder_rung"].astype(str)})


def write_csv(frame: pd.DataFrame, path: Path, *, sep=";", encoding="utf-8", quoting=None) -> Path:
    text = sep.join(frame.columns) + "\n" + "\n".join(
        sep.join(f'"{v}"' if quoting else str(v) for v in row) for row in frame.astype(str).to_numpy()) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def expected_spells(spells: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "client_id": spells["bsn"].map(hmac_ref), "municipality": spells["municipality"],
        "caseworker": spells["caseworker"], "start_date": spells["start_date"],
        "end_date": spells["end_date"], "end_reason": spells["end_reason"],
        "monthly_amount": spells["monthly_amount"], "household_type": spells["household_type"],
        "birth_year": spells["birth_date"].dt.year, "sex": spells["sex"],
        "ladder_rung": spells["ladder_rung"]})
    return fipeval.Register(spells=out).spells


def sort(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["client_id", "start_date"]).reset_index(drop=True)


def assert_same_spells(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(sort(got), sort(want), check_categorical=False)


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)


@pytest.fixture(scope="module")
def spells() -> pd.DataFrame:
    return make_spells()


# --- BSN --------------------------------------------------------------------------------

def test_eleven_proef_known_values():
    # 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6*11 (DOMAIN.md); 123456782: 154 = 14*11
    values = ["111222333", "123456782", "123456789", "11122233", "000000000", "abc", None,
              " 123456782 ", "123456782.0", "1234567820"]
    assert is_valid_bsn(values).tolist() == [True, True, False, False, False, False, False,
                                             True, True, False]
    # an 8-digit number gets a leading zero: 012345672 -> 0+8+14+18+20+20+18+14-2 = 110
    assert is_valid_bsn(["12345672"]).tolist() == [True]


def test_eleven_proef_detects_every_single_digit_error():
    rng = np.random.default_rng(0)
    valid = fake_bsns(30, rng)
    assert is_valid_bsn(valid).all()
    changed = [b[:pos] + d + b[pos + 1:] for b in valid for pos in range(9) for d in "0123456789"
               if d != b[pos]]
    assert len(changed) == 30 * 9 * 9 and not is_valid_bsn(changed).any()


def test_pseudonym_is_hmac_sha256_of_the_bsn():
    bsns = fake_bsns(50, np.random.default_rng(1))
    got = pseudonymise(bsns, KEY.encode())
    assert got.tolist() == [hmac_ref(b) for b in bsns]
    long_key = "k" * 100   # keys over one SHA-256 block are hashed first (RFC 2104)
    assert pseudonymise(bsns[:3], long_key.encode()).tolist() == [hmac_ref(b, long_key) for b in bsns[:3]]


def test_key_sources(tmp_path, monkeypatch):
    assert resolve_key(KEY) == KEY.encode()
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    assert resolve_key(key_file) == KEY.encode()
    monkeypatch.setenv(KEY_ENV, KEY)
    assert resolve_key(None) == KEY.encode()
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    assert resolve_key(None) == KEY.encode()
    monkeypatch.delenv(KEY_FILE_ENV)
    with pytest.raises(PrivacyError, match="no pseudonymisation key"):
        resolve_key(None)
    with pytest.raises(PrivacyError, match="at least 16"):
        resolve_key("short")
    with pytest.raises(PrivacyError, match="Cannot read the key file"):
        resolve_key(tmp_path / "missing.key")


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", " " * 16, "password12345678",
                                  "0123456701234567", "abababababababababababab"])
def test_predictable_keys_are_refused_with_the_way_out(weak):
    with pytest.raises(PrivacyError, match=r"too predictable .*fipeval key new"):
        resolve_key(weak)


def test_key_new_writes_an_owner_only_key_once(tmp_path):
    import stat

    from fipeval.cli import main

    out = tmp_path / "bsn.key"
    assert main(["key", "new", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    secret = resolve_key(out)
    assert len(secret) == 64 and int(secret, 16) >= 0 and key_strength(secret) > 200
    first = out.read_bytes()
    assert main(["key", "new", "--out", str(out)]) == 2     # never overwritten
    assert out.read_bytes() == first
    other = tmp_path / "other.key"
    assert main(["key", "new", "--out", str(other)]) == 0 and other.read_bytes() != first


# --- dates ----------------------------------------------------------------------------

@pytest.mark.parametrize("values, fmt", [
    (["01-11-2014", "28-02-2015"], None), (["01/11/2014", "28/02/2015"], None),
    (["1.11.2014", "28.2.2015"], None), (["2014-11-01", "2015-02-28 00:00:00"], None),
    (["20141101", "20150228"], None), (["41944", "42063"], "excel"),
    (["11-01-2014", "02-28-2015"], "mm-dd-jjjj"), (["01-11-14", "28-02-15"], None),
])
def test_date_formats(values, fmt):
    res = parse_dates(pa.array(values), date_format=fmt, pivot_year=2020)
    assert [str(v)[:10] for v in res.values] == ["2014-11-01", "2015-02-28"]
    assert not res.invalid.any()


def test_numeric_dates():
    assert [str(v)[:10] for v in parse_dates(pa.array([20141101, None])).values] == ["2014-11-01", "NaT"]
    # Excel serial 42005 is 1 January 2015 (1900 date system, epoch 1899-12-30)
    assert str(parse_dates(pa.array([42005.0])).values[0])[:10] == "2015-01-01"


def test_date_repairs_and_invalid():
    values = ["05-03-2014", "12-25-2014", "01-02-65", "01-02-15", "2014-03-05", "31-02-2014", "x", ""]
    res = parse_dates(pa.array(values), pivot_year=2020)
    assert [str(v)[:10] for v in res.values] == ["2014-03-05", "2014-12-25", "1965-02-01", "2015-02-01",
                                                 "2014-03-05", "NaT", "NaT", "NaT"]
    assert res.repairs["swapped_day_month"].tolist() == [0, 1, 0, 0, 0, 0, 0, 0]
    assert res.repairs["two_digit_year"].tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    assert res.repairs["mixed_date_format"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0]
    assert res.invalid.tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    assert res.missing.tolist() == [0, 0, 0, 0, 0, 0, 0, 1]


def test_unknown_date_format_is_refused():
    with pytest.raises(FipevalError, match="Unknown date format 'dd-mmm'"):
        parse_dates(pa.array(["01-11-2014"]), date_format="dd-mmm")


# --- the bundled presets and every format -----------------------------------------------

def test_dutch_export_loads_without_mapping(tmp_path, spells):
    path = write_csv(dutch(spells), tmp_path / "uitkeringen.csv")
    reg = load(path, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))
    rep = reg.load_report
    assert (rep["rows_read"], rep["rows_kept"], rep["rows_rejected"], rep["rows_repaired"]) == \
        (len(spells), len(spells), 0, 0)
    assert rep["files"][str(path)]["detected"]["separator"] == ";"
    assert rep["files"][str(path)]["detected"]["decimal"] == ","


VARIANTS = {
    "comma_point": dict(sep=",", decimal=".", date="%d-%m-%Y"),
    "tab_iso": dict(sep="\t", decimal=",", date="%Y-%m-%d"),
    "pipe_yyyymmdd": dict(sep="|", decimal=".", date="%Y%m%d"),
    "cp1252_slash": dict(sep=";", decimal=",", date="%d/%m/%Y", encoding="cp1252"),
    "bom_quoted": dict(sep=";", decimal=",", date="%d-%m-%Y", encoding="utf-8-sig", quoting=True),
    "comma_decimal_comma_quoted": dict(sep=",", decimal=",", date="%d-%m-%Y", quoting=True),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_text_variants_round_trip(tmp_path, spells, variant):
    opts = dict(VARIANTS[variant])
    frame = dutch(spells, date=opts.pop("date"), decimal=opts.pop("decimal"))
    path = write_csv(frame, tmp_path / "export.txt", **opts)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))
    assert reg.load_report["rows_kept"] == len(spells) and reg.load_report["rows_rejected"] == 0


def _typed(spells: pd.DataFrame) -> pd.DataFrame:
    frame = dutch(spells)
    frame["ingangsdatum"] = spells["start_date"]
    frame["einddatum"] = spells["end_date"]
    frame["geboortedatum"] = spells["birth_date"]
    frame["uitkeringsbedrag"] = spells["monthly_amount"]
    frame["trede participatieladder"] = spells["ladder_rung"]
    return frame


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".sav", ".dta"])
def test_binary_formats_round_trip(tmp_path, spells, suffix):
    frame = _typed(spells)
    path = tmp_path / f"uitkeringen{suffix}"
    if suffix == ".xlsx":
        with pd.ExcelWriter(path) as xl:
            pd.DataFrame({"toelichting": ["voorblad"]}).to_excel(xl, sheet_name="Info", index=False)
            frame.to_excel(xl, sheet_name="Uitkeringen", index=False)
        mapping = {"file": {"sheet": "Uitkeringen"}}
    elif suffix == ".parquet":
        frame.to_parquet(path)
        mapping = None
    else:
        import pyreadstat
        frame = frame.rename(columns=lambda c: c.replace(" ", "_").replace("ë", "e"))
        frame["einddatum"] = frame["einddatum"].astype("datetime64[ns]")
        writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        writer(frame, str(path))
        mapping = None
    reg = load(path, mapping=mapping, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))
    assert reg.load_report["rows_read"] == len(spells) == reg.load_report["rows_kept"]


def test_excel_dates_as_serial_numbers(tmp_path, spells):
    frame = dutch(spells, date=lambda s: ((s - pd.Timestamp("1899-12-30")).dt.days).astype("Int64")
                  .astype("string").fillna(""))   # astype(str) writes "nan" on pandas 3
    path = write_csv(frame, tmp_path / "serial.csv")
    reg = load(path, mapping={"file": {"date_format": "excel"}}, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))


# --- several files ----------------------------------------------------------------------

def test_spells_contacts_events_join_by_pseudonym(tmp_path, spells):
    bsns = spells["bsn"].unique()[:5]
    write_csv(dutch(spells), tmp_path / "uitkeringen.csv")
    write_csv(pd.DataFrame({"bsn": bsns, "datum": ["01-03-2015"] * 5,
                            "soort contact": ["Intake", "FIP-gesprek", "Regulier", "fip gesprek", "Intake"],
                            "duur minuten": ["45", "30", "20,5", "", "45"]}), tmp_path / "contacten.csv")
    write_csv(pd.DataFrame({"bsn": bsns, "datum": ["02-03-2015"] * 5,
                            "soort": ["Fraudesignaal", "Vrijwilligerswerk", "Mantelzorg", "Start traject",
                                      "Trede omhoog"],
                            "omschrijving": ["a", "b", "c", "d", "e"]}), tmp_path / "gebeurtenissen.csv")
    reg = load(tmp_path, key=KEY, extract_date=EXTRACT)
    ids = [hmac_ref(b) for b in bsns]
    assert reg.contacts["client_id"].tolist() == ids
    assert reg.contacts["kind"].tolist() == ["intake", "fip_talk", "regular", "fip_talk", "intake"]
    np.testing.assert_array_equal(reg.contacts["minutes"].to_numpy(), [45, 30, 20.5, np.nan, 45])
    assert reg.events["kind"].tolist() == ["fraud_signal", "volunteering", "informal_care",
                                           "programme_start", "ladder_step"]
    assert set(reg.events["client_id"]) <= set(reg.spells["client_id"])
    assert reg.load_report["rows_read"] == len(spells) + 10


def test_one_file_per_municipality(tmp_path, spells):
    paths = []
    for name, part in dutch(spells).groupby("gemeente"):
        path = tmp_path / f"{name}.csv"
        write_csv(part.drop(columns="gemeente"), path)
        paths.append(path)
    with pytest.raises(LoadError, match=r"no municipality column .*\[spells.constants\]"):
        load(paths[0], key=KEY)
    regs = [load(p, key=KEY, extract_date=EXTRACT, municipality=p.stem) for p in paths]
    combined = pd.concat([r.spells for r in regs])
    assert_same_spells(fipeval.Register(spells=combined).spells, expected_spells(spells))
    mapping = tmp_path / "steenbergen.toml"
    mapping.write_text('[spells.constants]\nmunicipality = "Steenbergen"\n')
    reg = load(tmp_path / "Steenbergen.csv", mapping=mapping, key=KEY, extract_date=EXTRACT)
    assert set(reg.spells["municipality"]) == {"Steenbergen"}


# --- row rules and accounting -----------------------------------------------------------

def _dirty_export(tmp_path: Path) -> tuple[Path, list[str]]:
    b = fake_bsns(12, np.random.default_rng(7))
    eight = fake_bsns(1, np.random.default_rng(8), first=0)[0]   # 0xxxxxxxx: written with 8 digits
    lines = [";".join(SPELL_HEADER),
             f"{b[0]};K1;Steenbergen;KM-1;01-01-2015;;;900,00;Alleenstaande;01-01-1970;V;2",        # 2 ok
             f"{b[1][:-1]}0;K2;Steenbergen;KM-1;01-01-2015;;;900,00;Alleenstaande;01-01-1970;V;2",   # 3 11-proef
             f"{b[2]};K3;Steenbergen;KM-1;;;;900,00;Alleenstaande;01-01-1970;V;2",                   # 4 no start
             f"{b[3]};K4;Steenbergen;KM-1;01-06-2015;01-01-2015;Werk;900,00;Alleenstaande;01-01-1970;V;2",  # 5
             f"{b[4]};K5;Steenbergen;KM-1;01-06-2021;;;900,00;Alleenstaande;01-01-1970;V;2",          # 6 future
             f"{b[5]};K6;Steenbergen;KM-1;01-06-2015;01-06-2021;Werk;900,00;Alleenstaande;01-01-1970;V;2",  # 7
             "",                                                                                   # 8 blank
             f"{b[6]};K7;Steenbergen;KM-1;01-01-2015;31-12-2015;werkaanvaarding;900,00;Alleenstaande;01-01-1970;V;2",
             f"{b[6]};K7;Steenbergen;KM-1;01-01-2015;31-12-2015;werkaanvaarding;900,00;Alleenstaande;01-01-1970;V;2",
             f"{b[7]};K8;Steenbergen;KM-1;01-01-2015;30-06-2015;Werk;900,00;Alleenstaande;01-01-1970;V;2",  # 11
             f"{b[7]};K8;Steenbergen;KM-1;01-05-2015;31-12-2015;verhuisd;900,00;Alleenstaande;01-01-1970;V;2",  # 12
             f"{b[8]};K9;Steenbergen;KM-1;01-01-2015;01-02-2016;werk gevonden;900,00;Alleenstaande;01-01-1970;V;2",
             f"  {b[9]} ; K10;Steenbergen ;KM-1;01-01-2015;;;900,00;Alleenstaande;01-01-70;V;9",       # 14
             f"{eight[1:]};K11;Steenbergen;KM-1;02-13-2015;;Werk;abc;Onbekend;01-01-1970;X;2",         # 15
             f"{b[10]};K12;Steenbergen;KM-1;01-01-2015;;;900,00",                                    # 16 fields
             ";K13;Steenbergen;KM-1;01-01-2015;;;900,00;Alleenstaande;01-01-1970;V;2",               # 17 no bsn
             f"{b[11]};K14;;KM-1;01-01-2015;;;900,00;Alleenstaande;01-01-1970;V;2",                   # 18 no gemeente
             f"{b[0]};K1;Steenbergen;;01-01-2010;x;;900,00;Alleenstaande;01-01-1970;V;2",              # 19 bad end
             ]
    path = tmp_path / "uitkeringen.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, b + [eight]


def test_every_row_accounted_for(tmp_path):
    path, _ = _dirty_export(tmp_path)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    rep = reg.load_report
    f = rep["files"][str(path)]
    assert rep["rows_read"] == 17 == rep["rows_kept"] + rep["rows_rejected"]
    got = {(r["line"], r["reason"]) for r in rep["rejected"]}
    assert got == {(3, "invalid BSN (11-proef)"), (4, "missing start date"),
                   (5, "end date before start date"), (6, "start date after the extract date"),
                   (10, "duplicate spell"), (12, "overlapping spell merged"),
                   (16, "wrong number of fields"), (17, "missing client id"),
                   (18, "missing municipality"), (19, "unreadable end date")}
    assert rep["rows_kept"] == 7 and len(reg.spells) == 7
    details = {r["line"]: r.get("detail") for r in rep["rejected"]}
    assert details[10] == f"of {path} line 9" and details[12] == f"into {path} line 11"
    assert f["repaired_by_kind"] == {"bsn_leading_zero": 1, "end_after_extract_censored": 1,
                                     "merged_overlapping_spells": 1, "reason_without_end_dropped": 1,
                                     "swapped_day_month": 1, "trimmed_whitespace": 1,
                                     "two_digit_year": 1, "unreadable_value_blanked": 2}
    assert rep["rows_repaired"] == 4   # lines 7, 11, 14 and 15 (several kinds on 14 and 15)
    assert rep["unknown_codes"] == {"end_reason": {"werk gevonden": 1}, "household_type": {"Onbekend": 1},
                                    "sex": {"X": 1}}
    sp = reg.spells.set_index(reg.spells["client_id"].astype(str))
    b = _dirty_export(tmp_path)[1]
    merged = sp.loc[hmac_ref(b[7])]
    assert (str(merged["start_date"].date()), str(merged["end_date"].date()), merged["end_reason"]) == \
        ("2015-01-01", "2015-12-31", "moved")
    censored = sp.loc[hmac_ref(b[5])]
    assert pd.isna(censored["end_date"]) and pd.isna(censored["end_reason"])
    assert sp.loc[hmac_ref(b[6]), "end_reason"] == "work"          # werkaanvaarding
    assert sp.loc[hmac_ref(b[8]), "end_reason"] == "unknown"       # counted, not dropped
    padded = sp.loc[hmac_ref(b[9])]
    assert padded["municipality"] == "Steenbergen" and padded["birth_year"] == 1970
    assert pd.isna(padded["ladder_rung"])
    eight = sp.loc[hmac_ref(b[12])]
    assert str(eight["start_date"].date()) == "2015-02-13" and pd.isna(eight["monthly_amount"])
    assert eight["sex"] == "unknown" and pd.isna(eight["household_type"])


def test_report_json(tmp_path):
    path, _ = _dirty_export(tmp_path)
    rep = load(path, key=KEY, extract_date=EXTRACT).load_report
    out = tmp_path / "out"
    out.mkdir()
    rep.to_json(out)
    data = json.loads((out / "load_report.json").read_text())
    assert {"rows_read", "rows_kept", "rows_repaired", "rows_rejected", "rejected"} <= set(data)
    assert data["rows_read"] == data["rows_kept"] + data["rows_rejected"]
    assert all(set(r) >= {"file", "line", "reason"} for r in data["rejected"])
    assert "rows read" in rep.summary() and dict(rep)["rows_read"] == 17


def test_contact_and_event_rules(tmp_path):
    b = fake_bsns(3, np.random.default_rng(2))
    (tmp_path / "contacten.csv").write_text(
        "bsn;datum;soort contact;duur minuten\n"
        f"{b[0]};01-03-2015;Intake;45\n{b[0]};01-03-2015;Intake;45\n{b[1]};01-03-2025;Regulier;20\n"
        f"{b[1]};01-03-2015;Huisbezoek thuis;20\n{b[2]};;Regulier;20\n{b[2]};02-03-2015;;20\n"
        f"{b[2]};03-03-2015;Regulier;-5\n", encoding="utf-8")
    reg = load(tmp_path / "contacten.csv", key=KEY, extract_date=EXTRACT)
    rep = reg.load_report
    assert {(r["line"], r["reason"]) for r in rep["rejected"]} == {
        (3, "duplicate row"), (4, "date after the extract date"), (5, "unknown kind"),
        (6, "missing date"), (7, "missing kind")}
    assert rep["unknown_codes"] == {"kind": {"Huisbezoek thuis": 1}}
    assert rep["rows_kept"] == 2 and np.isnan(reg.contacts["minutes"].iloc[1])
    assert len(reg.spells) == 0


# --- errors -------------------------------------------------------------------------------

def test_bad_input_errors(tmp_path):
    with pytest.raises(LoadError, match="does not exist"):
        load(tmp_path / "nope.csv", key=KEY)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(LoadError, match="empty.*empty.csv"):
        load(tmp_path / "empty.csv", key=KEY)
    (tmp_path / "blank.csv").write_text("\n \n\r\n")
    with pytest.raises(LoadError, match="The file is empty"):
        load(tmp_path / "blank.csv", key=KEY)
    (tmp_path / "binary.csv").write_bytes(b"bsn;x\n\x00\x01\x02\xff")
    with pytest.raises(LoadError, match="binary"):
        load(tmp_path / "binary.csv", key=KEY)
    (tmp_path / "zip.csv").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(LoadError, match="zip/Excel"):
        load(tmp_path / "zip.csv", key=KEY)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(LoadError, match="Unknown file type '.json'"):
        load(tmp_path / "x.json", key=KEY)
    (tmp_path / "nostart.csv").write_text("bsn;gemeente;einddatum\n111222333;A;01-01-2015\n")
    with pytest.raises(LoadError, match=r"Cannot tell which table.*ingangsdatum.*nostart.csv"):
        load(tmp_path / "nostart.csv", key=KEY)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(LoadError, match="Excel file cannot be opened"):
        load(tmp_path / "broken.xlsx", key=KEY)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1garbage")
    with pytest.raises(LoadError, match="Parquet file cannot be read"):
        load(tmp_path / "broken.parquet", key=KEY)
    (tmp_path / "broken.sav").write_bytes(b"$FL2garbage")
    with pytest.raises(LoadError, match="SPSS file cannot be read"):
        load(tmp_path / "broken.sav", key=KEY)


def test_mapping_errors(tmp_path, spells):
    path = write_csv(dutch(spells), tmp_path / "uitkeringen.csv")
    with pytest.raises(LoadError, match=r"names `Begindatum` for spells.start_date.*column `Begindatum`"):
        load(path, mapping={"spells": {"columns": {"start_date": "Begindatum"}}}, key=KEY)
    with pytest.raises(ConfigError, match="Unknown role `spells.columns.startdatum`"):
        load(path, mapping={"spells": {"columns": {"startdatum": "x"}}}, key=KEY)
    with pytest.raises(ConfigError, match="maps 'Werk' to 'job'; use one of work"):
        load(path, mapping={"spells": {"codes": {"end_reason": {"Werk": "job"}}}}, key=KEY)
    with pytest.raises(ConfigError, match="Unknown key `file.sep`"):
        load(path, mapping={"file": {"sep": ";"}}, key=KEY)
    bad = tmp_path / "bad.toml"
    bad.write_text("[spells.columns\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_mapping(bad)
    with pytest.raises(LoadError, match="extract_date 'soon' is not a date"):
        load(path, key=KEY, extract_date="soon")


def test_mapping_file_for_other_system(tmp_path, spells):
    frame = dutch(spells).rename(columns={"bsn": "BSN client", "ingangsdatum": "Begin",
                                          "einddatum": "Eind", "reden beëindiging": "Uitstroom"})
    frame["Uitstroom"] = frame["Uitstroom"].replace({"Werk": "W01"})
    path = write_csv(frame, tmp_path / "gws.csv")
    mapping = tmp_path / "gws.toml"
    mapping.write_text('[spells.columns]\nbsn = "BSN client"\nstart_date = "Begin"\nend_date = "Eind"\n'
                       'end_reason = "Uitstroom"\n[spells.codes.end_reason]\n"W01" = "work"\n')
    reg = load(path, mapping=mapping, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))


# --- privacy --------------------------------------------------------------------------------

def test_bsns_need_a_key(tmp_path, spells):
    path = write_csv(dutch(spells), tmp_path / "uitkeringen.csv")
    with pytest.raises(PrivacyError, match="hold BSNs but no pseudonymisation key"):
        load(path)


def test_client_number_column_holding_bsns_is_pseudonymised(tmp_path, spells):
    frame = dutch(spells).drop(columns="klantnummer").rename(columns={"bsn": "klantnummer"})
    path = write_csv(frame, tmp_path / "uitkeringen.csv")
    with pytest.raises(PrivacyError):
        load(path)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))
    assert any("holds BSNs" in n for n in reg.load_report["notes"])


def test_raw_bsns_never_leave_the_loader(tmp_path, capsys):
    path, bsns = _dirty_export(tmp_path)
    raw = set(bsns) | {b.lstrip("0") for b in bsns} | {b[:-1] + "0" for b in bsns}
    reg = load(path, key=KEY, extract_date=EXTRACT)
    texts = [reg.load_report.to_json(), repr(reg), reg.load_report.summary()]
    texts += [t.to_csv() for t in (reg.spells, reg.contacts, reg.events)]
    assert main(["inspect", str(path), "--write-mapping", str(tmp_path / "m.toml")]) == 0
    texts += [capsys.readouterr().out, (tmp_path / "m.toml").read_text(), inspect(path).to_text()]
    for key_arg in (None, "short"):
        with pytest.raises(PrivacyError) as err:
            load(path, key=key_arg)
        texts.append(str(err.value))
    # a mapping that puts the BSN column where codes go: unknown codes are redacted (every
    # line is then rejected, for want of a valid BSN: the error names no number either)
    with pytest.raises(LoadError) as rejected:
        load(path, mapping={"spells": {"columns": {"end_reason": "bsn", "bsn": "klantnummer"}}},
             extract_date=EXTRACT)
    texts += [str(rejected.value), inspect(path, mapping={"spells": {"columns": {
        "end_reason": "bsn", "bsn": "klantnummer"}}}).to_text()]
    for text in texts:
        leaked = [b for b in raw if b in text]
        assert not leaked, f"raw BSN in output: {text[:200]}"


# --- inspect ----------------------------------------------------------------------------------

def test_inspect_unknown_export_and_written_mapping(tmp_path, spells, capsys):
    frame = dutch(spells).rename(columns={"bsn": "sofi", "ingangsdatum": "start", "einddatum": "stop",
                                          "reden beëindiging": "uitstroomcode"})
    frame["uitstroomcode"] = frame["uitstroomcode"].replace({"Werk": "WRK"})
    path = write_csv(frame, tmp_path / "export.txt", sep="|")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Table      not recognised" in out and "sofi" in out and "Separator  |" in out
    # a partial mapping makes it recognisable; inspect then lists the rest
    partial = tmp_path / "partial.toml"
    partial.write_text('[spells.columns]\nbsn = "sofi"\nstart_date = "start"\nend_date = "stop"\n'
                       'end_reason = "uitstroomcode"\n')
    target = tmp_path / "written.toml"
    assert main(["inspect", str(path), "--mapping", str(partial), "--write-mapping", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Table      spells" in out and "'WRK'" in out and "dates: dd-mm-jjjj" in out
    text = target.read_text()
    assert '# "WRK" = ""' in text and 'bsn = "sofi"' in text and 'separator = "|"' in text
    filled = text.replace('# "WRK" = ""', '"WRK" = "work"')
    target.write_text(filled)
    reg = load(path, mapping=target, key=KEY, extract_date=EXTRACT)
    assert_same_spells(reg.spells, expected_spells(spells))
    assert reg.load_report["unknown_codes"] == {}


def test_inspect_reports_errors_in_one_line(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- the large-file (streaming) path gives the same as the in-memory path ----------------------

@pytest.mark.parametrize("extra", ["", "blank", "short", "quote", "cp1252"])
def test_streaming_path_matches_in_memory_path(tmp_path, spells, monkeypatch, extra):
    import fipeval.io.readers as readers
    frame = dutch(spells)
    text = ";".join(frame.columns) + "\n" + "\n".join(";".join(r) for r in frame.astype(str).to_numpy()) + "\n"
    if extra == "blank":
        text = text.replace("\n", "\n\n", 3)
    elif extra == "short":
        text += "1;2;3\n"
    elif extra == "quote":
        text = text.replace("Steenbergen", '"Steenbergen"')
    path = tmp_path / "uitkeringen.csv"
    path.write_bytes(text.encode("cp1252" if extra == "cp1252" else "utf-8"))
    whole = load(path, key=KEY, extract_date=EXTRACT)
    monkeypatch.setattr(readers, "STREAM_BYTES", 64)
    used = []
    original = readers._read_text_streaming
    monkeypatch.setattr(readers, "_read_text_streaming",
                        lambda *a, **k: used.append(original(*a, **k)) or used[-1])
    streamed = load(path, key=KEY, extract_date=EXTRACT)
    assert (used[0] is not None) == (extra == "")     # anything unusual takes the exact path
    pd.testing.assert_frame_equal(streamed.spells, whole.spells)
    assert streamed.load_report.to_dict() == whole.load_report.to_dict()
    assert streamed.load_report["rows_rejected"] == (1 if extra == "short" else 0)


def test_inspect_guesses_roles_of_an_unknown_export(tmp_path, capsys):
    b = fake_bsns(3, np.random.default_rng(5))
    path = tmp_path / "export.txt"
    path.write_text("Sofinr|Begin|Stop|Uitstroom|Bedrag|Team\n"
                    f"{b[0]}|01-03-2015|31-01-2016|werk|1.234,50|Noord\n"
                    f"{b[1]}|15-04-2015||ZZ|980,00|Zuid\n"
                    f"{b[2]}|15-05-2015|15-06-2015|Verhuizing|980,00|Zuid\n", encoding="utf-8")
    res = inspect(path)
    assert res.table is None
    assert res.guesses == {"bsn": "Sofinr", "start_date": "Begin", "end_date": "Stop",
                           "end_reason": "Uitstroom", "monthly_amount": "Bedrag"}
    target = tmp_path / "m.toml"
    assert main(["inspect", str(path), "--write-mapping", str(target)]) == 0
    assert "Guessed from the headers and values" in capsys.readouterr().out
    target.write_text(target.read_text() + '\n[spells.constants]\nmunicipality = "Woensdrecht"\n')
    reg = load(path, mapping=target, key=KEY, extract_date=EXTRACT)
    assert reg.load_report["rows_kept"] == 3
    assert reg.spells["end_reason"].tolist()[0] == "work"
    # ZZ stood on a running spell: the reason is dropped, but it is still listed as unknown
    assert pd.isna(reg.spells["end_reason"].iloc[1])
    assert reg.load_report["unknown_codes"] == {"end_reason": {"ZZ": 1}}
    assert reg.load_report["repaired_by_kind"] == {"reason_without_end_dropped": 1}


def test_open_end_sentinels_mean_running(tmp_path):
    b = fake_bsns(4, np.random.default_rng(9))
    path = tmp_path / "uitkeringen.csv"
    path.write_text("bsn;gemeente;ingangsdatum;einddatum;reden beëindiging\n"
                    f"{b[0]};A;01-01-2015;31-12-9999;\n{b[1]};A;01-01-2015;88881231;Onbekend\n"
                    f"{b[2]};A;01-01-2015;31-12-2016;Werk\n{b[3]};A;31-12-9999;;\n", encoding="utf-8")
    reg = load(path, key=KEY, extract_date=EXTRACT)
    rep = reg.load_report
    assert reg.spells["end_date"].isna().tolist() == [True, True, False]
    assert reg.spells["end_reason"].isna().tolist() == [True, True, False]
    assert rep["repaired_by_kind"] == {"open_end_date": 2}
    assert [(r["line"], r["reason"]) for r in rep["rejected"]] == [(5, "unreadable start date")]


def test_cbs_bus_table_in_spss(tmp_path):
    import pyreadstat
    frame = pd.DataFrame({"RINPERSOONS": ["R", "R", "R"], "RINPERSOON": ["000123457", "000765432", "000123457"],
                          "AANVBUS": ["20150101", "20160301", "20170101"],
                          "EINDBUS": ["20151231", "88881231", "88881231"]})
    path = tmp_path / "BIJSTANDSPELLS.sav"
    pyreadstat.write_sav(frame, str(path))
    mapping = {"spells": {"constants": {"municipality": "Amersfoort"}}}
    reg = load(path, mapping=mapping, extract_date=EXTRACT)   # RINPERSOON is no BSN: no key needed
    assert reg.spells["client_id"].tolist() == ["R000123457", "R000765432", "R000123457"]
    assert reg.spells["end_date"].isna().tolist() == [False, True, True]
    assert str(reg.spells["start_date"].iloc[2].date()) == "2017-01-01"
    assert reg.load_report["repaired_by_kind"] == {"open_end_date": 2}


def test_batches_give_the_same_register_and_report(tmp_path, spells, monkeypatch):
    import fipeval.io.normalise as normalise
    dirty, _ = _dirty_export(tmp_path)
    clean = write_csv(dutch(spells), tmp_path / "clean.csv")
    (tmp_path / "contacten.csv").write_text(
        "bsn;datum;soort contact;duur minuten\n" + "".join(
            f"{b};0{1 + i % 9}-03-2015;{['Intake', 'Regulier', 'Raar'][i % 3]};{i}\n"
            for i, b in enumerate(spells["bsn"])), encoding="utf-8")
    paths = [dirty, clean, tmp_path / "contacten.csv"]
    whole = load(paths, key=KEY, extract_date=EXTRACT)
    monkeypatch.setattr(normalise, "BATCH_ROWS", 7)
    batched = load(paths, key=KEY, extract_date=EXTRACT)
    for table in ("spells", "contacts", "events"):
        pd.testing.assert_frame_equal(getattr(batched, table), getattr(whole, table))
    assert batched.load_report.to_dict() == whole.load_report.to_dict()
    assert whole.load_report["rows_rejected"] > 10


@pytest.mark.parametrize("client_column", ["bsn", "klantnummer"])
def test_contacts_of_clients_without_a_spell_are_kept_and_counted(tmp_path, spells, client_column):
    """Counted on the pseudonyms' 64-bit numbers (BSN exports) or on the ids as text."""
    export = dutch(spells)
    if client_column == "klantnummer":
        export = export.drop(columns="bsn")
    write_csv(export, tmp_path / "uitkeringen.csv")
    ids = list(export[client_column].iloc[:5])
    outsider = fake_bsns(1, np.random.default_rng(7), first=8)[0] if client_column == "bsn" else "K-NEW"
    (tmp_path / "contacten.csv").write_text(
        f"{client_column};datum;soort contact\n" + "".join(
            f"{c};0{i + 1}-03-2015;Regulier\n" for i, c in enumerate(ids + [outsider, outsider])),
        encoding="utf-8")
    reg = load(tmp_path, key=KEY, extract_date=EXTRACT)
    assert len(reg.contacts) == 7
    assert "2 contacts rows belong to clients without a spell (kept)" in reg.load_report["notes"]
    assert "_client_key" not in reg.contacts.columns and "_client_key" not in reg.spells.columns


def test_streamed_files_give_the_same_register_and_report(tmp_path, spells, monkeypatch):
    """Large clean UTF-8 files are read in chunks cut at line ends (never whole in memory);
    a ragged line found mid-stream sends the file back to the exact line-by-line path."""
    import fipeval.io.readers as readers
    clean = write_csv(dutch(spells), tmp_path / "clean.csv")
    lines = clean.read_text(encoding="utf-8").splitlines(keepends=True)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("".join(lines[:40] + ["123;too;few\n"] + lines[40:]), encoding="utf-8")
    whole = {p: load(p, key=KEY, extract_date=EXTRACT) for p in (clean, ragged)}
    chunks = []
    original = readers._arrow_strings
    monkeypatch.setattr(readers, "_arrow_strings",
                        lambda source, *a, **k: chunks.append(1) or original(source, *a, **k))
    monkeypatch.setattr(readers, "STREAM_BYTES", 512)     # many chunks of a few lines each
    monkeypatch.setattr(readers, "HEAD_BYTES", 1024)      # the ragged line lies past the head
    for path in (clean, ragged):
        chunks.clear()
        streamed = load(path, key=KEY, extract_date=EXTRACT)
        assert len(chunks) > 5
        for table in ("spells", "contacts", "events"):
            pd.testing.assert_frame_equal(getattr(streamed, table), getattr(whole[path], table))
        assert streamed.load_report.to_dict() == whole[path].load_report.to_dict()
    assert [(r["line"], r["reason"]) for r in whole[ragged].load_report["rejected"]] == \
        [(41, "wrong number of fields")]


def test_unreadable_file_is_a_load_error(tmp_path, spells, monkeypatch):
    import fipeval.io.readers as readers
    path = write_csv(dutch(spells), tmp_path / "uitkeringen.csv")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(readers, "_read_text", refuse)
    with pytest.raises(LoadError, match="permissions") as err:
        load(path, key=KEY)
    assert str(path) in str(err.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their permissions")
def test_file_without_read_permission(tmp_path, spells):
    path = write_csv(dutch(spells), tmp_path / "uitkeringen.csv")
    path.chmod(0)
    with pytest.raises(LoadError, match="permissions"):
        load(path, key=KEY)


@pytest.mark.parametrize("module", ["accounting", "bsn", "dates", "detect", "fields", "inspection",
                                    "loading", "mapping"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"fipeval.io.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_an_export_without_data_lines_is_an_error_not_an_empty_register(tmp_path):
    path = tmp_path / "uitkeringen.csv"
    path.write_text("bsn;gemeente;ingangsdatum;einddatum;reden beëindiging\n", encoding="utf-8")
    with pytest.raises(LoadError, match="Nothing to load: the spells export has a header but "
                                        "no data lines"):
        load(path, key=KEY)
    assert main(["inspect", str(path)]) == 0   # inspect shows what is there: 0 rows


def test_every_line_rejected_names_the_first_and_the_likely_cause(tmp_path, capsys):
    path = tmp_path / "uitkeringen.csv"
    path.write_text("bsn,gemeente,ingangsdatum,einddatum,uitkeringsbedrag\n"
                    "111222333,Woensdrecht,01-02-2015,,1000,50\n"
                    "123456782,Woensdrecht,01-03-2015,,1200,00\n", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load(path, key=KEY)
    message = str(err.value)
    assert "Every one of the 2 data lines of the spells export was rejected" in message
    assert "line 2" in message and "wrong number of fields" in message
    assert "separator or decimal mark" in message and "111222333" not in message
    assert main(["inspect", str(path)]) == 0
    capsys.readouterr()


def test_bsn_shaped_numbers_in_free_text_never_reach_the_register(tmp_path, spells):
    """A BSN typed into an event description or a caseworker field is redacted on the way in,
    and the load report counts the repair."""
    bsns = spells["bsn"].unique()[:3]
    dirty = dutch(spells).copy()
    dirty.loc[dirty.index[0], "klantmanager"] = f"KM {bsns[1]}"
    write_csv(dirty, tmp_path / "uitkeringen.csv")
    write_csv(pd.DataFrame({"bsn": bsns, "datum": ["02-03-2015"] * 3,
                            "soort": ["Fraudesignaal"] * 3,
                            "omschrijving": [f"melding over {bsns[2]} via buurman", "tip",
                                             "dossier 12345678"]}), tmp_path / "gebeurtenissen.csv")
    reg = load(tmp_path, key=KEY, extract_date=EXTRACT)
    assert reg.events["detail"].tolist() == ["melding over <number> via buurman", "tip",
                                             "dossier <number>"]
    assert f"KM {bsns[1]}" not in set(reg.spells["caseworker"].astype(str))
    assert "KM <number>" in set(reg.spells["caseworker"].astype(str))
    assert reg.load_report["repaired_by_kind"]["number_in_text_redacted"] == 3
    text = reg.load_report.to_json() + reg.events.to_csv() + reg.spells.to_csv()
    assert not [b for b in bsns if b in text]


def test_implausible_amounts_and_duplicated_headers_are_reported(tmp_path):
    path = tmp_path / "uitkeringen.csv"
    path.write_text("bsn;gemeente;klantmanager;ingangsdatum;einddatum;uitkeringsbedrag;"
                    "uitkeringsbedrag\n"
                    "111222333;Woensdrecht;KM-1;01-02-2015;;1000,00;5\n"
                    "123456782;Woensdrecht;KM-1;01-02-2015;;-500,00;5\n"
                    "111222345;Woensdrecht;KM-1;01-02-2015;;1200000,00;5\n", encoding="utf-8")
    reg = load(path, key=KEY)
    notes = reg.load_report["notes"]
    assert reg.spells["monthly_amount"].tolist() == [1000.0, -500.0, 1200000.0]  # kept as read
    assert any("1 row(s) with a negative monthly amount (first at line 3)" in n for n in notes)
    assert any("monthly amount above EUR 10,000 (first at line 4)" in n for n in notes)
    assert any("the header `uitkeringsbedrag` occurs more than once" in n
               and "`uitkeringsbedrag.1` is not read" in n for n in notes)


def test_the_reports_data_section_lists_repairs_rejections_and_unknown_codes(tmp_path):
    from fipeval.report.foundation import data_section

    path, bsns = _dirty_export(tmp_path)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    section = data_section(reg, threshold=0)
    table = next(df for caption, df in (b for b in section.blocks if isinstance(b, tuple))
                 if caption.startswith("What loading repaired"))
    kinds = set(zip(table["what"], table["kind"].str.split(":").str[0]))
    assert ("rejected", "invalid BSN (11-proef)") in kinds
    assert any(what == "repaired" for what, _ in kinds)
    assert any(what == "unknown code" for what, _ in kinds)
    shown = table.to_csv() + " ".join(b for b in section.blocks if isinstance(b, str))
    assert not [b for b in bsns if b in shown]


# --- quotes: every physical line accounted for ---------------------------------------------

def _with_line(path: Path, number: int, edit) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("where", ["gemeente", "last column"])
def test_an_unclosed_quote_is_an_error_at_its_line(tmp_path, monkeypatch, streamed, where):
    # one unclosed quote on line 6 of a 21-line export swallowed 15 lines into one rejected
    # row ("5 read, 4 kept, 1 rejected"); in the last column it would swallow them silently
    import fipeval.io.readers as readers
    if streamed:
        monkeypatch.setattr(readers, "STREAM_BYTES", 512)
    path = write_csv(dutch(make_spells(30)).head(20), tmp_path / "uitkeringen.csv")
    if where == "gemeente":
        edit = lambda line: line.replace(";Steenbergen;", ';"Steenbergen;').replace(
            ";Woensdrecht;", ';"Woensdrecht;')
    else:
        edit = lambda line: line[:line.rindex(";") + 1] + '"' + line[line.rindex(";") + 1:]
    _with_line(path, 6, edit)
    with pytest.raises(LoadError, match=r"quote opened on line 6 is not closed.*lines 6-21") as err:
        load(path, key=KEY, extract_date=EXTRACT)
    assert err.value.line == 6


def test_a_quoted_value_with_a_line_break_is_one_record(tmp_path):
    frame = dutch(make_spells(30)).head(10)
    frame.loc[frame.index[3], "klantmanager"] = "KM-1\ntweede regel"
    path = write_csv(frame, tmp_path / "uitkeringen.csv", quoting=True)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    assert len(reg.spells) == 10
    lines = reg.load_report["files"][str(path)]["detected"]["lines"]
    assert lines == {"physical": 12, "header": 1, "records": 10, "blank": 0, "continuation": 1,
                     "multiline": ["5-6"]}


@pytest.mark.parametrize("streamed", [False, True])
def test_a_file_mixing_utf8_and_cp1252_is_an_error_naming_both_lines(tmp_path, monkeypatch,
                                                                      streamed):
    # it used to be decoded as cp1252 whole: 'reden beëindiging' became 'reden beÃ«indiging',
    # was left unmapped and every end reason read `unknown` (past 1 MiB: KeyError, exit 3)
    import fipeval.io.readers as readers
    if streamed:
        monkeypatch.setattr(readers, "STREAM_BYTES", 512)
        monkeypatch.setattr(readers, "HEAD_BYTES", 512)
    path = write_csv(dutch(make_spells(60)).head(50), tmp_path / "uitkeringen.csv")
    raw = path.read_bytes().split(b"\n")
    raw[40] = raw[40].replace(b"Steenbergen", b"Steenb\xe9rgen").replace(b"Woensdrecht",
                                                                          b"Woensdr\xe9cht")
    path.write_bytes(b"\n".join(raw))
    with pytest.raises(LoadError, match=r"mixes encodings: line 1 holds UTF-8 text \('ë'\) but "
                                        r"line 41 holds the byte 0xe9") as err:
        load(path, key=KEY, extract_date=EXTRACT)
    assert err.value.line == 41
    # a file that is cp1252 throughout is read as cp1252, as before
    cp = write_csv(dutch(make_spells(60)).head(50), tmp_path / "cp1252.csv", encoding="cp1252")
    reg = load(cp, key=KEY, extract_date=EXTRACT)
    assert len(reg.spells) == 50 and (reg.spells.end_reason != "unknown").any()


def test_a_header_that_nearly_matches_a_known_one_is_noted(tmp_path):
    # 'reden beëindiging' garbled by a wrong decode was silently left unmapped
    frame = dutch(make_spells(30)).head(20).rename(
        columns={"reden beëindiging": "reden beÃ«indiging"})
    reg = load(write_csv(frame, tmp_path / "uitkeringen.csv"), key=KEY, extract_date=EXTRACT)
    note = "the column `reden beÃ«indiging` looks like `reden beeindiging` (end_reason)"
    assert any(note in n for n in reg.load_report["notes"])
    assert note in reg.load_report.summary()


def test_repairs_and_rejections_name_line_column_and_value(tmp_path):
    frame = dutch(make_spells(30)).head(20)
    frame.loc[frame.index[2], "uitkeringsbedrag"] = "twaalf"
    frame.loc[frame.index[4], "ingangsdatum"] = "31-02-2015"
    frame.loc[frame.index[6], "bsn"] = "123456789"
    frame.loc[frame.index[7], "klantmanager"] = "KM 111222333"
    reg = load(write_csv(frame, tmp_path / "uitkeringen.csv"), key=KEY, extract_date=EXTRACT)
    rep = reg.load_report
    strip = lambda rows: [{k: v for k, v in r.items() if k != "file"} for r in rows]
    assert strip(rep["rejected"]) == [
        {"line": 6, "reason": "unreadable start date", "column": "ingangsdatum",
         "value": "31-02-2015"},
        {"line": 8, "reason": "invalid BSN (11-proef)", "column": "bsn", "value": "<bsn>"}]
    assert strip(rep["repaired"]) == [
        {"line": 4, "kind": "unreadable_value_blanked", "column": "uitkeringsbedrag",
         "value": "twaalf"},
        {"line": 9, "kind": "number_in_text_redacted", "column": "klantmanager",
         "value": "KM <number>"}]
    assert "111222333" not in rep.to_json() and "123456789" not in rep.to_json()


def test_repair_listing_is_capped_per_kind_but_every_repair_is_counted(tmp_path, monkeypatch):
    import fipeval.io.normalise as normalise
    monkeypatch.setattr(normalise, "MAX_LISTED_REPAIRS", 3)
    frame = dutch(make_spells(30)).head(20)
    frame["uitkeringsbedrag"] = "onbekend"
    reg = load(write_csv(frame, tmp_path / "uitkeringen.csv"), key=KEY, extract_date=EXTRACT)
    assert reg.load_report["repaired_by_kind"]["unreadable_value_blanked"] == 20
    assert [r["line"] for r in reg.load_report["repaired"]] == [2, 3, 4]


def _workbook_with_cover(tmp_path, frame) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Voorblad"
    cover.append(["Gemeente Steenbergen, export uitkeringen"])
    cover.append(["Gemaakt op", "2020-01-01"])
    sheet = book.create_sheet("Uitkeringen")
    sheet.append(list(frame.columns))
    for row in frame.astype(str).itertuples(index=False):
        sheet.append(list(row))
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


def test_a_workbook_whose_first_sheet_is_a_cover_page(tmp_path, capsys):
    # the cover page used to be read (and fail); nothing listed the sheets or chose another
    frame = dutch(make_spells(30)).head(20)
    path = _workbook_with_cover(tmp_path, frame)
    reg = load(path, key=KEY, extract_date=EXTRACT)
    assert len(reg.spells) == 20
    assert reg.load_report["files"][str(path)]["detected"]["sheet"] == "Uitkeringen"
    assert any("read the sheet `Uitkeringen`; the sheet(s) before it (Voorblad) hold no table"
               in n for n in reg.load_report["notes"])
    found = inspect(path)
    assert found.table == "spells" and 'sheet = "Uitkeringen"' in found.mapping_toml()
    assert "(sheet Uitkeringen of Voorblad, Uitkeringen)" in found.to_text()
    with pytest.raises(LoadError, match=r"sheets: Voorblad, Uitkeringen \(read: Voorblad\).*"
                                        r'sheet="NAME"'):
        load(path, key=KEY, extract_date=EXTRACT, sheet="Voorblad")
    with pytest.raises(LoadError, match=r"no sheet 'Nope'; sheets: Voorblad, Uitkeringen"):
        load(path, key=KEY, extract_date=EXTRACT, sheet="Nope")
    assert len(load(path, key=KEY, extract_date=EXTRACT, sheet=1).spells) == 20
    # the command line: --sheet on inspect (and load, report)
    assert main(["inspect", str(path), "--sheet", "Voorblad"]) == 0
    assert "(sheet Voorblad of Voorblad, Uitkeringen)" in capsys.readouterr().out


def test_write_mapping_guesses_a_cbs_export_from_its_headers(tmp_path):
    # a CBS-style file with its own column names: --write-mapping wrote blank placeholders
    rng = np.random.default_rng(1)
    n = 40
    frame = pd.DataFrame({
        "RINPERSOONS": "R", "RINPERSOON": [f"{100000000 + i}" for i in range(n)],
        "BIJSTANDBEGINDATUM": [f"2015{m:02d}01" for m in rng.integers(1, 13, n)],
        "BIJSTANDEINDDATUM": [f"2017{m:02d}15" if i % 2 else "" for i, m in
                              enumerate(rng.integers(1, 13, n))],
        "REDENEINDE": ["werk" if i % 2 else "" for i in range(n)],
        "GEMEENTECODE": "GM0851", "GBAGEBOORTEJAAR": rng.integers(1950, 2000, n)})
    path = tmp_path / "cbs.csv"
    frame.to_csv(path, sep=";", index=False)
    found = inspect(path)
    assert found.table is None and found.guesses == {
        "client_id_kind": "RINPERSOONS", "client_id": "RINPERSOON",
        "start_date": "BIJSTANDBEGINDATUM", "end_date": "BIJSTANDEINDDATUM",
        "end_reason": "REDENEINDE", "municipality": "GEMEENTECODE",
        "birth_year": "GBAGEBOORTEJAAR"}
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(found.mapping_toml(), encoding="utf-8")
    assert 'start_date = "yyyymmdd"' in mapping.read_text()
    reg = load(path, mapping=mapping, extract_date=EXTRACT)   # RINPERSOON: no BSN, no key
    assert len(reg.spells) == n and reg.spells.end_date.notna().sum() == n // 2


def test_implausible_ages_and_dates_are_noted_and_kept(tmp_path):
    frame = dutch(make_spells(30)).head(20)
    frame.loc[frame.index[3], "geboortedatum"] = "01-01-2012"      # 3 years old at the start
    frame.loc[frame.index[5], "ingangsdatum"] = "01-01-1901"
    reg = load(write_csv(frame, tmp_path / "u.csv"), key=KEY, extract_date=EXTRACT)
    notes = "\n".join(reg.load_report["notes"])
    assert "client aged under 16 at the start of the benefit (first at line 5), kept as read" in notes
    assert "1 row(s) with a start date before 1965 (first at line 7)" in notes
    assert "day and month swapped" in notes
    kept_as_read = reg.load_report["rejected_by_reason"]
    assert "unreadable start date" not in kept_as_read and "missing start date" not in kept_as_read


def test_a_quoted_separator_in_a_municipality_name_is_noted(tmp_path):
    # '"Bergen; op Zoom"' made a one-client municipality without a word
    frame = dutch(make_spells(30)).head(20)
    frame.loc[frame.index[4], "gemeente"] = '"Steen;bergen"'
    reg = load(write_csv(frame, tmp_path / "u.csv"), key=KEY, extract_date=EXTRACT)
    notes = "\n".join(reg.load_report["notes"])
    assert ("1 row(s) with a municipality name holding the separator `;` (a quoted value) "
            "(first at line 6)") in notes
    assert "Steen;bergen" in set(reg.spells.municipality)


@pytest.mark.parametrize("compiled", [True, False])
def test_pseudonyms_are_hmac_sha256_with_and_without_the_compiled_routine(compiled, monkeypatch):
    """fipeval.io._hmac (built where a C compiler is present) and the hashlib fallback give
    the first 8 bytes of HMAC-SHA256 of every message, for keys shorter and longer than a
    block and messages across the padding boundaries."""
    import hmac as std_hmac
    import sys

    from fipeval.io.bsn import _hmac_fixed_width

    if compiled:
        pytest.importorskip("fipeval.io._hmac")
    else:   # the import fails: the hashlib fallback
        import fipeval.io

        monkeypatch.setitem(sys.modules, "fipeval.io._hmac", None)
        monkeypatch.delattr(fipeval.io, "_hmac", raising=False)
    rng = np.random.default_rng(7)
    for key_length in (1, 32, 64, 65, 130):
        key = rng.bytes(key_length)
        for width in (9, 55, 56, 64, 65):
            messages = [rng.bytes(width) for _ in range(25)]
            got = _hmac_fixed_width(b"".join(messages), width, key)
            expected = [int.from_bytes(std_hmac.digest(key, m, "sha256")[:8], "big", signed=True)
                        for m in messages]
            assert got.tolist() == expected, (key_length, width)


@pytest.mark.parametrize("compiled", [True, False])
def test_row_hashes_find_the_rows_pandas_calls_duplicates(compiled, monkeypatch):
    # the duplicate-row rule looks for duplicates among rows sharing a 64-bit row hash, so
    # equal rows must hash equal whatever their types: NaN and -0.0 in floats, missing
    # categories and text, NaT; the compiled mixing and NumPy's give the same hashes
    import fipeval.io.loading as loading_module
    from fipeval.io.loading import _row_hashes
    if compiled:
        pytest.importorskip("fipeval.io._text")
    else:
        monkeypatch.setattr(loading_module, "compiled_text", None)
    rng = np.random.default_rng(5)
    n = 4000
    minutes = rng.choice([np.nan, 0.0, -0.0, 20.0, 45.5], n)
    frame = {
        "_client_key": rng.integers(0, 40, n),
        "date": np.datetime64("2020-01-01", "ns") + rng.integers(0, 5, n).astype("timedelta64[D]"),
        "kind": pd.Categorical.from_codes(rng.integers(-1, 3, n), categories=["a", "b", "c"]),
        "minutes": minutes,
        "detail": pd.array(rng.choice(np.array(["x", "y", None], dtype=object), n), dtype="string"),
    }
    frame["date"][rng.random(n) < 0.1] = np.datetime64("NaT")
    hashes = pd.Series(_row_hashes(frame))
    by_hash = hashes.duplicated(keep=False).to_numpy()
    by_pandas = pd.DataFrame(frame).duplicated(keep=False).to_numpy()
    assert by_pandas.sum() > 100                          # the test has duplicates to find
    assert not (by_pandas & ~by_hash).any()               # every duplicate is a candidate
    # and the hash tells different rows apart (no collisions among a few thousand rows)
    groups = pd.DataFrame(frame).groupby(list(frame), dropna=False, observed=True).ngroup()
    assert hashes.nunique() == groups.nunique()
    if compiled:
        with monkeypatch.context() as patch:
            patch.setattr(loading_module, "compiled_text", None)
            assert np.array_equal(hashes.to_numpy(), _row_hashes(frame))


def test_nine_digit_bsns_are_read_as_the_general_path_reads_them():
    from fipeval.io.bsn import nine_digit_numbers
    rng = np.random.default_rng(9)
    values = [f"{v:09d}" for v in rng.integers(0, 10**9, 20000)] + \
        ["111222333", "000000000", "123456782", "999999990"]
    numbers, valid = nine_digit_numbers(pa.array(values))
    # the 11-proef by hand: 9, 8, ..., 2 times the first eight digits, minus the last,
    # divisible by 11, and not all zeros (is_valid_bsn reads its digits the same way)
    by_hand = [sum(w * int(d) for w, d in zip((9, 8, 7, 6, 5, 4, 3, 2, -1), v)) % 11 == 0
               and v != "000000000" for v in values]
    assert valid.tolist() == by_hand == is_valid_bsn(values).tolist()
    assert 1000 < valid.sum() < 3000                      # about one in eleven passes
    assert numbers.tolist() == [int(v) for v in values]
    # anything but nine digits in every row goes to the general path
    for other in (["11122233"], [" 11122233"], ["11122233a"], ["111222333", None], ["1112223330"]):
        assert nine_digit_numbers(pa.array(other, pa.string())) is None


def test_compiled_dates_and_amounts_read_as_the_numpy_paths(monkeypatch):
    """fipeval.io._text (built where a C compiler is present) gives the same days, flags and
    numbers as the NumPy / Arrow paths it stands in for, on valid, invalid and edge values."""
    pytest.importorskip("fipeval.io._text")
    import fipeval.io.dates as dates_module
    import fipeval.io.fields as fields_module
    from fipeval.io.dates import _strict
    from fipeval.io.fields import _plain_amounts, parse_amount

    rng = np.random.default_rng(11)
    n = 20000
    y, m, d = rng.integers(1870, 2210, n), rng.integers(0, 14, n), rng.integers(0, 33, n)
    seps = rng.choice(list("-/.x "), n, p=[0.6, 0.15, 0.15, 0.05, 0.05])
    shapes = {"dd-mm-jjjj": [f"{a:02d}{s}{b:02d}{s}{c:04d}" for a, b, c, s in zip(d, m, y, seps)],
              "mm-dd-jjjj": [f"{b:02d}{s}{a:02d}{s}{c:04d}" for a, b, c, s in zip(d, m, y, seps)],
              "iso": [f"{c:04d}{s}{b:02d}{s}{a:02d}" for a, b, c, s in zip(d, m, y, seps)]}
    edge = ["29-02-2000", "29-02-1900", "29-02-2024", "31-04-2020", "", "1-1-2020", "01-01-20",
            "01-01-2020 ", "0a-01-2020", "31-12-2200", "01-01-1880", "31-12-1879", "01-01-2201"]
    for column, values in shapes.items():
        arr = pa.array(values + edge)
        compiled = _strict(arr, column)
        with monkeypatch.context() as patch:
            patch.setattr(dates_module, "compiled_text", None)
            plain = _strict(arr, column)
        assert 0.3 < compiled[1].mean() < 0.9, column      # both valid and invalid values
        for got, expected in zip(compiled, plain):
            assert np.array_equal(got, expected), column

    whole = [str(v) for v in rng.integers(-5000, 5000, 3000)]
    fractions = [f"{v / 100:.2f}" for v in rng.integers(-10**7, 10**7, 3000)]
    long = [f"{v}.{w:06d}" for v, w in zip(rng.integers(0, 10**9, 1000), rng.integers(0, 10**6, 1000))]
    for decimal in (",", "."):
        good = whole + [f.replace(".", decimal) for f in fractions + long] + \
            ["", "-0", "007", f"0{decimal}1", f"123456789012345{''}", f"1{decimal}00000000000005"]
        arr = pa.array(good)
        assert _plain_amounts(arr, decimal) is not None         # the compiled loop reads it
        compiled = parse_amount(arr, decimal=decimal)
        with monkeypatch.context() as patch:
            patch.setattr(fields_module, "compiled_text", None)
            plain = parse_amount(arr, decimal=decimal)
        assert np.array_equal(compiled.values, plain.values, equal_nan=True)
        assert np.array_equal(np.signbit(compiled.values), np.signbit(plain.values))
        assert np.array_equal(compiled.missing, plain.missing)
        for other in ("1.234,56" if decimal == "," else "1,234.56", "\u20ac 5", " 5", "5" + decimal,
                      decimal + "5", "-", "+5", "1e5", "1234567890123456"):
            assert _plain_amounts(pa.array(good + [other]), decimal) is None, other


def test_year_numbers_are_numpys_calendar_years():
    from fipeval.io.dates import year_numbers
    rng = np.random.default_rng(3)
    days = np.datetime64("1880-01-01", "D") + rng.integers(0, 321 * 365, 50000).astype("timedelta64[D]")
    values = np.concatenate([days.astype("datetime64[ns]"),
                             np.array(["1700-01-01", "2300-05-01", "NaT"], dtype="datetime64[ns]")])
    values[::7] = np.datetime64("NaT")
    assert np.array_equal(year_numbers(values), values.astype("datetime64[Y]").astype(np.int64))


def test_compiled_padding_scan_agrees_with_numpy(monkeypatch):
    pytest.importorskip("fipeval.io._text")
    import fipeval.io.readers as readers_module
    from fipeval.io.readers import _maybe_padded

    rng = np.random.default_rng(4)
    cases = [b"a;b\nc;d\n", b"a ;b\n", b"a; b\n", b"a;b \n", b"a;b\n c;d", b" a;b", b"a;b ",
             b"a b;c d\ne f;g\n", b"a\t;b\n", b"a;b\t\r\n", b"a\tb;c\n", b"", b" ", b"a;b\r c\n"]
    cases += [bytes(rng.choice(list(b"ab ;\t\n\r"), 40)) for _ in range(300)]
    for sep in (";", "\t", ","):
        for data in cases:
            compiled = _maybe_padded(data, sep)
            with monkeypatch.context() as patch:
                patch.setattr(readers_module, "compiled_text", None)
                assert compiled == _maybe_padded(data, sep), (data, sep)


def test_factorize_integers_is_pandas_factorize(monkeypatch):
    import fipeval.io.fields as fields_module
    from fipeval.io.fields import factorize_integers

    rng = np.random.default_rng(8)
    extremes = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0, -1, 1 << 40])
    cases = [np.empty(0, np.int64), extremes, rng.integers(0, 50, 10000),
             rng.integers(-10**18, 10**18, 5000), np.repeat(extremes, 3),
             (rng.integers(0, 64, 20000) << 58),   # values alike in their low bits
             rng.integers(0, 10**12, 1_600_000)]   # more than the first table holds: it grows
    for values in cases:
        expected_codes, expected_uniques = pd.factorize(values)
        for compiled in (True, False):
            with monkeypatch.context() as patch:
                if not compiled:
                    patch.setattr(fields_module, "compiled_text", None)
                codes, uniques = factorize_integers(values)
            assert codes.tolist() == expected_codes.tolist()
            assert uniques.tolist() == expected_uniques.tolist()


def test_text_codes_trim_blank_and_redact_each_value():
    import re

    from fipeval.io.fields import parse_text_codes, text_categorical
    values = ["  Gemeente A", "Gemeente A", "", "   ", None, "klant 123456789 gebeld",
              "klant 123456789 gebeld ", "Gemeente B", "K 12345678", "K 1234567"] * 3
    for redact in (False, True):
        # each value by hand: trimmed, empty -> missing, 8+ digits -> <number> when redacting
        trimmed = [None if v is None or not v.strip() else v.strip() for v in values]
        expected = [v if v is None or not redact else re.sub(r"\d{8,}", "<number>", v)
                    for v in trimmed]
        hit = [v != t for v, t in zip(expected, trimmed)]
        got = parse_text_codes(pa.array(values, pa.string()), redact=redact)
        assert got.values.cast(pa.string()).to_pylist() == expected
        assert got.missing.tolist() == [v is None for v in expected]
        assert got.repairs["number_in_text_redacted"].tolist() == hit
        assert any(hit) == redact
        categorical = text_categorical(got)
        assert [None if pd.isna(v) else v for v in categorical] == expected
        assert len(categorical.categories) == len({v for v in expected if v})


def test_date_format_of_strict_columns_is_the_classified_format():
    from fipeval.io.dates import _classified_format, detect_format
    rng = np.random.default_rng(12)
    days = np.datetime64("1950-01-01") + rng.integers(0, 25000, 3000).astype("timedelta64[D]")
    text = np.datetime_as_string(days)                    # yyyy-mm-dd
    columns = {"iso": list(text) + ["", ""],
               "dd-mm-jjjj": [f"{t[8:]}-{t[5:7]}-{t[:4]}" for t in text] + [""],
               "dd.mm": [f"{t[8:]}.{t[5:7]}.{t[:4]}" for t in text[:50]]}
    for name, values in columns.items():
        arr = pa.array(values)
        assert detect_format(arr) == _classified_format(arr) != None, name   # noqa: E711


def test_a_dirty_export_streamed_in_chunks_loads_as_read_whole(tmp_path, monkeypatch):
    """Streamed chunks dictionary-encode codes and names as they are parsed; trimming,
    unknown and empty codes, redacted numbers and rejects must come out as from the whole
    file read at once (register and load report alike)."""
    import fipeval.io.readers as readers
    frame = dutch(make_spells(400)).astype(str)
    rng = np.random.default_rng(6)
    pick = lambda share: rng.random(len(frame)) < share          # noqa: E731
    frame.loc[pick(0.1), "gemeente"] = " " + frame["gemeente"] + " "
    frame.loc[pick(0.05), "klantmanager"] = "KM 123456789"
    frame.loc[pick(0.05), "klantmanager"] = ""
    frame.loc[pick(0.1), "leefvorm"] = "Onbekende leefvorm"
    frame.loc[pick(0.05), "leefvorm"] = " Alleenstaande"
    frame.loc[pick(0.05), "geslacht"] = "X"
    frame.loc[pick(0.05), "trede participatieladder"] = "trede 9"
    ended = frame["einddatum"] != ""
    frame.loc[ended & pick(0.2), "reden beëindiging"] = "onbekende reden"
    frame.loc[pick(0.02), "gemeente"] = ""
    path = write_csv(frame, tmp_path / "uitkeringen.csv")
    whole = load(path, key=KEY, extract_date=EXTRACT)
    monkeypatch.setattr(readers, "STREAM_BYTES", 700)
    monkeypatch.setattr(readers, "HEAD_BYTES", 1024)
    streamed = load(path, key=KEY, extract_date=EXTRACT)
    assert streamed.load_report["rows_rejected"] > 0
    assert streamed.load_report["repaired_by_kind"]["number_in_text_redacted"] > 0
    pd.testing.assert_frame_equal(streamed.spells, whole.spells)
    assert streamed.load_report.to_dict() == whole.load_report.to_dict()
