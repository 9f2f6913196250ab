//! Tests for calendar sources: settings parsing, auth answers, size caps,
//! and downloads from a small HTTP server on loopback.

use super::*;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[test]
fn a_path_is_a_file_source() {
    assert_eq!(
        CalendarSource::parse("/home/me/work.ics").unwrap(),
        CalendarSource::File(PathBuf::from("/home/me/work.ics"))
    );
    assert_eq!(
        CalendarSource::parse("file:///tmp/a.ics").unwrap(),
        CalendarSource::File(PathBuf::from("/tmp/a.ics"))
    );
    let CalendarSource::File(home) = CalendarSource::parse("~/cal.ics").unwrap() else {
        panic!("not a file");
    };
    assert!(home.is_absolute() || home.starts_with("~"));
    assert!(home.ends_with("cal.ics"));
    assert!(CalendarSource::parse("  ").is_err());
}

#[test]
fn a_url_keeps_its_credentials_apart() {
    let source =
        CalendarSource::parse("https://me%40example.com:s%3Acret@dav.example.com/cal/work?export")
            .unwrap();
    let CalendarSource::Url {
        url,
        user,
        password,
    } = &source
    else {
        panic!("not a URL");
    };
    assert_eq!(url.as_str(), "https://dav.example.com/cal/work?export");
    assert_eq!(user.as_deref(), Some("me@example.com"));
    assert_eq!(password.as_deref(), Some("s:cret"));
    let shown = format!("{source:?} {}", source.describe());
    assert!(
        !shown.contains("s:cret") && !shown.contains("s%3Acret"),
        "{shown}"
    );
}

#[test]
fn webcal_is_https_and_other_schemes_are_refused() {
    let CalendarSource::Url { url, user, .. } =
        CalendarSource::parse("webcal://example.com/holidays.ics").unwrap()
    else {
        panic!("not a URL");
    };
    assert_eq!(url.as_str(), "https://example.com/holidays.ics");
    assert_eq!(user, None);
    let err = CalendarSource::parse("ftp://me:secret@example.com/cal.ics").unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(CalendarSource::parse("https://").is_err());
}

fn url() -> Url {
    Url::parse("https://dav.example.com/cal.ics?export").unwrap()
}

#[test]
fn a_basic_challenge_is_answered_with_basic() {
    let challenges = vec!["Basic realm=\"cal\"".to_string()];
    assert_eq!(answer(&challenges, "me", "pw", &url()), Some(Auth::Basic));
}

#[test]
fn a_digest_challenge_is_preferred_and_covers_the_query() {
    let challenges = vec![
        "Basic realm=\"cal\"".to_string(),
        "Digest realm=\"cal\", nonce=\"abc\", qop=\"auth\", algorithm=MD5".to_string(),
    ];
    let Some(Auth::Header(header)) = answer(&challenges, "me", "pw", &url()) else {
        panic!("no digest answer");
    };
    assert!(header.starts_with("Digest "), "{header}");
    assert!(header.contains("uri=\"/cal.ics?export\""), "{header}");
}

#[test]
fn an_unknown_challenge_is_not_answered() {
    let challenges = vec!["Negotiate".to_string(), "Digest garbage é".to_string()];
    assert_eq!(answer(&challenges, "me", "pw", &url()), None);
}

#[test]
fn a_file_over_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ics");
    std::fs::write(&path, vec![b'x'; MAX_CALENDAR_BYTES + 1]).unwrap();
    assert_eq!(read_file(&path).unwrap_err(), SourceError::TooLarge);
    let small = dir.path().join("small.ics");
    std::fs::write(&small, b"BEGIN:VCALENDAR").unwrap();
    assert_eq!(read_file(&small).unwrap(), b"BEGIN:VCALENDAR");
    assert!(file_stamp(&small).is_some());
    let missing = read_file(&dir.path().join("missing.ics")).unwrap_err();
    assert!(matches!(missing, SourceError::File { .. }), "{missing}");
}

/// Serves `count` requests: 401 with `challenge` unless the request has an
/// Authorization header equal to `expected`, else 200 with `body`.
async fn serve(
    count: usize,
    challenge: &'static str,
    expected: &'static str,
    body: Vec<u8>,
) -> (Url, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..count {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let request = String::from_utf8_lossy(&request).into_owned();
            let authorized = request.lines().any(|l| {
                l.to_ascii_lowercase().starts_with("authorization:") && l[14..].trim() == expected
            });
            let head = if authorized {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
            } else {
                format!(
                    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            };
            let _ = stream.write_all(head.as_bytes()).await;
            if authorized {
                let _ = stream.write_all(&body).await;
            }
            let _ = stream.shutdown().await;
            seen.push(request);
        }
        seen
    });
    let url = Url::parse(&format!("http://127.0.0.1:{port}/cal.ics")).unwrap();
    (url, handle)
}

#[tokio::test]
async fn fetch_answers_a_basic_challenge() {
    // "me:pw" in base64.
    let (url, server) = serve(
        2,
        "Basic realm=\"cal\"",
        "Basic bWU6cHc=",
        b"BEGIN:VCALENDAR".to_vec(),
    )
    .await;
    let client = http_client().unwrap();
    let body = fetch(&client, &url, Some("me"), Some("pw")).await.unwrap();
    assert_eq!(body, b"BEGIN:VCALENDAR");
    let seen = server.await.unwrap();
    assert!(!seen[0].to_ascii_lowercase().contains("authorization:"));
}

#[tokio::test]
async fn fetch_without_credentials_is_unauthorized() {
    let (url, _server) = serve(1, "Basic realm=\"cal\"", "x", Vec::new()).await;
    let client = http_client().unwrap();
    assert_eq!(
        fetch(&client, &url, None, None).await.unwrap_err(),
        SourceError::Unauthorized
    );
}

#[tokio::test]
async fn fetch_with_a_wrong_password_stops_after_one_answer() {
    let (url, server) = serve(2, "Basic realm=\"cal\"", "Basic bWU6cHc=", Vec::new()).await;
    let client = http_client().unwrap();
    assert_eq!(
        fetch(&client, &url, Some("me"), Some("wrong"))
            .await
            .unwrap_err(),
        SourceError::Unauthorized
    );
    assert_eq!(server.await.unwrap().len(), 2);
}

#[tokio::test]
async fn fetch_refuses_a_body_over_the_cap() {
    let (url, _server) = serve(
        2,
        "Basic realm=\"cal\"",
        "Basic bWU6cHc=",
        vec![b'x'; MAX_CALENDAR_BYTES + 1],
    )
    .await;
    let client = http_client().unwrap();
    assert_eq!(
        fetch(&client, &url, Some("me"), Some("pw"))
            .await
            .unwrap_err(),
        SourceError::TooLarge
    );
}
