import threading
import time

from data_access import migrate


def test_only_one_process_migrates_at_a_time(database_url):
    order = []
    started = threading.Event()

    def second():
        started.set()
        migrate.upgrade(database_url)  # waits for the lock, then finds nothing left to do
        order.append("second done")

    with migrate.migration_lock(database_url):
        thread = threading.Thread(target=second)
        thread.start()
        started.wait(5)
        time.sleep(0.5)
        order.append("first still holds the lock")
    thread.join(60)
    assert order == ["first still holds the lock", "second done"]
