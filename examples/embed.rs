//! Embedding the engine in a service: build it once with the standard pack and a payer's pack,
//! then judge claims built in code from several threads at once.
//!
//! ```sh
//! cargo run --example embed
//! ```

use std::path::Path;

use claimrules::{Claim, ClaimBuilder, ClaimResult, Engine, EvalOptions, LineBuilder, PackSource};

/// A knee injection under fluoroscopy, with fluoroscopy billed twice: 59 on 76000 bypasses the
/// standard edits of 76000 beside 77002, but Acme's contract denies it whatever its modifiers,
/// from 2024 on.
fn knee_injection(id: &str, date: &str) -> ClaimBuilder {
    Claim::builder(id)
        .payer("acme-health")
        .service_date(date)
        .place_of_service("11")
        .diagnosis("M25.561")
        .line(LineBuilder::new("20610").modifier("LT"))
        .line(LineBuilder::new("77002"))
        .line(LineBuilder::new("76000").modifier("59"))
        .documentation("fluoroscopy_minutes", 1)
        .documentation("fluoroscopy_indication", "knee joint injection")
}

/// The standard pack with Acme Health's pack layered over it.
fn acme_engine() -> Result<Engine, claimrules::Diagnostics> {
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/packs/acme-health");
    Engine::builder()
        .pack(PackSource::Dir(acme))
        .build()
        .inspect_err(|diagnostics| {
            for d in diagnostics.iter() {
                eprint!("{}", d.render(false, 100));
            }
        })
}

/// A few claims of Acme's, built in code.
fn acme_claims() -> Result<Vec<Claim>, claimrules::ClaimError> {
    Ok(vec![
        knee_injection("ACME-2024", "2024-05-14").build()?,
        // Before Acme's contract took effect: the standard pack's edits apply, and 59 bypasses
        // them.
        knee_injection("ACME-2009", "2009-06-15").build()?,
        // Sacroplasty without the prior authorization Acme's medical policy asks for.
        Claim::builder("ACME-SACRO")
            .payer("acme-health")
            .service_date("2024-07-09")
            .place_of_service("22")
            .diagnosis("M80.08XA")
            .line(LineBuilder::new("0201T"))
            .documentation("fluoroscopy_minutes", 6)
            .documentation("fluoroscopy_indication", "cement placement")
            .build()?,
    ])
}

/// Judges each claim on a thread of its own.
fn judge_on_threads(engine: &Engine, claims: &[Claim]) -> Vec<ClaimResult> {
    // `Engine` is `Send + Sync`: every thread judges with the same one, without a lock.
    std::thread::scope(|scope| {
        let workers: Vec<_> = claims
            .iter()
            .map(|claim| scope.spawn(|| engine.evaluate(claim, EvalOptions::default())))
            .collect();
        workers
            .into_iter()
            // A worker that panicked passes its panic on, as the thread's own code would.
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Reading and checking the packs is the slow part: do it once, at start-up.
    let engine = acme_engine()?;
    let results = judge_on_threads(&engine, &acme_claims()?);
    for result in &results {
        let id = result.claim.as_deref().unwrap_or("?");
        println!("{id}: {}", result.status.as_str());
        for f in &result.findings {
            println!(
                "  {} {:?} {} ({} {})",
                f.action.as_str(),
                f.lines,
                f.message,
                f.rule,
                f.pack
            );
        }
        for e in &result.errors {
            println!("  error: {e}");
        }
    }
    Ok(())
}

// `cargo test` runs this (the example is built with `test = true` in Cargo.toml), so the
// example stays a working program.
#[cfg(test)]
mod tests {
    use super::*;
    use claimrules::Status;

    #[test]
    fn acme_claims_are_judged_by_both_packs() {
        let engine = acme_engine().expect("the packs load");
        let claims = acme_claims().expect("the claims are valid");
        let statuses: Vec<Status> = judge_on_threads(&engine, &claims)
            .iter()
            .map(|r| r.status)
            .collect();
        assert_eq!(statuses, [Status::Deny, Status::Pass, Status::Review]);
    }
}
