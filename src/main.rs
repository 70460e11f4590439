//! The `claimrules` command. Thin: parses arguments, calls the library, owns the exit codes
//! (0 all pass, 1 some claim is not `pass`, 2 policies do not load or usage error).

mod cli;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: claimrules::allocator::SplitAllocator = claimrules::allocator::SplitAllocator;

fn main() -> ExitCode {
    cli::run()
}
