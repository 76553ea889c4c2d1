from datetime import date

import pandas as pd

from components.figures import local_time_ticks, price_chart
from components.shell import build_navbar, nav_items_for
from domain.settlement_time import settlement_index

PAGES = [
    {"name": "Overview", "path": "/", "nav_order": 0, "min_role": "viewer"},
    {"name": "Users", "path": "/admin/users", "nav_order": 90, "min_role": "admin"},
    {"name": "Prices", "path": "/prices", "nav_order": 10, "min_role": "viewer"},
]


def prices_for(day: date) -> pd.DataFrame:
    index = settlement_index(day, day)
    frame = pd.DataFrame({"day_ahead": range(len(index)), "settlement_date": index["settlement_date"].to_numpy(),
                          "settlement_period": index["settlement_period"].to_numpy()},
                         index=pd.DatetimeIndex(index["interval_start_utc"]))
    return frame


def test_nav_shows_only_pages_the_role_may_open_in_order():
    assert [i.name for i in nav_items_for(PAGES, "viewer")] == ["Overview", "Prices"]
    assert [i.name for i in nav_items_for(PAGES, "admin")] == ["Overview", "Prices", "Users"]
    assert [i.slug for i in nav_items_for(PAGES, "admin")] == ["overview", "prices", "admin-users"]


def test_navbar_carries_the_logout_form_with_its_csrf_token():
    navbar = build_navbar(nav_items_for(PAGES, "viewer"), "vera", "viewer", "TOKEN123")
    text = str(navbar.to_plotly_json())
    assert "TOKEN123" in text and "/logout" in text and "vera" in text


def test_autumn_chart_keeps_50_points_in_time_order_with_local_labels():
    figure = price_chart(prices_for(date(2023, 10, 29)), "light")
    trace = figure.data[0]
    assert len(trace.x) == 50
    assert all(a < b for a, b in zip(trace.x[:-1], trace.x[1:], strict=True))
    assert trace.customdata[3] == "Sun 29 Oct 01:30 BST · SP4"
    assert trace.customdata[5] == "Sun 29 Oct 01:30 GMT · SP6"
    assert figure.layout.xaxis.title.text == "UK local time"


def test_spring_chart_has_46_points():
    assert len(price_chart(prices_for(date(2023, 3, 26)), "dark").data[0].x) == 46


def test_ticks_are_utc_instants_labelled_in_local_time():
    starts = pd.DatetimeIndex(settlement_index(date(2023, 7, 1), date(2023, 7, 1))["interval_start_utc"])
    values, labels = local_time_ticks(starts)
    assert values[0] == pd.Timestamp("2023-06-30T23:00Z")  # local midnight in BST
    assert labels[0].startswith("01 Jul")
    assert labels[1] == "03:00 BST"


def test_figures_follow_the_colour_mode():
    empty = pd.DataFrame()
    assert price_chart(empty, "dark").layout.template.layout.paper_bgcolor != \
        price_chart(empty, "light").layout.template.layout.paper_bgcolor
    assert price_chart(empty, None).layout.template == price_chart(empty, "light").layout.template


def test_navbar_lets_the_colour_mode_choose_its_text_colour():
    navbar = build_navbar(nav_items_for(PAGES, "viewer"), "vera", "viewer", "T")
    assert navbar.dark is False and navbar.color == "body-tertiary"
