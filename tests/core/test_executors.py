"""Executors (issue 22): results in order whoever computed them, few partitions in flight, a dead
worker or an unreachable scheduler as one line with its exit code, and a remote scheduler only when
allowed. The Dask cluster itself is tested with the detector in tests/privacy/test_scale.py."""

from __future__ import annotations

import json
import os
import re
import socket
import time

import pytest
from persona.errors import ExecutorError, ExitCode, SettingsError
from persona.executors import (
    AHEAD,
    Executor,
    ExecutorSettings,
    LocalExecutor,
    is_local_address,
    make_executor,
)
from persona.flags import executor_overrides


def square_after_a_while(n: int) -> tuple[int, int]:
    time.sleep(0.02 if n % 3 == 0 else 0.0)  # later partitions often finish first
    return n, n * n


def die_on_seven(n: int) -> int:
    if n == 7:
        os._exit(3)  # a worker killed mid-run: the OOM killer, a kill -9
    return n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("a bug in a task")
    return n


def test_inline_executor_runs_in_order():
    with Executor() as executor:
        assert list(executor.map(lambda n: n + 1, range(5))) == [1, 2, 3, 4, 5]


def test_local_workers_give_results_in_order():
    with LocalExecutor(2) as executor:
        out = list(executor.map(square_after_a_while, range(40)))
    assert out == [(n, n * n) for n in range(40)]


def test_only_a_few_partitions_are_in_flight():
    taken: list[int] = []
    done: list[int] = []

    def partitions():
        for n in range(50):
            taken.append(n)
            assert n - len(done) <= 2 * AHEAD + 1, "read far ahead of the results"
            yield n

    with LocalExecutor(2) as executor:
        for result in executor.map(square_after_a_while, partitions()):
            done.append(result[0])
    assert done == list(range(50)) and len(taken) == 50


def test_a_dead_worker_is_one_line_naming_the_partition():
    with LocalExecutor(2) as executor, pytest.raises(ExecutorError) as caught:
        list(executor.map(die_on_seven, range(20), where=lambda i: f"values {i * 10 + 1}-{i * 10 + 10}"))
    message = str(caught.value)
    # the partitions in flight, the one that killed its worker (values 71-80) among them
    first, last = (int(n) for n in re.search(r"values (\d+)-\d+ to values \d+-(\d+)", message).groups())
    assert first <= 71 and last >= 80 and last - first < 10 * (2 * AHEAD + 1)
    assert "died" in message and "nothing was written" in message
    assert "\n" not in message and caught.value.exit_code == ExitCode.EXECUTOR == 13


def test_an_executor_can_be_used_again_after_a_dead_worker():
    executor = LocalExecutor(2)
    with pytest.raises(ExecutorError):
        list(executor.map(die_on_seven, range(10)))
    assert list(executor.map(fail_on_three, [1, 2])) == [1, 2]
    executor.close()


def test_a_task_error_is_raised_as_itself():
    with LocalExecutor(2) as executor, pytest.raises(ValueError, match="a bug in a task"):
        list(executor.map(fail_on_three, range(6)))


def test_one_worker_runs_in_this_process():
    with LocalExecutor(1) as executor:
        assert list(executor.map(lambda _: os.getpid(), [0, 1])) == [os.getpid()] * 2


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("tcp://127.0.0.1:8786", True),
        ("tcp://localhost:8786", True),
        ("tcp://[::1]:8786", True),
        ("127.0.0.1:8786", True),
        ("http://0.0.0.0:11434", True),
        ("tcp://10.0.0.5:8786", False),
        ("tcp://dask.internal:8786", False),
        ("tcp://localhost.example.com:8786", False),
    ],
)
def test_local_addresses(address, local):
    assert is_local_address(address) is local


def test_a_remote_scheduler_needs_to_be_allowed():
    with pytest.raises(SettingsError, match=r"not this machine.*allow_remote"):
        make_executor(ExecutorSettings(kind="dask", scheduler="tcp://10.0.0.5:8786"))


def test_a_scheduler_with_the_local_executor_is_a_settings_error():
    with pytest.raises(SettingsError, match="--executor dask"):
        make_executor(ExecutorSettings(kind="local", scheduler="tcp://127.0.0.1:8786"))


def test_an_unreachable_scheduler_is_one_line():
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]
    settings = ExecutorSettings(kind="dask", scheduler=f"tcp://127.0.0.1:{unused_port}", timeout=1)
    with pytest.raises(ExecutorError) as caught:
        make_executor(settings)
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{unused_port}" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_flags_become_executor_settings():
    assert executor_overrides(None, None, None) == {}
    assert executor_overrides(None, 2, None) == {"executor": {"workers": 2}}
    # a scheduler address says which executor is meant
    assert executor_overrides(None, None, "tcp://127.0.0.1:8786") == {
        "executor": {"kind": "dask", "scheduler": "tcp://127.0.0.1:8786"}
    }


def test_executor_settings_are_read_and_checked(run_persona, persona_home):
    done = run_persona("config", "show", "--json", env={"PERSONA_EXECUTOR__WORKERS": "3"})
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["settings"]["executor.workers"] == {"value": 3, "source": "environment"}
    bad = run_persona("config", "show", env={"PERSONA_EXECUTOR__KIND": "ray"})
    assert bad.exit_code == ExitCode.SETTINGS and "executor.kind" in bad.stderr


def test_a_cluster_the_run_starts_says_so_before_the_seconds_it_takes_and_stops_with_the_run():
    pytest.importorskip("distributed")
    heard: list[str] = []
    with make_executor(ExecutorSettings(kind="dask", workers=1), heard.append) as executor:
        assert heard == ["starting a Dask cluster of 1 worker on this machine"]
        assert executor.workers == 1 and is_local_address(executor.address)  # type: ignore[attr-defined]
        assert [out for _, out in executor.map(square_after_a_while, range(5))] == [0, 1, 4, 9, 16]
        client = executor.client  # type: ignore[attr-defined]
    assert executor.client is None and client.status == "closed"  # type: ignore[attr-defined]
