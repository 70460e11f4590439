//! Any bytes as JSON claims: each claim read is judged, and a bad one is an `error` result. A
//! claim the plain reader (the fast path) reads must be the claim serde reads from its text.
#![no_main]

use std::sync::OnceLock;

use claimrules::claim::{read_plain, Claim};
use claimrules::input::{ClaimInput, Claims};
use claimrules::{Engine, EvalOptions, InputFormat};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::standard().expect("the standard pack loads"))
}

fuzz_target!(
    // The standard pack loads before the first input, so that its time is not counted against
    // the per-input timeout.
    init: {
        engine();
    },
    |bytes: &[u8]| {
        for item in Claims::new(bytes, Some(InputFormat::Json)) {
            if let ClaimInput::Json(raw) = &item.claim {
                if let Some(plain) = read_plain(&raw.json) {
                    let by_serde = serde_json::from_str::<Claim>(&raw.json);
                    assert_eq!(Some(&plain), by_serde.as_ref().ok(), "{}", raw.json);
                }
            }
            let _ = engine().evaluate_item(&item.claim, EvalOptions::default().with_explain(true));
        }
    }
);
