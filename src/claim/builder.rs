//! Building a claim in code, from the same strings a claim's JSON holds.
//!
//! The builder keeps the text it is given and reads it all in [`ClaimBuilder::build`], so that
//! a chain of calls never panics and a bad value is reported as the claim reader reports it:
//! a [`ClaimError`] naming the JSON path of the value.

use indexmap::IndexMap;

use super::error::ClaimError;
use super::model::{
    shown, Claim, ClaimSource, Line, Patient, PlaceOfService, Procedure, Provider, ServiceDate, Sex,
};
use super::money::Money;
use super::normalized::normalize;
use crate::codes::{parse_date, Code, Diagnosis, Modifier};

/// A claim under construction; [`Claim::builder`] starts one.
///
/// ```
/// use claimrules::{Claim, LineBuilder};
///
/// let claim = Claim::builder("CLM-1")
///     .service_date("2010-04-01")
///     .line(LineBuilder::new("27093"))
///     .line(LineBuilder::new("77002").modifier("26"))
///     .diagnosis("M16.11")
///     .build()?;
/// assert_eq!(claim.lines[1].modifiers[0].as_str(), "26");
/// # Ok::<(), claimrules::ClaimError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClaimBuilder {
    id: String,
    payer: Option<String>,
    service_date: Option<String>,
    place_of_service: Option<String>,
    provider: Option<Provider>,
    patient: Option<PatientText>,
    diagnoses: Vec<String>,
    lines: Vec<LineBuilder>,
    procedures: Vec<(String, Option<String>)>,
    documentation: IndexMap<String, serde_json::Value>,
    source: ClaimSource,
}

/// The patient as given to the builder, read in `build`.
#[derive(Debug, Clone, Default)]
struct PatientText {
    member_id: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    relationship: Option<String>,
}

impl PatientText {
    fn read(self) -> Result<Patient, ClaimError> {
        let birth_date = match self.birth_date {
            Some(d) => Some(parse_date(&d).map(ServiceDate).ok_or_else(|| {
                ClaimError::at(
                    "patient.birth_date",
                    format!("expected a date as YYYY-MM-DD, found {}", shown(&d)),
                )
            })?),
            None => None,
        };
        let sex = match self.sex {
            Some(x) => Some(Sex::parse(&x).ok_or_else(|| {
                ClaimError::at(
                    "patient.sex",
                    format!("expected `F`, `M` or `U`, found {}", shown(&x)),
                )
            })?),
            None => None,
        };
        Ok(Patient {
            member_id: self.member_id,
            birth_date,
            sex,
            relationship: self.relationship,
        })
    }
}

/// A service line under construction, for [`ClaimBuilder::line`]: a code, and optionally its
/// modifiers, units, session, minutes, line number, comparison code, diagnosis pointers, charge
/// and rendering provider.
#[derive(Debug, Clone)]
#[must_use = "a line builder does nothing until it is given to `ClaimBuilder::line`"]
pub struct LineBuilder {
    code: String,
    modifiers: Vec<String>,
    number: Option<u32>,
    units: u32,
    session: u32,
    minutes: Option<u32>,
    comparison_code: Option<String>,
    diagnosis_pointers: Option<Vec<u32>>,
    charge: Option<String>,
    rendering_provider: Option<String>,
}

impl LineBuilder {
    /// A line billing the CPT/HCPCS `code` once, in session 1.
    pub fn new(code: impl Into<String>) -> LineBuilder {
        LineBuilder {
            code: code.into(),
            modifiers: Vec::new(),
            number: None,
            units: 1,
            session: 1,
            minutes: None,
            comparison_code: None,
            diagnosis_pointers: None,
            charge: None,
            rendering_provider: None,
        }
    }

    /// Appends a modifier (`26`, `LT`, `59`), after those given before.
    pub fn modifier(mut self, modifier: impl Into<String>) -> LineBuilder {
        self.modifiers.push(modifier.into());
        self
    }

    /// Bills the service this many times (1 unless given).
    pub fn units(mut self, units: u32) -> LineBuilder {
        self.units = units;
        self
    }

    /// Puts the line in another session (encounter) of the date of service (1 unless given).
    pub fn session(mut self, session: u32) -> LineBuilder {
        self.session = session;
        self
    }

    /// Bills the line in minutes (anesthesia time); its units stay the count of services.
    pub fn minutes(mut self, minutes: u32) -> LineBuilder {
        self.minutes = Some(minutes);
        self
    }

    /// The comparison code that values an unlisted procedure (`27762` for `27899`): a
    /// CPT/HCPCS code, checked when the claim is built (`lines[i].comparison_code`).
    pub fn comparison_code(mut self, code: impl Into<String>) -> LineBuilder {
        self.comparison_code = Some(code.into());
        self
    }

