//! Any text as a policy file: the parser and the checker give diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = claimrules::syntax::parse_policy(text);
    let _ = claimrules::Engine::builder()
        .without_standard_pack()
        .policy("fuzz.policy", text)
        .build();
});
