from domain.run_list import neighbour_after_removal


def test_the_run_above_the_deleted_one_is_shown_else_the_one_below_else_none():
    assert neighbour_after_removal([9, 7, 5, 3], 5) == 7
    assert neighbour_after_removal([9, 7, 5, 3], 9) == 7
    assert neighbour_after_removal([9, 7, 5, 3], 3) == 5
    assert neighbour_after_removal([4], 4) is None
    assert neighbour_after_removal([9, 7], 1) is None
