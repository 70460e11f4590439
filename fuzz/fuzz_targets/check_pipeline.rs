//! Any bytes through the whole of `claimrules check`: the input's format found by its first
//! byte (`--input auto`), the claims read one by one, judged by the standard pack on worker
//! threads and written in order, as `src/cli/check.rs` wires it. The same bytes run twice,
//! `--explain` off and on; what is written must be well-formed in its format.
#![no_main]

use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

use claimrules::batch::{self, BatchOptions, Progress};
use claimrules::input::Claims;
use claimrules::{Engine, EvalOptions, OutputFormat};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::standard().expect("the standard pack loads"))
}

fn check(bytes: &[u8], explain: bool, format: OutputFormat) -> Vec<u8> {
    let options = BatchOptions {
        // Two workers, so that results judged out of order must still be written in order.
        threads: 2,
        eval: EvalOptions::default().with_explain(explain),
        format,
    };
    let mut out = Vec::new();
    let claims = Claims::new(bytes, None);
    let never = AtomicBool::new(false);
    batch::run(
        engine(),
        claims,
        &mut out,
        options,
        &Progress::default(),
        &never,
    )
    .expect("writing to memory cannot fail");
    out
}

fuzz_target!(
    // The standard pack loads before the first input, so that its time is not counted against
    // the per-input timeout.
    init: {
        engine();
    },
    |bytes: &[u8]| {
        let lines = check(bytes, false, OutputFormat::Ndjson);
        let lines = std::str::from_utf8(&lines).expect("NDJSON output is UTF-8");
        for line in lines.lines() {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
                panic!("an NDJSON result line is not JSON ({e}): {line}");
            }
        }
        let array = check(bytes, true, OutputFormat::Json);
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&array) {
            panic!("the JSON output is not JSON ({e})");
        }
        let _ = check(bytes, true, OutputFormat::Text);
    }
);
