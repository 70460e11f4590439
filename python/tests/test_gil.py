"""The GIL is released while a batch is judged: another Python thread keeps running."""

import threading
import time


def judged_while_counting(engine, claims):
    """Judges the claims while another thread counts; the batch's time and the ticks in it."""
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.05)
    started = time.perf_counter()
    results = engine.check_many(claims, threads=2, as_json=True)
    ended = time.perf_counter()
    stop.set()
    counter.join()
    assert len(results) == len(claims)
    return started, ended, [t for t in ticks if started <= t <= ended]


def test_a_thread_keeps_counting_while_check_many_judges(engine):
    # JSON text in and out (as_json), so that what holds the GIL (taking the strings, making
    # the result strings) is short beside judging. The batch grows until it takes long enough
    # to tell, whatever the machine's speed.
    count = 60_000
    while True:
        claims = [
            '{"id": "G-%d", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}, {"code": "20610"}]}' % i
            for i in range(count)
        ]
        started, ended, during = judged_while_counting(engine, claims)
        took = ended - started
        if took > 0.3 or count >= 1_000_000:
            break
        count *= 2
    # Held for the whole batch, the GIL would let the counter tick only before and after it.
    gaps = [b - a for a, b in zip([started] + during, during + [ended])]
    assert took > 0.2, f"{count} claims took {took:.3f} s: too short to tell"
    assert len(during) > 50, f"{len(during)} ticks in {took:.3f} s"
    assert max(gaps) < 0.6 * took, f"the counter stopped for {max(gaps):.3f} s of {took:.3f} s"


def test_two_threads_judge_at_once_with_one_engine(engine):
    claim = {"id": "T-1", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}]}
    expected = engine.check_many([claim] * 500)
    out = {}

    def judge(name):
        out[name] = engine.check_many([claim] * 500, threads=1)

    threads = [threading.Thread(target=judge, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out["a"] == out["b"] == expected
