import pytest

from portal.domain.documents.symbols import IN_TEXT, parse_symbol, slug_for, symbol_key
from portal.errors import ValidationFailed


@pytest.mark.parametrize("raw, number, year, doc_type, issuer, unit, text", [
    ("174/KH-UBND", 174, None, "ke-hoach", "UBND", None, "174/KH-UBND"),
    ("1033/VKS-VP", 1033, None, None, "VKS", "VP", "1033/VKS-VP"),
    ("57/2018/QĐ-UBND", 57, 2018, "quyet-dinh", "UBND", None, "57/2018/QĐ-UBND"),
    ("57/2018/qd-ubnd", 57, 2018, "quyet-dinh", "UBND", None, "57/2018/QĐ-UBND"),
    (" Số: 12/TTr-UBND-NC ", 12, None, "to-trinh", "UBND", "NC", "12/TTr-UBND-NC"),
    ("5/HD-VKS", 5, None, "huong-dan", "VKS", None, "5/HD-VKS"),
    ("5/HĐ-VKS", 5, None, "hop-dong", "VKS", None, "5/HĐ-VKS"),
    ("239/QĐ-UBND", 239, None, "quyet-dinh", "UBND", None, "239/QĐ-UBND"),
])
def test_three_shapes_parse_into_their_parts(raw, number, year, doc_type, issuer, unit, text):
    parsed = parse_symbol(raw)
    assert (parsed.number, parsed.year, parsed.type_code, parsed.issuer_code, parsed.unit_code) == (
        number, year, doc_type, issuer, unit)
    assert parsed.text == text


@pytest.mark.parametrize("raw", [
    "", "   ", "abc", "174", "174/", "/KH-UBND", "0/KH-UBND", "174/KH-", "174//KH-UBND",
    "57/2018/UBND", "57/1800/QĐ-UBND", "174/KH UBND", "174/KH-UBND/", "12/A-B-C-D-E-F-G",
    "174/<script>", "174/KH-UBND;DROP",
])
def test_malformed_symbols_are_refused_with_a_vietnamese_message(raw):
    with pytest.raises(ValidationFailed) as info:
        parse_symbol(raw)
    assert info.value.message
    assert "«" in info.value.message


def test_slugs_follow_the_url_rule():
    assert slug_for("174/KH-UBND", 2022) == "174-kh-ubnd-2022"
    assert slug_for("1033/VKS-VP", 2022) == "1033-vks-vp-2022"
    assert slug_for("57/2018/QĐ-UBND", 2018) == "57-2018-qd-ubnd"


def test_symbol_key_folds_and_keeps_alphanumerics():
    assert symbol_key("57/2018/QĐ-UBND") == "572018qdubnd"
    assert symbol_key("57 / 2018 / qd-ubnd") == "572018qdubnd"


def test_symbols_are_found_in_running_text_but_dates_are_not():
    text = "Kế hoạch số 174/KH-UBND ngày 04/8/2022 căn cứ Quyết định số 57/2018/QĐ-UBND."
    assert IN_TEXT.findall(text) == ["174/KH-UBND", "57/2018/QĐ-UBND"]
