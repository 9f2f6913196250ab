//! Finding the server: `host[:port]` to a socket address, and the local
//! address that routes to it (used for the Contact and Via we advertise).

use std::net::{IpAddr, SocketAddr, UdpSocket};

/// The standard SIP port for UDP and TCP.
pub const DEFAULT_PORT: u16 = 5060;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("the name {0} could not be found")]
    NameNotFound(String),
    #[error("{0} is not a valid host[:port]")]
    Invalid(String),
    #[error("no local address reaches {0}: {1}")]
    NoRoute(SocketAddr, String),
}

/// Splits `host[:port]` (IPv6 in brackets) into host and port.
pub fn split_host_port(s: &str) -> Result<(String, u16), ResolveError> {
    let s = s.trim();
    let invalid = || ResolveError::Invalid(s.to_string());
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(invalid)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| invalid())?,
            None if after.is_empty() => DEFAULT_PORT,
            None => return Err(invalid()),
        };
        return Ok((host.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((h.to_string(), p.parse().map_err(|_| invalid())?)),
        Some(_) => Ok((s.to_string(), DEFAULT_PORT)), // bare IPv6
        None if s.is_empty() => Err(invalid()),
        None => Ok((s.to_string(), DEFAULT_PORT)),
    }
}

/// Resolves `host[:port]` through the system resolver (hosts file, DNS).
pub async fn resolve(host_port: &str) -> Result<SocketAddr, ResolveError> {
    let (host, port) = split_host_port(host_port)?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let found = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| ResolveError::NameNotFound(host.clone()))?
        .collect::<Vec<_>>();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or(ResolveError::NameNotFound(host))
}

/// The local IP address the OS would use to reach `target` (no packet is sent).
pub fn local_ip_for(target: SocketAddr) -> Result<IpAddr, ResolveError> {
    let bind: SocketAddr = if target.is_ipv4() {
        "0.0.0.0:0".parse().expect("literal")
    } else {
        "[::]:0".parse().expect("literal")
    };
    let sock = UdpSocket::bind(bind).map_err(|e| ResolveError::NoRoute(target, e.to_string()))?;
    sock.connect(target)
        .map_err(|e| ResolveError::NoRoute(target, e.to_string()))?;
    Ok(sock
        .local_addr()
        .map_err(|e| ResolveError::NoRoute(target, e.to_string()))?
        .ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_host_and_port() {
        assert_eq!(split_host_port("a.b:5070").unwrap(), ("a.b".into(), 5070));
        assert_eq!(split_host_port("a.b").unwrap(), ("a.b".into(), 5060));
        assert_eq!(split_host_port("[::1]:5070").unwrap(), ("::1".into(), 5070));
        assert_eq!(split_host_port("[::1]").unwrap(), ("::1".into(), 5060));
        assert!(split_host_port("a.b:x").is_err());
        assert!(split_host_port("").is_err());
    }

    #[tokio::test]
    async fn resolves_literals_and_localhost() {
        assert_eq!(
            resolve("127.0.0.1:5070").await.unwrap(),
            "127.0.0.1:5070".parse().unwrap()
        );
        assert!(resolve("localhost:5070").await.unwrap().ip().is_loopback());
    }

    #[tokio::test]
    async fn unknown_name_is_name_not_found() {
        assert!(matches!(
            resolve("no-such-host.invalid").await,
            Err(ResolveError::NameNotFound(_))
        ));
    }

    #[test]
    fn loopback_routes_via_loopback() {
        let ip = local_ip_for("127.0.0.1:5060".parse().unwrap()).unwrap();
        assert!(ip.is_loopback());
    }
}
