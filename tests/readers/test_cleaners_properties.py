"""Property-based tests of the cleaners: whatever shape CBS uses, the tidy result is the same."""

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parkstad_analysis.readers.odata import read_odata_csv, read_odata_typed_json, snake_case, stable_names, strip_key_suffix
from parkstad_analysis.readers.values import MISSING_MARKERS, MISSING_THRESHOLD, NIL_MARKERS, to_number
from parkstad_analysis.tables.tidy import tidy
from parkstad_analysis.vocabulary.regions import clean_code, clean_codes

digits = st.text("0123456789", min_size=1, max_size=1)
gemeente = st.builds(lambda d: "GM" + "".join(d), st.lists(digits, min_size=4, max_size=4))
wijk = st.builds(lambda d: "WK" + "".join(d), st.lists(digits, min_size=6, max_size=6))
buurt = st.builds(lambda d: "BU" + "".join(d), st.lists(digits, min_size=8, max_size=8))
codes = st.one_of(gemeente, wijk, buurt)
padding = st.text(" \t", max_size=6)
markers = st.sampled_from([*sorted(MISSING_MARKERS - {"nan", "NaN", "None"}), "-99997", "-99999999"])
amounts = st.decimals(min_value=-99989, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@given(codes, padding, padding, st.booleans())
def test_codes_are_trimmed_and_upper_cased(code, left, right, lower):
    raw = left + (code.lower() if lower else code) + right
    assert clean_code(raw) == code
    assert clean_codes(pd.Series([raw]), "x").tolist() == [code]


@given(markers)
def test_every_cbs_missing_marker_becomes_missing(marker):
    assert to_number(pd.Series([marker, "1"]), "x").isna().tolist() == [True, False]


@given(st.sampled_from(sorted(NIL_MARKERS)), padding)
def test_cbs_nihil_sign_is_zero_not_missing(sign, pad):
    # verklaring van tekens: "- = nihil"; the pages write a missing figure as ".", so "-" must stay a zero
    assert to_number(pd.Series([pad + sign + pad, "1,5", "."]), "x").tolist() == [0.0, 1.5, pd.NA]


@given(amounts, st.booleans())
def test_decimal_comma_and_point_give_the_same_number(amount, comma):
    text = format(amount, "f")
    if comma:
        text = text.replace(".", ",")
    assert to_number(pd.Series([text]), "x").iloc[0] == float(amount)


def _csv(rows: list[tuple[str, str, str]], order: list[int], extra: bool, sep: str, bom: bool) -> str:
    header = ["ID", "WijkenEnBuurten", "AantalInwoners_5"] + (["Onbekend_99"] if extra else [])
    lines = [sep.join(f'"{header[i]}"' for i in order + ([3] if extra else []))]
    for row in rows:
        cells = [*row, "zz"] if extra else list(row)
        lines.append(sep.join(f'"{cells[i]}"' for i in order + ([3] if extra else [])))
    return ("\ufeff" if bom else "") + "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(codes, st.one_of(amounts.map(lambda a: format(a, "f").replace(".", ",")), markers)),
                min_size=1, max_size=8, unique_by=lambda r: r[0]),
       st.permutations([0, 1, 2]), st.booleans(), st.sampled_from([";", ","]), st.booleans(), padding)
@example(rows=[("GM0000", "-9999,00")], order=[0, 1, 2], extra=False, sep=";", bom=False, pad="")  # once found
def test_odata_csv_shape_does_not_change_the_tidy_table(tmp_path_factory, rows, order, extra, sep, bom, pad):
    if sep == ",":  # a comma-separated file writes its decimals with a point
        rows = [(c, v.replace(",", ".")) for c, v in rows]
    data = [(str(i), code + pad, value) for i, (code, value) in enumerate(rows)]
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    path.write_text(_csv(data, list(order), extra, sep, bom), "utf-8")
    frame = read_odata_csv(path)
    table = tidy(frame, where="t", codes=frame["WijkenEnBuurten"], indicators={"AantalInwoners_5": "n"}, year=2020)
    # a marker, or a value at or below the threshold (-99997, -99999999), is missing; -9999,00 is a number
    expected = pd.Series([None if v in MISSING_MARKERS or float(v.replace(",", ".")) <= MISSING_THRESHOLD
                          else float(v.replace(",", ".")) for _, v in rows], dtype="Float64", name="n")
    assert table["region_code"].tolist() == [c for c, _ in rows]
    pd.testing.assert_series_equal(table["n"], expected, check_names=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(codes, st.one_of(amounts.map(str), markers)), min_size=1, max_size=8,
                unique_by=lambda r: r[0]))
def test_cleaning_is_idempotent(rows):
    raw = pd.DataFrame({"code": [c for c, _ in rows], "value": [v for _, v in rows]})
    once = tidy(raw, where="t", codes=raw["code"], indicators={"value": "value"}, year=2021)
    twice = tidy(once, where="t", codes=once["region_code"], names=once["region_name"],
                     indicators={"value": "value"}, year=once["year"])
    pd.testing.assert_frame_equal(once, twice)


@given(st.lists(st.sampled_from(["Appartement_54", "Appartement_62", "Nederland_17", "Nederland_20",
                                 "AantalInwoners_5"]), min_size=1, max_size=5, unique=True))
def test_stable_names_are_unique_whatever_keys_a_table_has(keys):
    groups = {"Appartement_54": 72, "Appartement_62": 83, "Nederland_17": 23, "Nederland_20": 27, "AantalInwoners_5": 6}
    titles = {72: ("Naar woningtype", 70), 83: ("Naar woningtype", 81), 70: ("Elektriciteit", None),
              81: ("Aardgas", None), 23: ("Herkomstland", 22), 27: ("Geboren in Nederland", 22), 22: ("Herkomst", None),
              6: ("Bevolking", None)}
    rows = [{"id": i, "parent_id": titles[g][1], "type": "TopicGroup", "key": "", "title": titles[g][0]} for i, g in
            [(g, g) for g in titles]]
    rows += [{"id": 1000 + n, "parent_id": groups[k], "type": "Topic", "key": k, "title": k} for n, k in enumerate(keys)]
    names = stable_names(pd.DataFrame(rows))
    assert len(set(names.values())) == len(names) == len(keys)
    if len(keys) == 1:
        assert names[keys[0]] == snake_case(strip_key_suffix(keys[0]))


def test_bom_in_json_and_value_as_object(tmp_path):
    body = '{"value": {"0": {"WijkenEnBuurten": "GM0917    ", "A_1": 5}}}'
    plain, bom = tmp_path / "a.json", tmp_path / "b.json"
    plain.write_text(body.replace('{"0": ', "[").replace("}}}", "}]}"), "utf-8")
    bom.write_bytes(b"\xef\xbb\xbf" + body.encode())
    pd.testing.assert_frame_equal(read_odata_typed_json(plain), read_odata_typed_json(bom))
