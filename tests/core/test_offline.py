"""The test-suite itself runs offline: any connection beyond loopback fails the test."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connections_beyond_loopback_are_blocked():
    # 192.0.2.1 is TEST-NET-1, reserved for documentation: the guard refuses before any packet.
    with (
        pytest.warns(UserWarning, match="192.0.2.1"),
        pytest.raises(SocketConnectBlockedError),
        socket.create_connection(("192.0.2.1", 80), timeout=1),
    ):
        pass


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
