"""Failures of the network itself, named the same way for every probe."""

from __future__ import annotations

import errno
import ipaddress
import socket

from ..observation import Failure

UNREACHABLE_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENETUNREACH})
# What a resolver answers for a name it holds no address for. EAI_NODATA (a
# name known without an address) is not on every platform.
NAME_NOT_FOUND = frozenset(
    {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
)


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


def is_unknown_name(host: str) -> bool:
    """Return whether the resolver says no device goes by a host name.

    Blocks while the resolver answers. An address is never unknown; a
    resolver that cannot answer now (no DNS server) says nothing of the name,
    and leaves the question to the probe.
    """
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return False
    try:
        socket.getaddrinfo(host, None)
    except socket.gaierror as err:
        return err.errno in NAME_NOT_FOUND
    return False
