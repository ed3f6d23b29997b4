"""Which ``Host`` headers the server answers (DNS rebinding defence) and its CORS policy.

A web page on ``evil.example`` can re-point its own name at 127.0.0.1 and then read a local
server through the victim's browser: the request reaches us with ``Host: evil.example``. So a
request is answered only when its Host names this server: an IP literal (rebinding needs a DNS
name), ``localhost``, this machine's host names when the server listens on every interface, the
bind address itself, or a name given with ``--allow-host`` (``*`` turns the check off). Pure.
"""

from __future__ import annotations

import ipaddress
import socket

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})
_ANY = ("0.0.0.0", "::", "")


def host_name(header: str) -> str:
    """The host part of a Host header, lowercase, without port or IPv6 brackets."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1 : h.find("]")] if "]" in h else h
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_hosts(bind: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Host names answered besides IP literals: localhost, the bind name, ``extra``; and the
    machine's own names when bound to every interface."""
    names = set(LOCAL_NAMES) | {host_name(e) for e in extra}
    if bind not in _ANY and not _is_ip(bind):
        names.add(host_name(bind))
    if bind in _ANY:
        for n in (socket.gethostname(), socket.getfqdn()):
            names.add(n.lower())
    return frozenset(names)


def host_ok(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request with this Host header is answered (a missing header is HTTP/1.0)."""
    if header is None:
        return True
    name = host_name(header)
    return "*" in allowed or _is_ip(name) or name in allowed
