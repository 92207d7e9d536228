"""One name per skater: look-up by any spelling, suggestions for unknown names, the sheet-name proposal."""

import pytest

from analysis import UnknownSkater, get_skater, load_results, load_skaters
from analysis.skaters import display_name, name_key


@pytest.mark.parametrize("spelling", ["Min-Sun KIM", "Kim Min-sun", "kim minsun", "KIM Min-Sun"])
def test_any_spelling_finds_one_skater(spelling):
    assert get_skater(spelling)["skater_id"] == "kim-min-sun"


def test_accents_and_sheet_capitals():
    assert get_skater("Nikola ZDRÁHALOVA")["name"] == "Nikola Zdráhalová"
    assert get_skater("Valerie MALTAIS")["name"] == "Valérie Maltais"
    assert get_skater("Leewon LIM")["name"] == "Lim Ri-won"  # an alias added by hand


def test_unknown_name_offers_the_closest():
    with pytest.raises(UnknownSkater) as info:
        get_skater("Jutta Leerdamm")
    assert "Jutta Leerdam" in info.value.suggestions
    assert "did you mean 'Jutta Leerdam'" in str(info.value)


def test_name_key_ignores_order_case_accents_hyphens():
    assert name_key("Min-Sun KIM") == name_key("Kim Min-sun") != name_key("Kim Min-seok")
    assert name_key("Damian ŻUREK") == name_key("Damian Zurek")


@pytest.mark.parametrize(
    "sheet, nation, shown",
    [
        ("Min-Sun KIM", "KOR", "Kim Min-sun"),
        ("Jae Woong CHUNG", "KOR", "Chung Jae-woong"),
        ("Zhongyan NING", "CHN", "Ning Zhongyan"),
        ("Jenning DE BOO", "NED", "Jenning de Boo"),
        ("Daniele DI STEFANO", "ITA", "Daniele Di Stefano"),
        ("Conor MCDERMOTT-MOSTOWY", "USA", "Conor McDermott-Mostowy"),
        ("Gabriel GROß", "GER", "Gabriel Groß"),
        ("Connor Howe", "CAN", "Connor Howe"),
    ],
)
def test_display_name_proposal(sheet, nation, shown):
    assert display_name(sheet, nation) == shown


def test_every_result_row_resolves_to_one_registered_skater():
    results, skaters = load_results(), load_skaters()
    assert results["skater_id"].notna().all()
    registered = skaters.set_index("skater_id")
    assert (registered.loc[results["skater_id"], "name"].to_numpy() == results["skater"].to_numpy()).all()
    assert (registered.loc[results["skater_id"], "gender"].to_numpy() == results["gender"].to_numpy()).all()
