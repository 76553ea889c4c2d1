from components.study_figures import point_rows, sizing_figure


def _study(name="s", points=None):
    return {"id": 1, "name": name, "points": points or [
        {"index": i, "run_id": 10 + i, "status": "optimal", "message": "",
         "params": {"power_mw": 50, "energy_mwh": 50 * hours, "max_cycles_per_day": 1},
         "varied": {"duration_h": hours},
         "totals": {"net_revenue_gbp": 1000.0 * hours, "net_revenue_gbp_per_mw_year": 20.0 * hours,
                    "cycles": 4.0, "baselines": {"joint_net_revenue_gbp": 4000.0}}}
        for i, hours in enumerate((1, 2))
    ] + [{"index": 2, "run_id": 12, "status": "infeasible", "message": "No feasible schedule", "totals": None,
          "params": {"power_mw": 50, "energy_mwh": 200, "max_cycles_per_day": 1}, "varied": {"duration_h": 4}}]}


def test_point_rows_carry_the_sizing_figures_and_leave_failed_points_blank():
    rows = point_rows(_study())
    assert [(r["duration_h"], r["gbp_per_mw_year"], r["gbp_per_cycle"], r["capture_pct"]) for r in rows] == [
        (1.0, 20.0, 250.0, 25.0), (2.0, 40.0, 500.0, 50.0), (4.0, None, None, None)]
    assert rows[2]["message"] == "No feasible schedule"


def test_one_line_per_series_in_each_panel_and_an_overlaid_study_is_dashed_with_its_name():
    figure = sizing_figure([_study("A <b>"), _study("B")], "dark")
    names = {trace.name for trace in figure.data}
    assert names == {"A &lt;b&gt;: all points", "B: all points"}
    assert len(figure.data) == 8  # two studies × four panels, failed point left out
    assert {trace.line.dash for trace in figure.data if trace.name.startswith("B")} == {"dash"}
    assert list(figure.data[0].x) == [1.0, 2.0] and list(figure.data[0].y) == [20.0, 40.0]


def test_a_parameter_the_study_leaves_out_is_shown_as_the_optimiser_uses_it():
    from optimiser import BatteryParams

    default = BatteryParams()
    row = point_rows(_study())[0]  # the points give neither efficiency: the run used the optimiser's defaults
    assert row["round_trip_efficiency"] == round(default.charge_efficiency * default.discharge_efficiency, 4)
    split = _study(points=[{"index": 0, "run_id": 1, "status": "optimal", "message": "", "totals": None,
                            "varied": {"round_trip_efficiency": 0.81},
                            "params": {"charge_efficiency": 0.9, "discharge_efficiency": 0.9}}])
    assert point_rows(split)[0]["round_trip_efficiency"] == 0.81


def _two_powers():
    """10 and 20 MW at 1 and 2 h: £/MW/year is the same for both powers, so their lines coincide."""
    points = []
    for i, (power, hours) in enumerate(((10, 1), (10, 2), (20, 1), (20, 2))):
        points.append({"index": i, "run_id": 20 + i, "status": "optimal", "message": "",
                       "params": {"power_mw": power, "energy_mwh": power * hours},
                       "varied": {"power_mw": power, "duration_h": hours},
                       "totals": {"net_revenue_gbp": 100.0 * power * hours,
                                  "net_revenue_gbp_per_mw_year": 4000.0 * hours, "cycles": 2.0,
                                  "baselines": {"joint_net_revenue_gbp": 400.0 * power * hours}}})
    return {"id": 2, "name": "powers", "points": points}


def test_coinciding_lines_both_show_with_a_legend_entry_each_and_ticks_on_the_durations():
    figure = sizing_figure([_two_powers()], "light")
    per_mw = [t for t in figure.data if t.xaxis == "x"]
    assert [t.name for t in per_mw] == ["10 MW", "20 MW"] and all(t.showlegend for t in per_mw)
    assert list(per_mw[0].y) == list(per_mw[1].y)  # same values: the lower line must still be seen
    assert per_mw[0].line.width > per_mw[1].line.width and per_mw[0].marker.size > per_mw[1].marker.size
    assert per_mw[0].marker.symbol != per_mw[1].marker.symbol
    assert list(figure.layout.xaxis.tickvals) == [1.0, 2.0] and list(figure.layout.xaxis.ticktext) == ["1", "2"]
    assert figure.layout.margin.t >= 60  # the mode bar clears the subplot titles


def test_a_perfect_foresight_point_asked_to_decide_hourly_is_drawn_as_the_once_line_it_is():
    points = []
    for i, (foresight, reoptimise, hours) in enumerate(
            (f, r, h) for f in ("perfect", "naive-week") for r in ("once", "hourly") for h in (1, 2)):
        points.append({"index": i, "run_id": 30 + i, "status": "succeeded", "message": "",
                       "params": {"power_mw": 10, "energy_mwh": 10 * hours, "foresight": foresight,
                                  "intraday_reoptimise": "once" if foresight == "perfect" else reoptimise},
                       "varied": {"foresight": foresight, "intraday_reoptimise": reoptimise, "duration_h": hours},
                       "totals": {"net_revenue_gbp": 100.0 * hours, "net_revenue_gbp_per_mw_year": 10.0 * hours,
                                  "cycles": 1.0}})
    panel = [t for t in sizing_figure([{"id": 3, "name": "f", "points": points}], "light").data if t.xaxis == "x"]
    assert [t.name for t in panel] == ["foresight perfect, intraday reoptimise once",
                                       "foresight naive-week, intraday reoptimise once",
                                       "foresight naive-week, intraday reoptimise hourly"]
    assert [list(t.x) for t in panel] == [[1, 2]] * 3  # the perfect line once, not each duration twice
