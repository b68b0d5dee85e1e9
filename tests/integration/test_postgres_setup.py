"""Several processes opening one fresh PostgreSQL database at once all get their tables.

CI once failed here: two ``etude ask`` processes started together on an empty database both
ran the checkpointer's CREATE TABLE IF NOT EXISTS, and the loser died with a unique violation
on ``pg_type``. Threads stand in for the processes: each opens its own connections, which is
all the race needs.
"""

from __future__ import annotations

import threading

from etude.sessions import open_postgres


def test_many_openers_of_a_fresh_database_all_succeed(postgres_url: str) -> None:
    openers = 8
    start = threading.Barrier(openers)
    failures: list[BaseException] = []

    def open_once() -> None:
        start.wait()
        try:
            open_postgres(postgres_url).close()
        except BaseException as exc:  # every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=open_once) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    persistence = open_postgres(postgres_url)
    try:
        assert persistence.sessions() == []  # the checkpoint tables are there, and empty
        assert persistence.store.search(("learners",)) == []
    finally:
        persistence.close()