    /// The diagnoses the line is for: 1-based positions in the claim's diagnoses, at most 4,
    /// checked when the claim is built (`lines[i].diagnosis_pointers[j]`).
    pub fn diagnosis_pointers(mut self, pointers: impl IntoIterator<Item = u32>) -> LineBuilder {
        self.diagnosis_pointers = Some(pointers.into_iter().collect());
        self
    }

    /// The line's charge, as a decimal amount (`"125.00"`), checked when the claim is built
    /// (`lines[i].charge`).
    pub fn charge(mut self, charge: impl Into<String>) -> LineBuilder {
        self.charge = Some(charge.into());
        self
    }

    /// The NPI of the line's rendering provider, checked when the claim is built
    /// (`lines[i].rendering_provider`).
    pub fn rendering_provider(mut self, npi: impl Into<String>) -> LineBuilder {
        self.rendering_provider = Some(npi.into());
        self
    }

    /// Numbers the line; by default its number is its 1-based position in the claim.
    pub fn number(mut self, number: u32) -> LineBuilder {
        self.number = Some(number);
        self
    }

    /// Reads the code and modifiers, naming `lines[i]` in an error.
    fn read(self, i: usize) -> Result<Line, ClaimError> {
        let code = read_code(&self.code, || format!("lines[{i}].code"))?;
        let mut line = Line::new(code)
            .with_units(self.units)
            .with_session(self.session);
        line.line = self.number;
        line.minutes = self.minutes;
        line.diagnosis_pointers = self.diagnosis_pointers;
        line.rendering_provider = self.rendering_provider;
        if let Some(c) = &self.charge {
            line.charge = Some(Money::parse(c).ok_or_else(|| {
                ClaimError::at(
                    format!("lines[{i}].charge"),
                    format!(
                        "expected an amount such as `125.00` (not negative, at most two decimals), found {}",
                        shown(c)
                    ),
                )
            })?);
        }
        if let Some(c) = &self.comparison_code {
            line.comparison_code = Some(read_code(c, || format!("lines[{i}].comparison_code"))?);
        }
        for (j, m) in self.modifiers.iter().enumerate() {
            let modifier = Modifier::parse(m).ok_or_else(|| {
                ClaimError::at(
                    format!("lines[{i}].modifiers[{j}]"),
                    format!(
                        "expected a 2-character modifier such as `26`, found {}",
                        shown(m)
                    ),
                )
            })?;
            line = line.with_modifier(modifier);
        }
        Ok(line)
    }
}

/// Reads a CPT/HCPCS code as the claim reader does, naming `path` in an error.
fn read_code(text: &str, path: impl FnOnce() -> String) -> Result<Code, ClaimError> {
    Code::parse(text).ok_or_else(|| {
        ClaimError::at(
            path(),
            format!(
                "expected a 5-character CPT/HCPCS code such as `27093`, found {}",
                shown(text)
            ),
        )
    })
}

impl Claim {
    /// Starts a claim with this id; give it a service date and at least one line, then
    /// [`build`](ClaimBuilder::build) it.
    pub fn builder(id: impl Into<String>) -> ClaimBuilder {
        ClaimBuilder {
            id: id.into(),
            payer: None,
            service_date: None,
            place_of_service: None,
            provider: None,
            patient: None,
            diagnoses: Vec::new(),
            lines: Vec::new(),
            procedures: Vec::new(),
            documentation: IndexMap::new(),
            source: ClaimSource::Json,
        }
    }
}

impl ClaimBuilder {
    /// The date of service, as `YYYY-MM-DD`; required.
    pub fn service_date(mut self, date: impl Into<String>) -> ClaimBuilder {
        self.service_date = Some(date.into());
        self
    }

    /// The payer (`medicare`, `commercial`), for rules that apply to one payer.
    pub fn payer(mut self, payer: impl Into<String>) -> ClaimBuilder {
        self.payer = Some(payer.into());
        self
    }

    /// The 2-digit CMS place of service (`11` office, `22` outpatient hospital).
    pub fn place_of_service(mut self, place: impl Into<String>) -> ClaimBuilder {
        self.place_of_service = Some(place.into());
        self
    }

    /// The rendering provider's NUCC taxonomy code (`207X00000X`).
    pub fn provider_taxonomy(mut self, taxonomy: impl Into<String>) -> ClaimBuilder {
        self.provider.get_or_insert_with(Provider::default).taxonomy = Some(taxonomy.into());
        self
    }

