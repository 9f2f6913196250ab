//! One SIP account's settings and their validation. The first-run form and
//! the config loader share [`AccountConfig::validate`], so a bad SIP address
//! gets the same plain explanation wherever it comes from.

use rsipstack::sip::Uri;
use serde::{Deserialize, Serialize};

/// How SIP messages travel to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    #[default]
    Udp,
    Tcp,
}

impl Transport {
    pub const ALL: [Transport; 2] = [Transport::Udp, Transport::Tcp];

    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str().to_uppercase())
    }
}

fn default_expires() -> u32 {
    600
}

fn is_default_expires(v: &u32) -> bool {
    *v == default_expires()
}

/// Settings of one SIP account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountConfig {
    /// The address of record, e.g. `sip:alice@example.com`.
    pub address: String,
    /// Password; absent when it lives in the OS keyring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Registrar / outbound proxy as `host[:port]`; the address's domain when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default)]
    pub transport: Transport,
    /// Name shown to others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Digest user name when it differs from the address's user part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_user: Option<String>,
    /// Requested registration lifetime in seconds.
    #[serde(
        default = "default_expires",
        skip_serializing_if = "is_default_expires"
    )]
    pub expires: u32,
    /// Seconds between keep-alives to the server (detects a lost server); 0 turns them off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keepalive_secs: Option<u32>,
    /// XCAP root URL of the presence server, for the contact list and who
    /// may see us (`http://xcap.example.com/xcap-root`); none: kept locally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xcap_root: Option<String>,
    /// Watch contacts' phone lines (ringing, in a call) with the dialog
    /// event package: one more subscription per contact. On when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_lamp: Option<bool>,
}

/// A field of the account form, for pointing at what is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountField {
    Address,
    Password,
    Server,
}

/// What is wrong with a field, in terms the UI can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountProblem {
    Empty,
    /// Not of the form `user@domain` / `sip:user@domain`.
    NotSipAddress,
    /// No user part before the `@`.
    NoUser,
    /// The host part is not a valid host name or IP address.
    BadHost,
    /// The port is not a number from 1 to 65535.
    BadPort,
}

impl AccountProblem {
    /// English description, for logs and the config loader.
    pub fn describe(self) -> &'static str {
        match self {
            AccountProblem::Empty => "is empty",
            AccountProblem::NotSipAddress => "is not a SIP address like sip:alice@example.com",
            AccountProblem::NoUser => "has no user name before the @",
            AccountProblem::BadHost => "has a host name that is not valid",
            AccountProblem::BadPort => "has a port that is not a number from 1 to 65535",
        }
    }
}

impl AccountConfig {
    /// An account with defaults for everything but the address.
    pub fn new(address: impl Into<String>) -> Self {
        AccountConfig {
            address: address.into(),
            password: None,
            server: None,
            transport: Transport::Udp,
            display_name: None,
            auth_user: None,
            expires: default_expires(),
            keepalive_secs: None,
            xcap_root: None,
            busy_lamp: None,
        }
    }

    /// The digest user name: `auth_user`, else the address's user part.
    pub fn auth_user_name(&self) -> &str {
        self.auth_user.as_deref().unwrap_or_else(|| self.user())
    }

    /// Turns what a person typed (`alice@example.com`, `sip:alice@example.com`)
    /// into the canonical `sip:user@host` form, or says what is wrong.
    pub fn normalize_address(input: &str) -> Result<String, AccountProblem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(AccountProblem::Empty);
        }
        let rest = match s.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sip") => rest,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("sips") => {
                return Err(AccountProblem::NotSipAddress)
            }
            _ => s,
        };
        let Some((user, host)) = rest.split_once('@') else {
            return Err(AccountProblem::NotSipAddress);
        };
        if user.is_empty() {
            return Err(AccountProblem::NoUser);
        }
        if user
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '<' || c == '>')
        {
            return Err(AccountProblem::NotSipAddress);
        }
        validate_host_port(host)?;
        let canonical = format!("sip:{user}@{host}");
        Uri::try_from(canonical.as_str()).map_err(|_| AccountProblem::NotSipAddress)?;
        Ok(canonical)
    }

    /// Checks every field; an empty list means the account can be used.
    pub fn validate(&self) -> Vec<(AccountField, AccountProblem)> {
        let mut problems = Vec::new();
        if let Err(p) = Self::normalize_address(&self.address) {
            problems.push((AccountField::Address, p));
        }
        if let Some(server) = &self.server {
            let server = server.trim();
            if !server.is_empty() {
                if let Err(p) = validate_host_port(server) {
                    problems.push((AccountField::Server, p));
                }
            }
        }
        problems
    }

    /// The user part of the address (`alice` in `sip:alice@example.com`).
    pub fn user(&self) -> &str {
        let rest = self.address.trim().trim_start_matches("sip:");
        rest.split_once('@').map(|(u, _)| u).unwrap_or(rest)
    }

    /// The domain part of the address, with any port.
    pub fn domain(&self) -> &str {
        let rest = self.address.trim();
        rest.split_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// Validates `host[:port]` where host is a DNS name, IPv4 or `[IPv6]`.
pub(crate) fn validate_host_port(s: &str) -> Result<(), AccountProblem> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AccountProblem::Empty);
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or(AccountProblem::BadHost)?;
        h.parse::<std::net::Ipv6Addr>()
            .map_err(|_| AccountProblem::BadHost)?;
        match after {
            "" => return Ok(()),
            p => (
                None,
                Some(p.strip_prefix(':').ok_or(AccountProblem::BadHost)?),
            ),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        }
    };
    if let Some(host) = host {
        let valid_label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if host.is_empty() || host.len() > 253 || !host.split('.').all(valid_label) {
            return Err(AccountProblem::BadHost);
        }
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(AccountProblem::BadPort),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_what_people_type() {
        assert_eq!(
            AccountConfig::normalize_address(" alice@example.com ").unwrap(),
            "sip:alice@example.com"
        );
        assert_eq!(
            AccountConfig::normalize_address("SIP:bob@10.0.0.1:5070").unwrap(),
            "sip:bob@10.0.0.1:5070"
        );
    }

    #[test]
    fn names_what_is_wrong_with_an_address() {
        use AccountProblem::*;
        let cases = [
            ("", Empty),
            ("alice", NotSipAddress),
            ("@example.com", NoUser),
            ("alice@", Empty),
            ("alice@exa mple.com", BadHost),
            ("alice@example.com:99999", BadPort),
            ("alice@example.com:0", BadPort),
            ("tel:+123", NotSipAddress),
            ("sips:alice@example.com", NotSipAddress),
            ("al ice@example.com", NotSipAddress),
        ];
        for (input, want) in cases {
            assert_eq!(
                AccountConfig::normalize_address(input),
                Err(want),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn validates_server_and_accepts_ipv6() {
        let mut a = AccountConfig::new("sip:alice@example.com");
        a.server = Some("[::1]:5060".into());
        assert!(a.validate().is_empty());
        a.server = Some("proxy..example.com".into());
        assert_eq!(
            a.validate(),
            vec![(AccountField::Server, AccountProblem::BadHost)]
        );
        a.server = Some("proxy.example.com:x".into());
        assert_eq!(
            a.validate(),
            vec![(AccountField::Server, AccountProblem::BadPort)]
        );
    }

    #[test]
    fn user_and_domain() {
        let a = AccountConfig::new("sip:alice@hark.test:5070");
        assert_eq!(a.user(), "alice");
        assert_eq!(a.domain(), "hark.test:5070");
    }
}
