//! A test's claim as claim JSON: the compact form written in the test, or a JSON claim file.

use serde_json::{json, Map, Value};

use crate::claim::{parse_claim, ClaimSource, RawClaim};
use crate::history::HistoryView;
use crate::pack::read_beside;
use crate::report::ClaimResult;
use crate::syntax::ast::Word;
use crate::syntax::test_ast::{DocValue, TestDecl, TestPatient};
use crate::{Engine, EvalOptions};

/// The claim JSON of a test in the file `test_file`: read from the claim file it names, or
/// built from the compact form (the test's name is then the claim's id).
pub fn claim_json(test: &TestDecl, test_file: &str) -> Result<Value, String> {
    let Some(path) = &test.claim.file else {
        return Ok(to_json(test));
    };
    let data = read_beside(test_file, &path.text)?;
    let mut value: Value = serde_json::from_str(&data.text)
        .map_err(|e| format!("`{}` is not JSON: {e}", data.name))?;
    let Value::Object(claim) = &mut value else {
        return Err(format!(
            "`{}` does not hold a claim: a claim file holds one JSON object",
            data.name
        ));
    };
    if let Some(date) = &test.claim.service_date {
        claim.insert("service_date".into(), json!(date.text));
    }
    Ok(value)
}

/// The format a test's claim stands for: `source x12`, `source json`, or JSON when not given.
pub fn claim_source(test: &TestDecl) -> Result<ClaimSource, String> {
    let Some(word) = &test.claim.source else {
        return Ok(ClaimSource::Json);
    };
    ClaimSource::by_name(&word.text).ok_or_else(|| {
        let names: Vec<String> = ClaimSource::ALL
            .iter()
            .map(|s| format!("`{}`", s.name()))
            .collect();
        format!(
            "`{}` is not a claim source: a claim is read from {}",
            word.text,
            names.join(" or ")
        )
    })
}

/// Judges a test's claim JSON as a claim read from `source`: JSON exactly as `check` reads it;
/// X12 as the same claim would come from the 837P reader, its source X12.
pub fn judge(
    engine: &Engine,
    json: String,
    source: ClaimSource,
    history: HistoryView<'_>,
    options: EvalOptions,
) -> ClaimResult {
    let raw = RawClaim { json, line: 1 };
    if source == ClaimSource::Json && matches!(history, HistoryView::Alone) {
        return engine.evaluate_raw(&raw, options);
    }
    match parse_claim(&raw) {
        Ok(claim) => engine.evaluate_with_history(&claim.with_source(source), history, options),
        Err((id, errors)) => ClaimResult::error(id, errors).explained(options.explain),
    }
}

