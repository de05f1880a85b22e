//! Who the HTTP client is, for rate limits behind a reverse proxy (issue 8).
//!
//! Only when the TCP peer is in `http.trusted_proxies` are the forwarding headers believed:
//! `Forwarded` (RFC 7239, its `for=` parameters) when present, else `X-Forwarded-For`. The hops
//! are read right to left (each proxy appends the address it received from), trusted proxies are
//! skipped, and the first hop that is not a trusted proxy is the client. A hop that does not parse
//! as an address (`unknown`, an obfuscated name) ends the walk: it is the client as far as anyone
//! can tell. From any other peer the headers are ignored, so a client cannot pick its own key.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;
use ipnet::IpNet;

/// The client's key for rate limits: its address, or the unparsed hop that stands for it.
pub fn client(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> String {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = canonical(peer.ip());
    if !is_trusted(&peer_ip) {
        return peer_ip.to_string();
    }
    let hops = forwarded_for(headers).unwrap_or_else(|| x_forwarded_for(headers));
    let mut client = peer_ip.to_string();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip.to_string(),
            Some(ip) => return ip.to_string(),
            None => return hop.trim().to_owned(),
        }
    }
    client
}

/// An IPv4-mapped IPv6 address as IPv4, so `::ffff:10.0.0.1` matches `10.0.0.0/8`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` values of every `Forwarded` header, in order; `None` without the header.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<String>> {
    let mut values = headers.get_all(FORWARDED).iter().peekable();
    values.peek()?;
    let mut hops = Vec::new();
    for value in values {
        let Ok(value) = value.to_str() else {
            hops.push("unreadable".to_owned());
            continue;
        };
        for element in value.split(',') {
            for pair in element.split(';') {
                if let Some((name, value)) = pair.split_once('=')
                    && name.trim().eq_ignore_ascii_case("for")
                {
                    hops.push(value.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    Some(hops)
}

/// The hops of every `X-Forwarded-For` header, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| {
            value
                .to_str()
                .unwrap_or("unreadable")
                .split(',')
                .map(|hop| hop.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|hop| !hop.is_empty())
        .collect()
}

/// An address from a hop: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(canonical(addr.ip()));
    }
    let inner = hop.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    const PROXY: &str = "10.0.0.5:40000";

    #[test]
    fn headers_from_untrusted_peers_are_ignored() {
        let h = headers(&[("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &[]), "10.0.0.5");
        assert_eq!(
            client(PROXY.parse().unwrap(), &h, &nets(&["192.168.0.0/16"])),
            "10.0.0.5"
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client spoofed 6.6.6.6; the proxy appended the real address 3.3.3.3.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 3.3.3.3, 10.0.0.9")]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &trusted), "3.3.3.3");
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "3.3.3.3"),
        ]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &trusted), "3.3.3.3");
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for_and_parses_every_form() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[
            ("x-forwarded-for", "9.9.9.9"),
            (
                "forwarded",
                "for=6.6.6.6;proto=https, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.5",
            ),
        ]);
        assert_eq!(
            client(PROXY.parse().unwrap(), &h, &trusted),
            "2001:db8:cafe::17"
        );
        let h = headers(&[("forwarded", "For=\"4.4.4.4:80\"")]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &trusted), "4.4.4.4");
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &trusted), "unknown");
    }

    #[test]
    fn only_trusted_hops_or_no_header_fall_back_to_the_left_most_trusted() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client(PROXY.parse().unwrap(), &HeaderMap::new(), &trusted),
            "10.0.0.5"
        );
        let h = headers(&[("x-forwarded-for", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(client(PROXY.parse().unwrap(), &h, &trusted), "10.1.1.1");
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_blocks() {
        let trusted = nets(&["127.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "5.5.5.5")]);
        let peer: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().unwrap();
        assert_eq!(client(peer, &h, &trusted), "5.5.5.5");
    }
}
