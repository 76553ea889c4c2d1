from domain.key_scope import FLEET, KeyScope, first_turbine_outside

METER_KEY = KeyScope(meters=frozenset({"smart-meter-17"}))
TURBINE_KEY = KeyScope(turbines=frozenset({3, 4}))


def test_an_empty_scope_is_a_fleet_key_that_may_write_for_everything():
    assert FLEET.is_fleet
    assert FLEET.allows_turbine(99) and FLEET.allows_meter("any") and FLEET.allows_asset("any")
    assert first_turbine_outside(FLEET, [{"turbine_number": 99}]) is None
    assert FLEET.describe().startswith("fleet")


def test_a_scoped_key_writes_only_for_what_it_lists_and_no_other_kind():
    assert METER_KEY.allows_meter("smart-meter-17")
    assert not METER_KEY.allows_meter("smart-meter-18")
    assert not METER_KEY.allows_turbine(3)
    assert not METER_KEY.allows_asset("abc123xyz")
    assert TURBINE_KEY.allows_turbine(4) and not TURBINE_KEY.allows_turbine(5)


def test_the_first_metric_outside_the_scope_is_named_by_index_and_turbine():
    items = [{"turbine_number": 3}, {"turbine_number": 4.0}, "junk", {"turbine_number": "7"},
             {"turbine_number": True}, {"turbine_number": 5}, {"turbine_number": 6}]
    assert first_turbine_outside(TURBINE_KEY, items) == (5, 5)
    assert first_turbine_outside(TURBINE_KEY, [{"turbine_number": 3}, {"turbine_number": 5.0}]) == (1, 5)
    assert first_turbine_outside(TURBINE_KEY, [{"turbine_number": 3}, {}]) is None


def test_scopes_round_trip_through_their_stored_rows_and_describe_themselves():
    scope = KeyScope(frozenset({4, 3}), frozenset({"m-1"}), frozenset({"abc123xyz"}))
    assert scope.rows() == [("turbine", "3"), ("turbine", "4"), ("meter", "m-1"), ("asset", "abc123xyz")]
    assert KeyScope.from_rows(scope.rows()) == scope
    assert KeyScope.from_rows([]) == FLEET
    assert scope.describe() == "turbine 3, 4; meter m-1; asset abc123xyz"
