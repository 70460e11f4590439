//! `claimrules._native`: the engine of the `claimrules` crate for Python (docs/python.md).
//!
//! The Python package `claimrules` re-exports what this module defines: [`engine::Engine`]
//! (packs loaded once; claims judged one at a time, in batches on every core with the GIL
//! released, or as Arrow data; policy tests and lint) and `PolicyError`, raised when packs do not
//! load. Every result is the command's own JSON (`claimrules check --format json`), read back
//! by Python's `json` module or decoded into Arrow.

mod arrow;
mod claims;
mod engine;
mod errors;

use pyo3::prelude::*;

/// The native module: `Engine` and `PolicyError`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::Engine>()?;
    m.add("PolicyError", m.py().get_type::<errors::PolicyError>())?;
    m.add("FORMAT_VERSION", claimrules::FORMAT_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// The native module's Rust allocations (claims, results, Arrow buffers built here) go to
/// mimalloc: judging allocates and frees many small values, and glibc's allocator took a fifth
/// of `check_arrow`'s time (docs/performance.md, "Python bindings"). Python's objects keep
/// Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
