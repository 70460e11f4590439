//! Any text as an operative note, read with the standard pack's vocabulary.
#![no_main]

use std::sync::OnceLock;

use claimrules::Engine;
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
        let note = String::from_utf8_lossy(bytes);
        let program = engine().program();
        let _ = claimrules::note::read_note(&program.vocabulary, &note);
    }
);
