"""Reader tables: floats shown with one number of decimals per column, missing values as a dash."""

import pandas as pd

from analysis.pagecheck import page_problems
from analysis.tables import table_html


def test_float_columns_get_the_fewest_decimals_that_keep_every_value():
    frame = pd.DataFrame({"Nation": ["USA", "NOR", "FIN"], "Years": [80.1, 44.0, None], "Share": [0.25, 0.5, 0.125]})
    page = table_html(frame, "caption", "t")
    assert ">80.1<" in page and ">44.0<" in page and ">–<" in page
    assert ">0.250<" in page and ">0.125<" in page
    assert "80.100000" not in page and page_problems(page) == []


def test_whole_floats_lose_their_decimals():
    page = table_html(pd.DataFrame({"Nation": ["NED"], "Records": [3.0]}), "caption", "t")
    assert ">3<" in page
