//! Digest authentication for SIP (RFC 3261 §22, RFC 8760): answers a
//! WWW-Authenticate or Proxy-Authenticate challenge with MD5, SHA-256 or
//! SHA-512-256, with or without qop. The hashing is the `digest_auth`
//! crate's; this module only adapts it to SIP (method, Request-URI).

use digest_auth::{AuthContext, HttpMethod, WwwAuthenticateHeader};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("the server's challenge could not be read: {0}")]
    BadChallenge(String),
    #[error("the server asks for an authentication scheme Hark does not know: {0}")]
    UnsupportedScheme(String),
}

/// A parsed challenge, ready to be answered (several times: `nc` grows).
#[derive(Debug, Clone)]
pub struct Challenge {
    header: WwwAuthenticateHeader,
    /// The server said our last answer used an expired nonce.
    pub stale: bool,
}

impl Challenge {
    /// Parses the value of a WWW-Authenticate / Proxy-Authenticate header.
    pub fn parse(value: &str) -> Result<Challenge, DigestError> {
        let v = value.trim();
        let scheme = v.split_whitespace().next().unwrap_or("");
        if !scheme.eq_ignore_ascii_case("digest") {
            return Err(DigestError::UnsupportedScheme(scheme.to_string()));
        }
        // digest_auth's parser slices the header with char counts as byte
        // offsets, so any non-ASCII character panics it or misreads names.
        if !v.is_ascii() {
            return Err(DigestError::BadChallenge(
                "the challenge holds non-ASCII characters".to_string(),
            ));
        }
        // digest_auth wants exactly "Digest"; schemes are case-insensitive.
        let normalized = format!("Digest{}", &v[scheme.len()..]);
        let header = digest_auth::parse(&normalized)
            .map_err(|e| DigestError::BadChallenge(e.to_string()))?;
        Ok(Challenge {
            stale: header.stale,
            header,
        })
    }

    pub fn realm(&self) -> &str {
        &self.header.realm
    }

    /// The Authorization / Proxy-Authorization value for `method` on `uri`.
    pub fn answer(
        &mut self,
        user: &str,
        password: &str,
        method: &str,
        uri: &str,
    ) -> Result<String, DigestError> {
        let ctx = AuthContext::new_with_method(
            user,
            password,
            uri,
            Option::<&[u8]>::None,
            HttpMethod(method.to_string().into()),
        );
        self.header
            .respond(&ctx)
            .map(|h| h.to_header_string())
            .map_err(|e| DigestError::BadChallenge(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(h: &'a str, name: &str) -> &'a str {
        let start = h.find(&format!("{name}=")).unwrap() + name.len() + 1;
        let rest = &h[start..];
        let rest = rest.strip_prefix('"').unwrap_or(rest);
        let end = rest.find(['"', ',']).unwrap_or(rest.len());
        &rest[..end]
    }

    #[test]
    fn answers_rfc_2617_style_md5_without_qop() {
        // RFC 3261 style challenge; response = MD5(HA1:nonce:HA2).
        let mut c = Challenge::parse(r#"Digest realm="hark.test", nonce="abc123""#).unwrap();
        let a = c
            .answer("alice", "s3cret", "REGISTER", "sip:hark.test")
            .unwrap();
        let ha1 = format!("{:x}", md5_hex("alice:hark.test:s3cret"));
        let ha2 = format!("{:x}", md5_hex("REGISTER:sip:hark.test"));
        let want = format!("{:x}", md5_hex(&format!("{ha1}:abc123:{ha2}")));
        assert_eq!(field(&a, "response"), want, "{a}");
        assert_eq!(field(&a, "uri"), "sip:hark.test");
    }

    // A tiny MD5 through digest_auth's own algorithm type, to avoid a dev-dependency.
    fn md5_hex(s: &str) -> Hex {
        Hex(digest_auth::Algorithm::new(digest_auth::AlgorithmType::MD5, false).hash_str(s))
    }
    struct Hex(String);
    impl std::fmt::LowerHex for Hex {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    #[test]
    fn answers_sha256_with_qop_auth() {
        let mut c = Challenge::parse(
            r#"Digest realm="hark.test", nonce="n0nce", qop="auth", algorithm=SHA-256"#,
        )
        .unwrap();
        let a = c
            .answer("alice", "s3cret", "REGISTER", "sip:hark.test")
            .unwrap();
        assert_eq!(field(&a, "algorithm"), "SHA-256", "{a}");
        assert_eq!(field(&a, "qop"), "auth");
        assert_eq!(field(&a, "nc"), "00000001");
        assert_eq!(field(&a, "response").len(), 64);
        // The next answer to the same nonce counts up.
        let b = c
            .answer("alice", "s3cret", "REGISTER", "sip:hark.test")
            .unwrap();
        assert_eq!(field(&b, "nc"), "00000002");
    }

    #[test]
    fn scheme_is_case_insensitive_and_stale_is_seen() {
        let c = Challenge::parse(r#"digest realm="r", nonce="n", stale=TRUE"#).unwrap();
        assert!(c.stale);
        assert_eq!(c.realm(), "r");
    }

    #[test]
    fn bad_challenges_are_errors_not_panics() {
        for v in [
            "",
            "Basic realm=\"x\"",
            "Digest",
            "Digest nonce=\"n\"",
            "Digest realm=\"unterminated",
            "Digest realm=\"r\", nonce=\"n\", algorithm=ROT13",
            "Digest \u{0}\u{ffff}",
        ] {
            assert!(Challenge::parse(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn non_ascii_challenge_is_an_error_not_a_panic() {
        // Found by fuzz/fuzz_targets/sip_digest.rs: a multi-byte character
        // before an `=` made digest_auth slice inside it and panic.
        for v in [
            "Digest real\u{fffd}=\"r\", nonce=\"n\"",
            "Digest \u{fc}=x, realm=\"r\", nonce=\"n\"",
            "Digest realm=\"h\u{e4}rk\", nonce=\"n\"",
        ] {
            assert!(
                matches!(Challenge::parse(v), Err(DigestError::BadChallenge(_))),
                "{v:?}"
            );
        }
    }
}