    /// Whether the rendering provider owns the equipment used.
    pub fn provider_owns_equipment(mut self, owns: bool) -> ClaimBuilder {
        self.provider
            .get_or_insert_with(Provider::default)
            .owns_equipment = Some(owns);
        self
    }

    /// The billing provider's NPI (`1234567893`), checked when the claim is built.
    pub fn provider_npi(mut self, npi: impl Into<String>) -> ClaimBuilder {
        self.provider.get_or_insert_with(Provider::default).npi = Some(npi.into());
        self
    }

    /// The patient: member id, birth date (`YYYY-MM-DD`) and sex (`F`, `M` or `U`), checked
    /// when the claim is built (`patient.birth_date`, `patient.sex`).
    pub fn patient(
        mut self,
        member_id: impl Into<String>,
        birth_date: impl Into<String>,
        sex: impl Into<String>,
    ) -> ClaimBuilder {
        let patient = self.patient.get_or_insert_with(PatientText::default);
        patient.member_id = Some(member_id.into());
        patient.birth_date = Some(birth_date.into());
        patient.sex = Some(sex.into());
        self
    }

    /// The patient's relationship to the subscriber, as the X12 code (`18` self).
    pub fn patient_relationship(mut self, code: impl Into<String>) -> ClaimBuilder {
        self.patient
            .get_or_insert_with(PatientText::default)
            .relationship = Some(code.into());
        self
    }

    /// Appends an ICD-10-CM diagnosis, with or without its dot (`S82.241A`).
    pub fn diagnosis(mut self, code: impl Into<String>) -> ClaimBuilder {
        self.diagnoses.push(code.into());
        self
    }

    /// Appends a service line.
    pub fn line(mut self, line: LineBuilder) -> ClaimBuilder {
        self.lines.push(line);
        self
    }

    /// Appends an ICD-10-PCS procedure; without an approach, the one its code's fifth
    /// character names.
    pub fn procedure(mut self, code: impl Into<String>, approach: Option<&str>) -> ClaimBuilder {
        self.procedures
            .push((code.into(), approach.map(str::to_string)));
        self
    }

    /// Sets a documentation fact that the loaded packs declare (`imaging_guidance`); checked
    /// against the packs when the claim is judged, as for a claim read from JSON.
    pub fn documentation(
        mut self,
        fact: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> ClaimBuilder {
        self.documentation.insert(fact.into(), value.into());
        self
    }

    /// The operative note, as text: the `note` documentation fact, read with the packs'
    /// vocabulary when the claim is judged.
    pub fn note(self, text: impl Into<String>) -> ClaimBuilder {
        self.documentation("note", text.into())
    }

    /// The format the claim stands for, for rules that test it (`source is x12`); JSON unless
    /// given. A claim built from an 837P's fields is judged as one with `ClaimSource::X12`.
    pub fn source(mut self, source: ClaimSource) -> ClaimBuilder {
        self.source = source;
        self
    }

    /// Reads every value and checks the claim as the claim reader does (at least one line,
    /// line numbers unique, PCS approaches); the claim comes out with its defaults filled in.
    /// On failure, the first problem, named by the JSON path of the value at fault.
    pub fn build(self) -> Result<Claim, ClaimError> {
        let date = self
            .service_date
            .ok_or_else(|| ClaimError::at("service_date", "a claim needs a `service_date`"))?;
        let service_date = parse_date(&date).map(ServiceDate).ok_or_else(|| {
            ClaimError::at(
                "service_date",
                format!("expected a date as YYYY-MM-DD, found `{date}`"),
            )
        })?;
        let place_of_service = match self.place_of_service {
            Some(p) => Some(PlaceOfService::parse(&p).ok_or_else(|| {
                ClaimError::at(
                    "place_of_service",
                    format!("expected a 2-digit place of service such as `22`, found `{p}`"),
                )
            })?),
            None => None,
        };
        let diagnoses = self
            .diagnoses
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Diagnosis::parse(d).ok_or_else(|| {
                    ClaimError::at(
                        format!("diagnoses[{i}]"),
                        format!(
                            "expected an ICD-10-CM code such as `S82.241A`, found {}",
                            shown(d)
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| l.read(i))
            .collect::<Result<_, _>>()?;
        let patient = self.patient.map(PatientText::read).transpose()?;
        let mut claim = Claim {
            id: self.id,
            payer: self.payer,
            service_date,
            place_of_service,
            provider: self.provider,
            patient,
            diagnoses,
            lines,
            procedures: self
                .procedures
                .into_iter()
                .map(|(code, approach)| Procedure { code, approach })
                .collect(),
            documentation: self.documentation,
            source: self.source,
        };
        match normalize(&mut claim).into_iter().next() {
            Some(error) => Err(error),
            None => Ok(claim),
        }
    }
}
