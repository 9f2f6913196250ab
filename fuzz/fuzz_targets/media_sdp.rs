//! `hark::media::sdp::parse` on arbitrary bytes; a parsed description must be
//! written and read back equal, and the answer `offer_answer::answer` gives
//! with Hark's default codecs must parse again and be accepted by
//! `accept_answer` with the same codec. Refusals must be 488.
#![no_main]

use hark::media::offer_answer::{accept_answer, answer, LocalMedia};
use hark::media::sdp::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let offer = match parse(data) {
        Ok(offer) => offer,
        Err(e) => {
            assert_eq!(e.status(), 488);
            return;
        }
    };
    let written = offer.to_string();
    let reread = parse(written.as_bytes()).expect("written SDP must parse");
    assert_eq!(
        reread, offer,
        "written SDP must read back equal:\n{written}"
    );
    let local = LocalMedia::new("192.0.2.10".parse().unwrap(), 20000, 1);
    match answer(&offer, &local) {
        Ok(a) => {
            let text = a.sdp.to_string();
            let back = parse(text.as_bytes()).expect("answer must parse");
            let n = accept_answer(&offer, &back).expect("answer must be acceptable to its offer");
            assert_eq!(n.codec, a.negotiated.codec);
        }
        Err(r) => assert_eq!(r.status, 488),
    }
});
