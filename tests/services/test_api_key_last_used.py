"""API keys note their last use at most once a minute, so busy emitters do not write on every request."""

from datetime import timedelta

from data_access.schema import ApiKey
from services.api_keys import LAST_USED_RESOLUTION, create_api_key, verify_api_key


def test_last_used_is_written_once_then_only_after_a_minute(db):
    key = create_api_key(db, "turbine-7").key
    first = verify_api_key(db, key).last_used_at
    assert verify_api_key(db, key).last_used_at == first  # no write within the minute
    with db.session() as session:
        row = session.query(ApiKey).filter_by(name="turbine-7").one()
        row.last_used_at = first - LAST_USED_RESOLUTION - timedelta(seconds=1)
    assert verify_api_key(db, key).last_used_at > first - timedelta(seconds=1)
