"""Failures of the network itself, named the same way for every probe."""

from __future__ import annotations

import errno
import socket

from ..observation import Failure

UNREACHABLE_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENETUNREACH})


def failure_of_os_error(error: OSError) -> Failure:
    """Return how a connection attempt failed, from the socket error it raised."""
    if isinstance(error, ConnectionRefusedError):
        return Failure.REFUSED
    if isinstance(error, TimeoutError):
        return Failure.TIMEOUT
    # Unknown hosts and lost routes alike: nothing can reach the address.
    return Failure.UNREACHABLE


def is_unreachable(error: OSError) -> bool:
    """Return whether a socket error says nothing can reach the address.

    A host name that resolves to no address is as unreachable as a lost route
    (its error numbers are the resolver's, not the kernel's).
    """
    return (
        isinstance(error, socket.gaierror | socket.herror)
        or error.errno in UNREACHABLE_ERRNOS
    )
