//! A claim with its defaults filled in and its whole-claim checks passed, as a type: the
//! readers normalize each claim once, and the engine judges a [`NormalizedClaim`] without
//! copying or normalizing it again.

use std::ops::Deref;

use serde::Serialize;

use super::error::ClaimError;
use super::model::{pcs_approach_of, Claim, ClaimSource};
use super::MAX_CLAIM_LINES;
use crate::codes::PCS_APPROACHES;

/// A claim that [`normalize`] has run on and found nothing wrong with: every line has its
/// number, every procedure its approach, and the line numbers are distinct. Only
/// [`NormalizedClaim::new`] makes one, so holding one is the proof.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct NormalizedClaim(Claim);

impl NormalizedClaim {
    /// Normalizes a claim: the claim, or the claim as far as it got and every error.
    #[allow(clippy::result_large_err)]
    pub fn new(mut claim: Claim) -> Result<NormalizedClaim, (Claim, Vec<ClaimError>)> {
        let errors = normalize(&mut claim);
        if errors.is_empty() {
            Ok(NormalizedClaim(claim))
        } else {
            Err((claim, errors))
        }
    }

    /// The same claim, standing for one read from `source`: normalizing does not look at the
    /// source, so the claim stays normalized. For a policy test's `source x12`.
    pub fn with_source(mut self, source: ClaimSource) -> NormalizedClaim {
        self.0.source = source;
        self
    }

    /// The claim, to change it (it must then be normalized again to be judged).
    pub fn into_claim(self) -> Claim {
        self.0
    }
}

impl Deref for NormalizedClaim {
    type Target = Claim;

    fn deref(&self) -> &Claim {
        &self.0
    }
}

impl AsRef<Claim> for NormalizedClaim {
    fn as_ref(&self) -> &Claim {
        &self.0
    }
}

/// Fills in defaults that depend on the whole claim and checks what serde cannot. Running it
/// twice changes nothing.
pub fn normalize(claim: &mut Claim) -> Vec<ClaimError> {
    let mut errors = Vec::new();
    if claim.lines.is_empty() {
        errors.push(ClaimError::at("lines", "a claim needs at least one line"));
    }
    if claim.lines.len() > MAX_CLAIM_LINES {
        errors.push(ClaimError::at(
            "lines",
            format!(
                "the claim has {} lines; the limit is {MAX_CLAIM_LINES}",
                claim.lines.len()
            ),
        ));
    }
    for (i, line) in claim.lines.iter_mut().enumerate() {
        if line.line.is_none() {
            line.line = Some(i as u32 + 1);
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(claim.lines.len());
    for (i, line) in claim.lines.iter().enumerate() {
        let n = line.number();
        if n == 0 {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                "line numbers start at 1",
            ));
        } else if !seen.insert(n) {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                format!(
                    "line number {n} is used by an earlier line (a line without `line` is numbered by its position)"
                ),
            ));
        }
    }
    for (i, p) in claim.procedures.iter_mut().enumerate() {
        match &p.approach {
            Some(a) if !PCS_APPROACHES.contains(&a.as_str()) => errors.push(ClaimError::at(
                format!("procedures[{i}].approach"),
                format!("expected an ICD-10-PCS approach ({}), found `{a}`", PCS_APPROACHES.join(", ")),
            )),
            Some(_) => {}
            None => match pcs_approach_of(&p.code) {
                Some(a) => p.approach = Some(a.to_string()),
                None => errors.push(ClaimError::at(
                    format!("procedures[{i}].approach"),
                    format!(
                        "no approach given, and `{}` is not a Medical and Surgical ICD-10-PCS code to read one from",
                        p.code
                    ),
                )),
            },
        }
    }
    errors
}
