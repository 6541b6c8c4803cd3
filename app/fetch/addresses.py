"""Which IP addresses a server-side fetch may connect to.

Only globally routable unicast addresses are allowed. IPv6 forms that embed an IPv4 address
(IPv4-mapped, NAT64, 6to4) are judged by the address they embed, so ::ffff:127.0.0.1 is loopback.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_6TO4 = ipaddress.IPv6Network("2002::/16")
# Cloud metadata services that are reachable at addresses not covered by the ranges below on some providers.
_METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _6TO4:
        return ip.sixtofour
    return None


def why_forbidden(ip: IPAddress) -> str | None:
    """A reason this address must not be connected to, or None when it is a public unicast address."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        reason = why_forbidden(inner)
        return f"{reason} (embedded in {ip})" if reason else None
    if ip in _METADATA:
        return "a cloud metadata address"
    for test, reason in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
    ):
        if test:
            return f"a {reason} address"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses, plus the networks an operator has allowed explicitly."""

    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def from_strings(cls, networks: Iterable[str]) -> "AddressPolicy":
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def why_forbidden(self, address: str) -> str | None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return None
        return why_forbidden(ip)
