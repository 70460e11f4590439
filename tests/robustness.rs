//! No input makes the readers panic: arbitrary bytes as a policy, as JSON claims and as X12,
//! in a bounded proptest run (the fuzz targets in `fuzz/` run the same readers unbounded).

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use claimrules::input::Claims;
use claimrules::{Engine, EvalOptions, InputFormat};
use proptest::prelude::*;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::standard().expect("the standard pack loads"))
}

/// Bytes that look like the input at hand often enough to get past the first check.
fn near(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        (proptest::collection::vec(any::<u8>(), 0..60), 0..seed.len()).prop_map(
            move |(noise, at)| {
                let mut bytes = seed.to_vec();
                bytes.splice(at..at, noise);
                bytes
            }
        ),
    ]
}

const CLAIM: &[u8] = br#"{"id":"A","service_date":"2010-03-31","lines":[{"code":"27093","modifiers":["RT"],"units":2},{"code":"77002"}],"documentation":{"guidance":["fluoroscopy"]}}
{"id":"B","service_date":"2024-01-01","lines":[{"code":"99213"}]}"#;

const X12: &[u8] = b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~\nGS*HC*S*R*20240101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~HL*1**20*1~PRV*BI*PXC*207L00000X~HL*2*1*22*0~SBR*P*18*******MB~CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:S82241A~LX*1~SV1*HC:27093:RT*50*UN*1***1~DTP*472*D8*20100331~LX*2~SV1*HC:77002*50*UN*1***1~DTP*472*D8*20100401~SE*14*0001~GE*1*1~IEA*1*000000001~";

const POLICY: &[u8] = include_bytes!("../policies/fluoroscopy.policy");

const NOTE: &[u8] = b"PROCEDURE: CRPP R distal radius fx.\nTwo K-wires were passed under mini C-arm; the fracture site was not exposed. Provisional K-wires were removed... Fluoro time: 1 min 30 s, plus a further 0:45. No further displacement. Plan: ORIF if needed. PMH: s/p IM nail.";

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn json_claims_never_panic(bytes in near(CLAIM)) {
        for item in Claims::new(&bytes[..], Some(InputFormat::Json)) {
            let result = engine().evaluate_item(&item.claim, EvalOptions::default().with_explain(true));
            prop_assert!(result.errors.iter().all(|e| !e.message.is_empty()));
        }
    }

    #[test]
    fn x12_claims_never_panic(bytes in near(X12)) {
        for item in Claims::new(&bytes[..], Some(InputFormat::X12)) {
            engine().evaluate_item(&item.claim, EvalOptions::default());
        }
    }

    #[test]
    fn notes_never_panic_and_spans_hold_their_words(bytes in near(NOTE)) {
        let note = String::from_utf8_lossy(&bytes).into_owned();
        let claim = serde_json::json!({
            "id": "N", "service_date": "2024-03-01", "lines": [{"code": "28406"}],
            "documentation": {"note": note},
        });
        let input = claimrules::ClaimInput::Json(claimrules::RawClaim { json: claim.to_string(), line: 1 });
        let facts = engine().documentation_facts(&input);
        let chars: Vec<char> = note.chars().collect();
        for source in facts.sources.values() {
            if let claimrules::report::FactSource::Note { span, text } = source {
                prop_assert!(span[0] <= span[1] && span[1] <= chars.len());
                let spanned: String = chars[span[0]..span[1]].iter().collect();
                prop_assert_eq!(&spanned, text);
            }
        }
    }

    #[test]
    fn policies_never_panic(bytes in near(POLICY)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = claimrules::syntax::parse_policy(&text);
        let _ = Engine::builder().without_standard_pack().policy("fuzz.policy", text).build();
    }
}

#[test]
fn the_seeds_read_as_they_are() {
    let statuses = |bytes: &[u8], format| {
        Claims::new(bytes, Some(format))
            .map(|item| {
                engine()
                    .evaluate_item(&item.claim, EvalOptions::default())
                    .status
                    .as_str()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(CLAIM, InputFormat::Json), vec!["deny", "pass"]);
    // One result per date of service: 27093 on the 31st, 77002 alone (undocumented) on the 1st.
    assert_eq!(statuses(X12, InputFormat::X12), vec!["pass", "review"]);
    let (_, errors) = claimrules::syntax::parse_policy(&String::from_utf8_lossy(POLICY));
    assert!(errors.is_empty(), "{errors:?}");
}
