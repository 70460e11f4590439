//! A claim with its defaults filled in and its whole-claim checks passed, as a type: the
//! readers normalize each claim once, and the engine judges a [`NormalizedClaim`] without
//! copying or normalizing it again.

use std::ops::Deref;

use serde::Serialize;

use super::error::ClaimError;
use super::model::{pcs_approach_of, shown, Claim, ClaimSource};
use super::npi::{is_relationship_code, npi_is_valid, MAX_MEMBER_ID_CHARS};
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
    if let Some(error) = control_character("id", "claim id", &claim.id) {
        errors.push(error);
    }
    for (i, line) in claim.lines.iter_mut().enumerate() {
        if line.line.is_none() {
            line.line = Some(i as u32 + 1);
        }
    }
    // Line numbers are small integers the claim chose. A claim of a few lines (most claims)
    // compares each with the lines before it; a longer one hashes them, with a fast hash.
    const COMPARED_UP_TO: usize = 16;
    let hashed = claim.lines.len() > COMPARED_UP_TO;
    let mut seen = rustc_hash::FxHashSet::default();
    if hashed {
        seen.reserve(claim.lines.len());
    }
    for (i, line) in claim.lines.iter().enumerate() {
        let n = line.number();
        let mut repeated = || {
            if hashed {
                !seen.insert(n)
            } else {
                claim.lines[..i].iter().any(|l| l.number() == n)
            }
        };
        if n == 0 {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                "line numbers start at 1",
            ));
        } else if repeated() {
            errors.push(ClaimError::at(
                format!("lines[{i}].line"),
                format!(
                    "line number {n} is used by an earlier line (a line without `line` is numbered by its position)"
                ),
            ));
        }
    }
    check_parties(claim, &mut errors);
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

/// An error for an id with a control character (a NUL, a line break, an escape): ids are
/// printed in text results and kept in the history store, where a database may refuse them
/// (PostgreSQL text holds no NUL).
fn control_character(path: &str, what: &str, id: &str) -> Option<ClaimError> {
    let c = id.chars().find(|c| c.is_control())?;
    Some(ClaimError::at(
        path,
        format!(
            "the {what} has the control character U+{:04X}; an id is printable text",
            u32::from(c)
        ),
    ))
}

/// The most diagnosis pointers of a line: an 837P's SV107 holds four.
pub const MAX_DIAGNOSIS_POINTERS: usize = 4;

/// Checks the patient, the NPIs and the lines' diagnosis pointers against the rest of the claim.
fn check_parties(claim: &Claim, errors: &mut Vec<ClaimError>) {
    if let Some(patient) = &claim.patient {
        if let Some(id) = &patient.member_id {
            if let Some(error) = control_character("patient.member_id", "member id", id) {
                errors.push(error);
            }
            if id.is_empty() || id.chars().count() > MAX_MEMBER_ID_CHARS {
                errors.push(ClaimError::at(
                    "patient.member_id",
                    format!(
                        "expected a member id of 1 to {MAX_MEMBER_ID_CHARS} characters, found {}",
                        shown(id)
                    ),
                ));
            }
        }
        if let Some(birth) = patient.birth_date {
            if birth.0 > claim.service_date.0 {
                errors.push(ClaimError::at(
                    "patient.birth_date",
                    format!(
                        "the birth date {} is after the service date {}",
                        birth.0.format("%Y-%m-%d"),
                        claim.service_date.0.format("%Y-%m-%d")
                    ),
                ));
            }
        }
        if let Some(r) = &patient.relationship {
            if !is_relationship_code(r) {
                errors.push(ClaimError::at(
                    "patient.relationship",
                    format!(
                        "expected a 2-digit individual relationship code such as `18` (self), found {}",
                        shown(r)
                    ),
                ));
            }
        }
    }
    if let Some(npi) = claim.provider.as_ref().and_then(|p| p.npi.as_ref()) {
        check_npi(npi, "provider.npi".into(), errors);
    }
    for (i, line) in claim.lines.iter().enumerate() {
        if let Some(npi) = &line.rendering_provider {
            check_npi(npi, format!("lines[{i}].rendering_provider"), errors);
        }
        let Some(pointers) = &line.diagnosis_pointers else {
            continue;
        };
        if pointers.len() > MAX_DIAGNOSIS_POINTERS {
            errors.push(ClaimError::at(
                format!("lines[{i}].diagnosis_pointers[{MAX_DIAGNOSIS_POINTERS}]"),
                format!(
                    "a line points at {} diagnoses; the limit is {MAX_DIAGNOSIS_POINTERS}",
                    pointers.len()
                ),
            ));
            continue;
        }
        for (j, &p) in pointers.iter().enumerate() {
            let path = || format!("lines[{i}].diagnosis_pointers[{j}]");
            if pointers[..j].contains(&p) {
                errors.push(ClaimError::at(
                    path(),
                    format!("diagnosis pointer {p} is given twice; point at each diagnosis once"),
                ));
                continue;
            }
            if p == 0 || p as usize > claim.diagnoses.len() {
                errors.push(ClaimError::at(
                    path(),
                    format!(
                        "diagnosis pointer {p} points at no diagnosis: the claim has {}, counted from 1",
                        diagnoses_counted(claim.diagnoses.len())
                    ),
                ));
            }
        }
    }
}

fn check_npi(npi: &str, path: String, errors: &mut Vec<ClaimError>) {
    if !npi_is_valid(npi) {
        errors.push(ClaimError::at(
            path,
            format!(
                "{} is not an NPI (ten digits, the last the check digit of the others)",
                shown(npi)
            ),
        ));
    }
}

/// "1 diagnosis", "3 diagnoses": how many diagnoses a claim has, for messages.
pub(crate) fn diagnoses_counted(n: usize) -> String {
    if n == 1 {
        "1 diagnosis".to_string()
    } else {
        format!("{n} diagnoses")
    }
}
