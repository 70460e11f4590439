//! A claim's facts, bound to the program's fact slots and typed by the packs' schema.

use crate::claim::{Claim, ClaimError, ClaimSource, Sex};
use crate::ir::{ClaimField, FactId, FactOrigin, FactType, Program, Value};
use crate::note::NoteFact;

/// One slot per fact the program knows; `None` is "not documented" (unknown, not false).
pub type Facts = Vec<Option<Value>>;

/// Reads the claim's fields and documentation into fact slots. A documentation fact the packs
/// do not declare, or of the wrong type, is an error naming its JSON path.
pub fn bind(program: &Program, claim: &Claim) -> Result<Facts, Vec<ClaimError>> {
    let mut facts: Facts = vec![None; program.facts.len()];
    let mut errors = Vec::new();
    for &(id, field) in &program.claim_facts {
        if let Some(slot) = facts.get_mut(id as usize) {
            *slot = claim_field(claim, field);
        }
    }
    for (name, json) in &claim.documentation {
        let path = format!("documentation.{name}");
        let Some((id, _, def)) = program.facts.get_full(name.as_str()) else {
            let help = crate::spelling::did_you_mean(
                name,
                program
                    .facts
                    .iter()
                    .filter(|(_, d)| d.origin == FactOrigin::Documentation)
                    .map(|(k, _)| &**k),
                "documentation fact",
            );
            errors.push(ClaimError::at(
                path,
                format!("`{name}` is not a documentation fact the loaded packs declare; {help}"),
            ));
            continue;
        };
        if def.origin != FactOrigin::Documentation {
            let why = match def.origin {
                FactOrigin::Derived => "it is derived by the policies, not documented",
                _ => "it is a field of the claim, not of its documentation",
            };
            errors.push(ClaimError::at(
                path,
                format!("`{name}` cannot be given here: {why}"),
            ));
            continue;
        }
        if json.is_null() {
            // An explicit null says "not documented", as leaving the key out does.
            continue;
        }
        match typed(&def.ty, json) {
            Ok(v) => facts[id] = Some(v),
            Err(message) => errors.push(ClaimError::at(path, message)),
        }
    }
    if errors.is_empty() {
        Ok(facts)
    } else {
        Err(errors)
    }
}

/// Reads the claim's note, if it has one and the packs have a vocabulary, and fills the
/// documentation facts the claim does not give with what the note states. Returns the
/// statements used, in fact order: a fact the claim gives is never taken from the note.
pub fn fill_from_note(program: &Program, facts: &mut Facts) -> Vec<NoteFact> {
    let vocabulary = &program.vocabulary;
    let Some(note_id) = vocabulary.note_fact else {
        return Vec::new();
    };
    let Some(Value::Text(note)) = facts.get(note_id as usize).and_then(Option::as_ref) else {
        return Vec::new();
    };
    let stated = crate::note::read_note(vocabulary, note);
    if stated.is_empty() {
        return stated;
    }
    let given: Vec<FactId> = stated
        .iter()
        .map(|f| f.fact)
        .filter(|f| facts[*f as usize].is_some())
        .collect();
    let mut used = Vec::with_capacity(stated.len());
    for f in stated {
        if given.contains(&f.fact) {
            continue;
        }
        let slot = &mut facts[f.fact as usize];
        match (slot.as_mut(), &f.value) {
            (Some(Value::Choices(mask)), Value::Choices(bit)) => *mask |= bit,
            (Some(Value::Texts(items)), Value::Texts(more)) => items.extend(more.iter().cloned()),
            (Some(_), _) => continue,
            (None, value) => *slot = Some(value.clone()),
        }
        used.push(f);
    }
    used
}

