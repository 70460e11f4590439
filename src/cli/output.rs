//! Writing to the terminal: results, diagnostics, one-line errors.

use std::io::{self, IsTerminal, Write};

use claimrules::Diagnostics;

/// Whether stderr should get colour: a terminal, and `NO_COLOR` unset.
pub fn color_on_stderr() -> bool {
    io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether stdout should get colour: a terminal, and `NO_COLOR` unset.
pub fn color_on_stdout() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints every diagnostic of a failed load, then a one-line count.
pub fn print_diagnostics(diagnostics: &Diagnostics) {
    let color = color_on_stderr();
    let mut err = io::stderr().lock();
    for d in diagnostics.iter() {
        let _ = write!(err, "{}", d.render(color, 100));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let _ = writeln!(
        err,
        "error: the policies do not load: {errors} error(s), {warnings} warning(s)"
    );
}

/// A one-line message on stderr.
pub fn fail(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "error: {message}");
}

/// Writes one pretty JSON document on stdout.
pub fn write_json_document(doc: &serde_json::Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, doc)?;
    writeln!(out)?;
    out.flush()
}
