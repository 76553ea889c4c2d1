"""`flask optimise study FILE.json`: the API's study body, solved here on STUDY_WORKERS processes."""

import json


def test_a_study_file_is_solved_point_by_point_and_bad_input_is_one_line(server, tmp_path):
    runner = server.test_cli_runner()
    body = tmp_path / "study.json"
    body.write_text(json.dumps({"name": "cli sizing", "start": "2023-03-01", "end": "2023-03-01",
                                "grid": {"power_mw": [10, 20]}}))
    result = runner.invoke(args=["optimise", "study", str(body), "--user", "trader"])
    assert result.exit_code == 0, result.output
    assert "2 points, 0 reused from stored runs" in result.output
    assert result.output.count(": succeeded £") == 2 and "power_mw=10" in result.output

    viewer = runner.invoke(args=["optimise", "study", str(body), "--user", "viewer"])
    assert viewer.exit_code == 1 and "studies need a trader or admin" in viewer.output
    nobody = runner.invoke(args=["optimise", "study", str(body), "--user", "zoe"])
    assert nobody.exit_code == 1 and "Error:" in nobody.output and "Traceback" not in nobody.output
    body.write_text("{not json")
    broken = runner.invoke(args=["optimise", "study", str(body), "--user", "trader"])
    assert broken.exit_code == 1 and "is not valid JSON" in broken.output
