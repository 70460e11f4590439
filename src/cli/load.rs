//! Loading the packs a command names, shared by the commands that judge or test claims.

use claimrules::{Engine, PackSource};

use super::output::print_diagnostics;
use super::PackArgs;

/// An engine builder with exactly these packs, in order.
pub fn engine_of(sources: &[PackSource]) -> claimrules::EngineBuilder {
    sources
        .iter()
        .fold(Engine::builder().without_standard_pack(), |b, s| {
            b.pack(s.clone())
        })
}

/// Loads the packs the arguments name; prints the diagnostics and returns `None` on failure.
/// `serve` builds from the same arguments ([`PackArgs::builder`]), at start and at each reload.
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