/// The claim JSON of a compact test claim; the test's name is its id.
fn to_json(test: &TestDecl) -> Value {
    let c = &test.claim;
    let mut claim = Map::new();
    claim.insert("id".into(), json!(test.name.text));
    if let Some(date) = &c.service_date {
        claim.insert("service_date".into(), json!(date.text));
    }
    if let Some(pos) = &c.place_of_service {
        claim.insert("place_of_service".into(), json!(pos.text));
    }
    if let Some(payer) = &c.payer {
        claim.insert("payer".into(), json!(payer.text));
    }
    if c.owns_equipment.is_some() || c.taxonomy.is_some() || c.npi.is_some() {
        let mut provider = Map::new();
        if let Some(npi) = &c.npi {
            provider.insert("npi".into(), json!(npi.text));
        }
        if let Some(t) = &c.taxonomy {
            provider.insert("taxonomy".into(), json!(t.text));
        }
        if let Some(o) = c.owns_equipment {
            provider.insert("owns_equipment".into(), json!(o));
        }
        claim.insert("provider".into(), Value::Object(provider));
    }
    if let Some(p) = &c.patient {
        claim.insert("patient".into(), patient_json(p, c.service_date.as_ref()));
    }
    let diagnoses: Vec<&str> = c.diagnoses.iter().map(|d| d.text.as_str()).collect();
    claim.insert("diagnoses".into(), json!(diagnoses));
    let lines: Vec<Value> = c
        .lines
        .iter()
        .map(|l| {
            let mut line = Map::new();
            line.insert("code".into(), json!(l.code.text));
            let mods: Vec<&str> = l.modifiers.iter().map(|m| m.text.as_str()).collect();
            line.insert("modifiers".into(), json!(mods));
            if let Some(u) = &l.units {
                line.insert("units".into(), number(&u.text));
            }
            if let Some(s) = &l.session {
                line.insert("session".into(), number(&s.text));
            }
            if let Some(c) = &l.comparison_code {
                line.insert("comparison_code".into(), json!(c.text));
            }
            if let Some(c) = &l.charge {
                line.insert("charge".into(), json!(c.text));
            }
            if !l.diagnosis_pointers.is_empty() {
                let pointers: Vec<Value> = l
                    .diagnosis_pointers
                    .iter()
                    .map(|p| number(&p.text))
                    .collect();
                line.insert("diagnosis_pointers".into(), Value::Array(pointers));
            }
            Value::Object(line)
        })
        .collect();
    claim.insert("lines".into(), Value::Array(lines));
    let procedures: Vec<Value> = c
        .procedures
        .iter()
        .map(|(code, approach)| match approach {
            Some(a) => json!({"code": code.text, "approach": a.text}),
            None => json!({"code": code.text}),
        })
        .collect();
    claim.insert("procedures".into(), Value::Array(procedures));
    let mut documentation = Map::new();
    for (name, value) in &c.documentation {
        let v = match value {
            DocValue::Bool(b) => json!(b),
            DocValue::Number(n) => number(&n.text),
            DocValue::Text(t) => json!(t.text),
            DocValue::List(items) => {
                json!(items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>())
            }
        };
        documentation.insert(name.text.clone(), v);
    }
    claim.insert("documentation".into(), Value::Object(documentation));
    Value::Object(claim)
}

/// A test's patient as claim JSON. `age N` gives the birth date N years before the service
/// date (28 February for a 29 February without its year); an age or date that does not read
/// is passed on as written, so that the claim reader names it.
fn patient_json(p: &TestPatient, service_date: Option<&Word>) -> Value {
    let mut patient = Map::new();
    if let Some(m) = &p.member {
        patient.insert("member_id".into(), json!(m.text));
    }
    if let Some(born) = &p.born {
        patient.insert("birth_date".into(), json!(born.text));
    } else if let Some(age) = &p.age {
        let date = service_date.and_then(|d| crate::codes::parse_date(&d.text));
        let birth = match (date, age.text.parse::<u32>()) {
            (Some(date), Ok(years)) => years_before(date, years).map(|d| d.to_string()),
            _ => None,
        };
        patient.insert(
            "birth_date".into(),
            json!(birth.unwrap_or_else(|| format!("age {}", age.text))),
        );
    }
    if let Some(sex) = &p.sex {
        patient.insert("sex".into(), json!(sex.text));
    }
    Value::Object(patient)
}

fn years_before(date: crate::codes::Date, years: u32) -> Option<crate::codes::Date> {
    use chrono::Datelike;
    let year = date.year() - i32::try_from(years).ok()?;
    date.with_year(year)
        .or_else(|| date.with_day(28).and_then(|d| d.with_year(year)))
}

/// A number as written; text that is not one stays text, so the claim reader names it.
fn number(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .unwrap_or_else(|_| json!(text))
}

/// The claim's diagnoses that read as ICD-10-CM codes.
pub fn diagnoses(claim: &Value) -> Vec<crate::codes::Diagnosis> {
    claim["diagnoses"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d.as_str().and_then(crate::codes::Diagnosis::parse))
                .collect()
        })
        .unwrap_or_default()
}

/// The procedure codes on a claim's lines that read as codes.
pub fn codes(claim: &Value) -> Vec<crate::codes::Code> {
    claim["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l["code"].as_str().and_then(crate::codes::Code::parse))
                .collect()
        })
        .unwrap_or_default()
}
