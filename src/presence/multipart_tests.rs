use super::*;

/// RFC 2387 §5.1 (the fixed-record example), header folded as in the RFC,
/// including its missing `;` between parameters.
const RFC2387_CONTENT_TYPE: &str = "Multipart/Related; boundary=example-1\r\n        start=\"<950120.aaCC@XIson.com>\";\r\n        type=\"Application/X-FixedRecord\"\r\n        start-info=\"-o ps\"";

const RFC2387_BODY: &str = "--example-1\r
Content-Type: Application/X-FixedRecord\r
Content-ID: <950120.aaCC@XIson.com>\r
\r
25\r
10\r
34\r
10\r
25\r
21\r
26\r
10\r
--example-1\r
Content-Type: Application/octet-stream\r
Content-Description: The fixed length records\r
Content-Transfer-Encoding: base64\r
Content-ID: <950120.aaCB@XIson.com>\r
\r
T2xkIE1hY0RvbmFsZCBoYWQgYSBmYXJtCkUgSS\r
BFIEkgTwpBbmQgb24gaGlzIGZhcm0gaGUgaGFk\r
IHNvbWUgZHVja3MKRSBJIEUgSSBPCldpdGggYS\r
BxdWFjayBxdWFjayBoZXJlLAphIHF1YWNrIHF1\r
YWNrIHRoZXJlLApldiclcnl3aGVyZSBhIHF1YWNrIHF1YWNrCkUgSSBFIEkgTwo=\r
--example-1--\r
";

#[test]
fn rfc2387_example() {
    let mp = parse(RFC2387_CONTENT_TYPE, RFC2387_BODY.as_bytes()).unwrap();
    assert!(mp.content_type.is("multipart/related"));
    assert_eq!(mp.content_type.param("boundary"), Some("example-1"));
    assert_eq!(
        mp.content_type.param("TYPE"),
        Some("Application/X-FixedRecord")
    );
    assert_eq!(mp.content_type.param("start-info"), Some("-o ps"));
    assert_eq!(mp.parts.len(), 2);

    let root = mp.root().unwrap();
    assert_eq!(root.content_id.as_deref(), Some("950120.aaCC@XIson.com"));
    assert!(root.content_type.is("application/x-fixedrecord"));
    assert_eq!(
        root.content().unwrap(),
        b"25\r\n10\r\n34\r\n10\r\n25\r\n21\r\n26\r\n10"
    );

    let data = mp.part_by_cid("<950120.aaCB@XIson.com>").unwrap();
    assert_eq!(
        data.other_headers,
        vec![(
            "Content-Description".to_owned(),
            "The fixed length records".to_owned()
        )]
    );
    assert_eq!(
        data.content(),
        Err(MultipartError::UnsupportedTransferEncoding {
            content_id: Some("950120.aaCB@XIson.com".into()),
            encoding: "base64".into()
        })
    );
}

