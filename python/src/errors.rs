//! `PolicyError`: packs that do not load, with the diagnostics as the command prints them.

use claimrules::Diagnostics;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::PyErr;

create_exception!(
    claimrules,
    PolicyError,
    PyException,
    "The packs do not load, or a path given cannot be read: the message holds every \
     diagnostic, rendered as `claimrules check` prints them (without colour), then a count."
);

/// Every diagnostic of a failed load rendered without colour, then the command's closing
/// line (`the policies do not load: N error(s), N warning(s)`).
pub fn rendered(diagnostics: &Diagnostics) -> String {
    let mut text = String::new();
    for d in diagnostics.iter() {
        text.push_str(&d.render(false, 100));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    text.push_str(&format!(
        "the policies do not load: {errors} error(s), {warnings} warning(s)"
    ));
    text
}

/// A `PolicyError` holding the rendered diagnostics.
pub fn policy_error(diagnostics: &Diagnostics) -> PyErr {
    PolicyError::new_err(rendered(diagnostics))
}
