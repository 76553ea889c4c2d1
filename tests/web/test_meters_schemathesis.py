"""Schemathesis against /api/openapi.json for the meters endpoints, through the Flask app (WSGI):
no 5xx, and every response matches its documented status, content type and schema.

Bounded and reproducible: a fixed Hypothesis seed, a few examples per operation.
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.api_keys import create_api_key
from services.meter_demo import load_plans_and_trial_meters

METERS_PATHS = r"^(/api/v1)?/(readings|price-plans)/"
EXAMPLES = 8
"""Per operation and mode: 8 operations × 2 modes × 8 keeps the run to a few seconds."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def meter_api_key(server) -> dict:
    db = server.extensions["powerdesk"].db
    load_plans_and_trial_meters(db)
    return {"Authorization": f"Bearer {create_api_key(db, 'schemathesis').key}"}


@pytest.fixture
def meters_schema(server, meter_api_key):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", server, headers=meter_api_key)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_meters_api_matches_its_openapi_document(meters_schema, meter_api_key, mode):
    operations = [result.ok() for result in meters_schema.include(path_regex=METERS_PATHS).get_all_operations()]
    assert len(operations) == 8  # four endpoints, each on the original path and under /api/v1
    statuses = Counter()
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @seed(20231126)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            statuses[case.call_and_validate(headers=meter_api_key, checks=CHECKS).status_code // 100] += 1

        check()
    # The run reached the endpoints: valid requests were answered, invalid ones refused with a 4xx.
    assert statuses[4] > 0 and (mode == GenerationMode.NEGATIVE or statuses[2] > 0), statuses
