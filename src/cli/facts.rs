//! `claimrules facts`: each claim's documentation facts after its note is read, one JSON
//! object a line, so that an auditor or a test can see what the note settled and from which
//! words.

use std::io::{self, Write};

use super::inputs::{open_inputs, ChainedInputs};
use super::load::load_engine;
use super::output::fail;
use super::{FactsArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: FactsArgs) -> u8 {
    // The claims first: a wrong path fails at once, before the packs and their tables load.
    let Some(inputs) = open_inputs(&args.claims) else {
        return EXIT_FAILURE;
    };
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut errors = false;
    let mut line = Vec::new();
    for item in ChainedInputs::new(inputs, args.input.format()) {
        let facts = engine.documentation_facts(&item.claim);
        errors |= !facts.errors.is_empty();
        line.clear();
        if let Err(e) = serde_json::to_writer(&mut line, &facts) {
            fail(format!("cannot write the facts: {e}"));
            return EXIT_FAILURE;
        }
        line.push(b'\n');
        if let Err(e) = out.write_all(&line) {
            return write_failed(&e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(&e);
    }
    if errors {
        EXIT_FINDINGS
    } else {
        EXIT_PASS
    }
}

fn write_failed(e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        fail("the output was closed before every claim's facts were written (broken pipe)");
    } else {
        fail(format!("cannot write the facts: {e}"));
    }
    EXIT_FAILURE
}
