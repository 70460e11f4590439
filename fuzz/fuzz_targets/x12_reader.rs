//! Any bytes as an X12 837P interchange: claims or `error` results, never a panic.
#![no_main]

use std::sync::OnceLock;

use claimrules::input::Claims;
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
        for item in Claims::new(bytes, Some(InputFormat::X12)) {
            let _ = engine().evaluate_item(&item.claim, EvalOptions::default());
        }
    }
);