#[test]
fn content_type_forms() {
    let ct = ContentType::parse(
        "MULTIPART/Related;TYPE=\"application/rlmi+xml\";Start=\"<nXYxAE@pres.example.com>\";Boundary=\"50UBfW7LSCVLtggUPe5z\"",
    )
    .unwrap();
    assert_eq!(ct.mime_type, "multipart/related");
    assert_eq!(ct.param("type"), Some("application/rlmi+xml"));
    assert_eq!(ct.param("start"), Some("<nXYxAE@pres.example.com>"));
    assert_eq!(ct.param("boundary"), Some("50UBfW7LSCVLtggUPe5z"));

    let unquoted =
        ContentType::parse("multipart/related ; type=application/rlmi+xml ; boundary=abc ;")
            .unwrap();
    assert_eq!(unquoted.param("type"), Some("application/rlmi+xml"));
    assert_eq!(unquoted.param("boundary"), Some("abc"));

    let escaped = ContentType::parse(r#"text/plain; title="a \"b\"; c""#).unwrap();
    assert_eq!(escaped.param("title"), Some(r#"a "b"; c"#));
    assert_eq!(
        ContentType::parse(&escaped.to_header_value()).unwrap(),
        escaped
    );

    for bad in [
        "",
        "text",
        "/plain",
        "text/plain; a",
        "text/plain; a=\"open",
        "te xt/plain",
    ] {
        assert!(
            matches!(
                ContentType::parse(bad),
                Err(MultipartError::BadContentType(_))
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn boundary_with_specials_inside_quoted_parameter() {
    let ct = "multipart/related; boundary=\"a;b=c d:e\"; type=text/plain";
    let body = b"--a;b=c d:e\r\n\r\none\r\n--a;b=c d:e\r\n\r\ntwo\r\n--a;b=c d:e--\r\n";
    let mp = parse(ct, body).unwrap();
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(mp.parts[0].body, b"one");
    assert_eq!(mp.parts[1].body, b"two");
    assert!(mp.parts[0].content_type.is("text/plain"), "default type");
}

#[test]
fn lf_only_preamble_epilogue_and_padding() {
    let ct = "multipart/related;boundary=xyz";
    let body = b"This is a preamble.\n--xyz \t\nContent-ID: <a@b>\n\nfirst\nline\n--xyz\nContent-Type: text/plain\n\nsecond\n--xyz--  \nThis is the epilogue.\n--xyz\nnot a part\n";
    let mp = parse(ct, body).unwrap();
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(mp.parts[0].content_id.as_deref(), Some("a@b"));
    assert_eq!(mp.parts[0].body, b"first\nline");
    assert_eq!(mp.parts[1].body, b"second");
    assert_eq!(mp.root().unwrap().content_id.as_deref(), Some("a@b"));
}

#[test]
fn boundary_lookalikes_inside_content_are_not_delimiters() {
    let ct = "multipart/related;boundary=b1";
    let body = b"--b1\r\n\r\nx --b1 y\r\n--b1x is longer\r\n--b1\r\n\r\nz\r\n--b1--";
    let mp = parse(ct, body).unwrap();
    assert_eq!(mp.parts.len(), 2);
    assert_eq!(mp.parts[0].body, b"x --b1 y\r\n--b1x is longer");
    assert_eq!(mp.parts[1].body, b"z");
}

#[test]
fn headers_folded_and_content_id_without_brackets() {
    let ct = "multipart/related;boundary=q;start=\"<r@x>\"";
    let body = b"--q\r\nContent-ID: s@x\r\n\r\nsecond\r\n--q\r\nContent-Type: application/rlmi+xml;\r\n charset=\"UTF-8\"\r\ncontent-id:   <r@x>  \r\nContent-Transfer-Encoding: 8BIT\r\n\r\nroot\r\n--q--\r\n";
    let mp = parse(ct, body).unwrap();
    let root = mp.root().unwrap();
    assert_eq!(root.body, b"root");
    assert_eq!(root.content_type.param("charset"), Some("UTF-8"));
    assert_eq!(root.transfer_encoding.as_deref(), Some("8bit"));
    assert_eq!(root.content().unwrap(), b"root");
    assert!(mp.part_by_cid("s@x").is_some());
    assert!(mp.part_by_cid("<s@x>").is_some());
    assert!(mp.part_by_cid("none@x").is_none());
}

#[test]
fn start_naming_no_part_gives_no_root() {
    let mp = parse(
        "multipart/related;boundary=q;start=\"<missing@x>\"",
        b"--q\r\nContent-ID: <a@x>\r\n\r\na\r\n--q--\r\n",
    )
    .unwrap();
    assert!(mp.root().is_none());
}

#[test]
fn part_without_blank_line_has_headers_only() {
    let mp = parse(
        "multipart/related;boundary=q",
        b"--q\r\nContent-ID: <a@x>\r\n--q\r\n\r\n\r\n--q--",
    )
    .unwrap();
    assert_eq!(mp.parts[0].content_id.as_deref(), Some("a@x"));
    assert!(mp.parts[0].body.is_empty());
    assert!(mp.parts[1].body.is_empty());
}

#[test]
fn typed_errors() {
    let body = b"--q\r\n\r\nx\r\n--q--";
    assert_eq!(
        parse("multipart/related", body),
        Err(MultipartError::NoBoundary)
    );
    assert_eq!(
        parse("multipart/related;boundary=\"\"", body),
        Err(MultipartError::BadBoundary)
    );
    assert_eq!(
        parse("application/pidf+xml;boundary=q", body),
        Err(MultipartError::NotMultipart("application/pidf+xml".into()))
    );
    assert_eq!(
        parse("multipart/related;boundary=zz", body),
        Err(MultipartError::NoParts)
    );
    assert_eq!(
        parse(
            "multipart/related;boundary=q",
            b"--q\r\n\r\nx\r\n--q\r\n\r\ny"
        ),
        Err(MultipartError::Unterminated)
    );
    assert_eq!(
        parse("multipart/related;boundary=q", b""),
        Err(MultipartError::NoParts)
    );
    let huge = vec![b'a'; MAX_BODY_BYTES + 1];
    assert_eq!(
        parse("multipart/related;boundary=q", &huge),
        Err(MultipartError::TooLarge(MAX_BODY_BYTES + 1))
    );
}

#[test]
fn too_many_tiny_parts_is_refused_quickly() {
    let mut body = Vec::new();
    for _ in 0..100_000 {
        body.extend_from_slice(b"--q\n\n");
    }
    body.extend_from_slice(b"--q--\n");
    let start = std::time::Instant::now();
    assert_eq!(
        parse("multipart/related;boundary=q", &body),
        Err(MultipartError::TooManyParts)
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn max_parts_is_accepted() {
    let mut body = Vec::new();
    for i in 0..MAX_PARTS {
        body.extend_from_slice(format!("--q\r\nContent-ID: <{i}@x>\r\n\r\n{i}\r\n").as_bytes());
    }
    body.extend_from_slice(b"--q--\r\n");
    let mp = parse("multipart/related;boundary=q", &body).unwrap();
    assert_eq!(mp.parts.len(), MAX_PARTS);
    assert_eq!(mp.part_by_cid("9999@x").unwrap().body, b"9999");
}

#[test]
fn long_lines_without_delimiters_scan_linearly() {
    // Many near-miss delimiters: each "--q" not at a line start or followed by junk.
    let mut body = b"--q\r\n\r\n".to_vec();
    for _ in 0..200_000 {
        body.extend_from_slice(b"x--q\n--qz");
    }
    body.extend_from_slice(b"\r\n--q--");
    let start = std::time::Instant::now();
    let mp = parse("multipart/related;boundary=q", &body).unwrap();
    assert_eq!(mp.parts.len(), 1);
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

/// Wrap `inner` (a multipart body with boundary `b{level}`) `levels` times.
fn nested_bomb(levels: usize) -> (String, Vec<u8>) {
    let mut body = b"--b0\r\n\r\nleaf\r\n--b0--".to_vec();
    for level in 1..=levels {
        let inner = level - 1;
        let mut outer =
            format!("--b{level}\r\nContent-Type: multipart/related;boundary=b{inner}\r\n\r\n")
                .into_bytes();
        outer.extend_from_slice(&body);
        outer.extend_from_slice(format!("\r\n--b{level}--").as_bytes());
        body = outer;
    }
    (format!("multipart/related;boundary=b{levels}"), body)
}

#[test]
fn nested_multipart_within_the_limit() {
    let (ct, body) = nested_bomb(MAX_NESTING);
    let mut mp = parse(&ct, &body).unwrap();
    while mp.parts[0].content_type.is_multipart() {
        mp = mp.nested(&mp.parts[0]).unwrap();
    }
    assert_eq!(mp.depth, MAX_NESTING);
    assert_eq!(mp.parts[0].body, b"leaf");
}

#[test]
fn nested_multipart_bomb_is_refused() {
    let (ct, body) = nested_bomb(MAX_NESTING + 3);
    let mut mp = parse(&ct, &body).unwrap();
    let error = loop {
        match mp.nested(&mp.parts[0]) {
            Ok(inner) => mp = inner,
            Err(e) => break e,
        }
    };
    assert_eq!(error, MultipartError::TooDeep);
    assert_eq!(mp.depth, MAX_NESTING);
}

#[test]
fn build_then_parse_round_trip() {
    let mut root = Part::new(
        ContentType::new("application/rlmi+xml").with_param("charset", "UTF-8"),
        Some("root@hark"),
        b"<list/>".to_vec(),
    );
    root.transfer_encoding = Some("binary".into());
    let mut doc = Part::new(
        ContentType::new("application/pidf+xml"),
        Some("doc@hark"),
        b"line one\r\n--hark-looks-like-a-boundary\r\n\r\n".to_vec(),
    );
    doc.other_headers
        .push(("Content-Description".into(), "a pidf".into()));
    let empty = Part::new(ContentType::new("text/plain"), None, Vec::new());
    let parts = vec![root, doc, empty];

    let (content_type, body) = build_related(&parts);
    let ct = ContentType::parse(&content_type).unwrap();
    assert_eq!(ct.param("type"), Some("application/rlmi+xml"));
    assert_eq!(ct.param("start"), Some("<root@hark>"));
    let mp = parse(&content_type, &body).unwrap();
    assert_eq!(mp.parts, parts);
    assert_eq!(mp.root(), Some(&parts[0]));

    // Deterministic, and rebuilding the parsed parts gives the same bytes.
    assert_eq!(build_related(&mp.parts), (content_type, body));
}

#[test]
fn built_boundary_avoids_part_content() {
    // The boundary is derived from the first 4 KiB of the parts: a part with
    // the same first 4 KiB that also holds that boundary forces a retry.
    let prefix = vec![b'a'; 4096];
    let probe = vec![Part::new(
        ContentType::new("text/plain"),
        None,
        prefix.clone(),
    )];
    let (ct, _) = build_related(&probe);
    let first = ContentType::parse(&ct)
        .unwrap()
        .param("boundary")
        .unwrap()
        .to_owned();
    let mut tricky_body = prefix;
    tricky_body.extend_from_slice(format!("\r\n--{first}--\r\n").as_bytes());
    let tricky = vec![Part::new(ContentType::new("text/plain"), None, tricky_body)];
    let (ct, body) = build_related(&tricky);
    let second = ContentType::parse(&ct)
        .unwrap()
        .param("boundary")
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    assert_eq!(parse(&ct, &body).unwrap().parts, tricky);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut seed: u32 = 12345;
    let alphabet = b"-q\r\n :;<>\"xContent-ID";
    for _ in 0..2_000 {
        let len = (seed % 200) as usize;
        let mut body = Vec::with_capacity(len);
        for _ in 0..len {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            body.push(alphabet[(seed >> 16) as usize % alphabet.len()]);
        }
        if let Ok(mp) = parse("multipart/related;boundary=q", &body) {
            let _ = mp.root();
            for part in &mp.parts {
                let _ = part.content();
                let _ = mp.nested(part);
            }
        }
        let text = String::from_utf8_lossy(&body);
        let _ = ContentType::parse(&text);
    }
}
