//! Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
//! with the timestamp checked against a tolerance and the comparison in constant time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    MissingHeaders,
    BadTimestamp,
    Expired,
    Mismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::MissingHeaders => "the request is not signed: webhook-id, webhook-timestamp and webhook-signature are required",
            SignatureError::BadTimestamp => "webhook-timestamp is not a Unix time in seconds",
            SignatureError::Expired => "webhook-timestamp is too far from now (a replayed or delayed request?)",
            SignatureError::Mismatch => "the signature does not match the body",
        })
    }
}

/// The key bytes of a secret: `whsec_<base64>` as Standard Webhooks writes them, or raw text.
fn key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|b| STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

fn mac(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` value for a body (what a sender computes).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, id, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// Checks a request's signature headers. `now` is Unix seconds.
pub fn verify(
    secret: &str,
    id: Option<&str>,
    timestamp: Option<&str>,
    signatures: Option<&str>,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let (Some(id), Some(ts), Some(sigs)) = (id, timestamp, signatures) else {
        return Err(SignatureError::MissingHeaders);
    };
    let t: i64 = ts
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if (now - t).abs() > tolerance_secs {
        return Err(SignatureError::Expired);
    }
    for candidate in sigs.split_whitespace() {
        let Some(b64) = candidate.strip_prefix("v1,") else {
            continue;
        };
        let Ok(tag) = STANDARD.decode(b64) else {
            continue;
        };
        // verify_slice compares in constant time.
        if mac(secret, id, ts.trim(), body).verify_slice(&tag).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn a_signed_body_verifies_and_a_changed_one_does_not() {
        let sig = sign(SECRET, "msg_1", 1_700_000_000, b"{\"a\":1}");
        let ok = verify(
            SECRET,
            Some("msg_1"),
            Some("1700000000"),
            Some(&sig),
            b"{\"a\":1}",
            1_700_000_010,
            300,
        );
        assert_eq!(ok, Ok(()));
        let bad = verify(
            SECRET,
            Some("msg_1"),
            Some("1700000000"),
            Some(&sig),
            b"{\"a\":2}",
            1_700_000_010,
            300,
        );
        assert_eq!(bad, Err(SignatureError::Mismatch));
        let other_key = verify(
            "whsec_b3RoZXI=",
            Some("msg_1"),
            Some("1700000000"),
            Some(&sig),
            b"{\"a\":1}",
            1_700_000_010,
            300,
        );
        assert_eq!(other_key, Err(SignatureError::Mismatch));
    }

    #[test]
    fn old_timestamps_and_missing_headers_are_refused() {
        let sig = sign(SECRET, "msg_1", 1_700_000_000, b"x");
        assert_eq!(
            verify(
                SECRET,
                Some("msg_1"),
                Some("1700000000"),
                Some(&sig),
                b"x",
                1_700_001_000,
                300
            ),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify(
                SECRET,
                None,
                Some("1700000000"),
                Some(&sig),
                b"x",
                1_700_000_000,
                300
            ),
            Err(SignatureError::MissingHeaders)
        );
        // Several signatures (key rotation): any one that matches is enough.
        let both = format!("v1,AAAA {sig}");
        assert_eq!(
            verify(
                SECRET,
                Some("msg_1"),
                Some("1700000000"),
                Some(&both),
                b"x",
                1_700_000_000,
                300
            ),
            Ok(())
        );
    }
}