fn claim_field(claim: &Claim, field: ClaimField) -> Option<Value> {
    match field {
        ClaimField::PlaceOfService => claim
            .place_of_service
            .as_ref()
            .map(|p| Value::Text(p.0.clone())),
        ClaimField::Payer => claim.payer.as_deref().map(|p| Value::Text(p.into())),
        ClaimField::ProviderTaxonomy => claim
            .provider
            .as_ref()
            .and_then(|p| p.taxonomy.as_deref())
            .map(|t| Value::Text(t.into())),
        ClaimField::ProviderOwnsEquipment => claim
            .provider
            .as_ref()
            .and_then(|p| p.owns_equipment)
            .map(Value::Bool),
        // The choice's index among `ClaimSource::ALL`, as the field's type lists them.
        ClaimField::Source => ClaimSource::ALL
            .iter()
            .position(|s| *s == claim.source)
            .map(|i| Value::Choice(i as u16)),
        ClaimField::PatientAge => claim
            .patient
            .as_ref()
            .and_then(|p| p.age_on(claim.service_date.0))
            .map(|years| Value::Number(f64::from(years))),
        // The choice's index among `Sex::ALL`, as the field's type lists them.
        ClaimField::PatientSex => {
            let sex = claim.patient.as_ref().and_then(|p| p.sex)?;
            Sex::ALL
                .iter()
                .position(|s| *s == sex)
                .map(|i| Value::Choice(i as u16))
        }
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Converts a JSON value to the fact's type, or says what was expected and what was found.
fn typed(ty: &FactType, json: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    let mismatch = || format!("expected {}, found {}", expected(ty), json_type(json));
    match (ty, json) {
        (FactType::Boolean, J::Bool(b)) => Ok(Value::Bool(*b)),
        (FactType::Number, J::Number(n)) => {
            crate::claim::quantity::documented_number(n).map(Value::Number)
        }
        (FactType::Text | FactType::PlaceOfService, J::String(s)) => {
            Ok(Value::Text(s.as_str().into()))
        }
        (FactType::OneOf(choices), J::String(s)) => choice(choices, s).map(Value::Choice),
        (FactType::ListOf(choices), J::Array(items)) => {
            let mut mask = 0u64;
            for (i, item) in items.iter().enumerate() {
                let J::String(s) = item else {
                    return Err(format!(
                        "item {i}: expected a string, found {}",
                        json_type(item)
                    ));
                };
                mask |= 1 << choice(choices, s).map_err(|e| format!("item {i}: {e}"))?;
            }
            Ok(Value::Choices(mask))
        }
        (FactType::ListOfText, J::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                J::String(s) => Ok(s.as_str().into()),
                other => Err(format!(
                    "item {i}: expected a string, found {}",
                    json_type(other)
                )),
            })
            .collect::<Result<Vec<Box<str>>, String>>()
            .map(Value::Texts),
        _ => Err(mismatch()),
    }
}

fn choice(choices: &[Box<str>], s: &str) -> Result<u16, String> {
    choices
        .iter()
        .position(|c| **c == *s)
        .map(|i| i as u16)
        .ok_or_else(|| format!("expected one of {}, found `{s}`", choices.join(", ")))
}

fn expected(ty: &FactType) -> String {
    match ty {
        FactType::Boolean => "a boolean".into(),
        FactType::Number => "a number".into(),
        FactType::Text | FactType::PlaceOfService => "a string".into(),
        FactType::OneOf(c) => format!("one of {}", c.join(", ")),
        FactType::ListOf(c) => format!("an array of {}", c.join(", ")),
        FactType::ListOfText => "an array of strings".into(),
    }
}

/// A fact's value as JSON, for explanations.
pub fn to_json(ty: &FactType, value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Bool(b) => J::Bool(*b),
        // A whole number is written as one (`63`, not `63.0`), as a claim would write it.
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
            J::Number((*n as i64).into())
        }
        Value::Number(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
        Value::Text(s) => J::String(s.to_string()),
        Value::Choice(i) => J::String(
            ty.choices()
                .and_then(|c| c.get(*i as usize))
                .map_or_else(String::new, |c| c.to_string()),
        ),
        Value::Choices(mask) => J::Array(
            ty.choices()
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, c)| J::String(c.to_string()))
                .collect(),
        ),
        Value::Texts(items) => J::Array(items.iter().map(|s| J::String(s.to_string())).collect()),
    }
}
