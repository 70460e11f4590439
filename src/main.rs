//! The `claimrules` command. Thin: parses arguments, calls the library, owns the exit codes
//! (0 all pass, 1 some claim is not `pass`, 2 policies do not load or usage error).

mod cli;

use std::process::ExitCode;

// Judging a claim makes and frees many small values (findings, messages, the claim's strings),
// from every worker at once: mimalloc's per-thread free lists serve them in fewer instructions
// than the system allocator and without contention (docs/performance.md, issue 26).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run()
}
