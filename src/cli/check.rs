//! `claimrules check`.

use std::io::{self, IsTerminal, Read};
use std::path::Path;

use claimrules::{ClaimError, ClaimResult, Engine, EvalOptions, PackSource, Status};

use super::output::{fail, print_diagnostics, ResultWriter};
use super::{CheckArgs, Format, PackArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

/// An engine builder with exactly these packs, in order.
pub fn engine_of(sources: &[PackSource]) -> claimrules::EngineBuilder {
    sources
        .iter()
        .fold(Engine::builder().without_standard_pack(), |b, s| {
            b.pack(s.clone())
        })
}

/// Loads the packs the arguments name; prints the diagnostics and returns `None` on failure.
pub fn load_engine(args: &PackArgs) -> Option<Engine> {
    match args.builder().build() {
        Ok(engine) => {
            let warnings = engine.warnings().len();
            if warnings > 0 {
                eprintln!(
                    "warning: the packs load with {warnings} warning(s); `claimrules lint` \
                     shows them"
                );
            }
            Some(engine)
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            None
        }
    }
}

pub fn run(args: CheckArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let inputs: Vec<String> = if args.claims.is_empty() {
        if io::stdin().is_terminal() {
            fail("no claims given: name claim files, or `-` to read standard input");
            return EXIT_FAILURE;
        }
        vec!["-".to_string()]
    } else {
        args.claims
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    };
    let mut texts = Vec::with_capacity(inputs.len());
    for name in &inputs {
        match read_input(name) {
            Ok(text) => texts.push(text),
            Err(message) => {
                fail(message);
                return EXIT_FAILURE;
            }
        }
    }
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Ndjson
    });
    let options = EvalOptions {
        explain: args.explain,
    };
    let mut writer = ResultWriter::new(io::stdout().lock(), format);
    let mut all_pass = true;
    let outcome = (|| -> io::Result<()> {
        writer.begin()?;
        for text in &texts {
            for result in &judge_input(&engine, text, options) {
                all_pass &= result.status == Status::Pass;
                writer.write(result)?;
            }
        }
        Ok(())
    })();
    let outcome = outcome.and_then(|()| writer.finish());
    match outcome {
        Ok(()) if all_pass => EXIT_PASS,
        Ok(()) => EXIT_FINDINGS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_FAILURE,
        Err(e) => {
            fail(format!("cannot write results: {e}"));
            EXIT_FAILURE
        }
    }
}

/// Every claim of an input judged, one result per claim in input order; an input that does
/// not split into claims is one `error` result naming its line.
pub fn judge_input(engine: &Engine, text: &str, options: EvalOptions) -> Vec<ClaimResult> {
    engine.evaluate_input(text, options).unwrap_or_else(|e| {
        vec![ClaimResult::error(
            None,
            vec![ClaimError {
                message: e.message,
                path: None,
                line: Some(e.line),
            }],
        )]
    })
}

pub fn read_input(name: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    let read = if name == "-" {
        io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(Path::new(name)).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    let shown = if name == "-" { "standard input" } else { name };
    read.map_err(|e| format!("cannot read claims from `{shown}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        format!("claims in `{shown}` are not UTF-8 text (line {line})")
    })
}
