"""Redaction of published Q&A on realistic Chinese text."""

from bianmin.consult.domain.redact import redact
from bianmin.kit.identifiers import with_resident_id_check, with_uscc_check

RESIDENT_ID = with_resident_id_check("33019919850312002")
SOLE_TRADER = with_uscc_check("92330199MA0000007")
ENTERPRISE = with_uscc_check("91330199MA0000001")


def test_every_kind_of_personal_data_is_masked_and_enterprise_codes_stay() -> None:
    text = (f"您好，我叫王小明，身份证号{RESIDENT_ID}，手机13800138000，座机0571-87654321转8021，"
            f"邮箱wang.xm@example.com。我的个体户信用代码是{SOLE_TRADER}，"
            f"想给便民区1号建设有限公司（{ENTERPRISE}）打工，王先生说需要先办社保。小明谢谢！")
    out = redact(text, names=["王小明"])
    assert RESIDENT_ID not in out
    assert "〔身份证号〕" in out
    assert "13800138000" not in out
    assert "〔手机号〕" in out
    assert "87654321" not in out
    assert "〔电话〕" in out
    assert "wang.xm@example.com" not in out
    assert "〔邮箱〕" in out
    assert SOLE_TRADER not in out
    assert "〔个体户信用代码〕" in out
    assert ENTERPRISE in out
    assert "王小明" not in out
    assert "王*" in out
    assert "王先生" not in out
    assert "小明" not in out


def test_numbers_that_are_not_personal_data_are_kept() -> None:
    text = "请拨打12345热线，或到3号窗口，带齐2份材料，费用200元，文号浙政发〔2026〕12号，办件编号20260928001。"
    assert redact(text) == text


def test_phone_numbers_with_country_code_and_separators_are_masked() -> None:
    out = redact("联系电话：+86 138-0013-8000，(0571)87654321，15-digit 330199850312002")
    assert "138-0013-8000" not in out
    assert "87654321" not in out
    assert "330199850312002" not in out


def test_a_mistyped_id_number_is_still_masked() -> None:
    wrong_check = RESIDENT_ID[:-1] + ("0" if RESIDENT_ID[-1] != "0" else "1")
    assert redact(f"身份证{wrong_check}办理") == "身份证〔身份证号〕办理"
