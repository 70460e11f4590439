//! The patient of the claims that follow, as the loops outside a claim give it: the subscriber
//! (2000B `SBR`, 2010BA `NM1*IL` and its `DMG`) and, when the patient is someone else, the
//! patient (2000C `PAT`, 2010CA `NM1*QC` and its `DMG`).
//!
//! The member id is the subscriber's `NM109`. The birth date, sex and relationship are the
//! patient's: from 2010CA's `DMG` and `PAT01` when a 2000C loop is present, else from 2010BA's
//! `DMG` and `SBR02` (the subscriber is the patient). What the loops do not give stays unknown.
//! A problem in these loops is an error of every claim they hold.

use super::elements::{designator, parse_d8, problem};
use super::segments::Segment;
use crate::claim::{
    is_relationship_code, npi_is_valid, ClaimError, Patient, Sex, MAX_MEMBER_ID_CHARS,
};
use crate::codes::Date;

/// One person of the loops: what their segments say, and what is wrong with them.
#[derive(Debug, Clone, Default)]
struct Person {
    member_id: Option<String>,
    birth_date: Option<Date>,
    sex: Option<Sex>,
    relationship: Option<String>,
    errors: Vec<ClaimError>,
}

/// Which name loop the segments being read belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Subscriber,
    Patient,
    Other,
}

/// The subscriber and patient loops read so far.
#[derive(Debug, Clone)]
pub(super) struct Parties {
    subscriber: Person,
    /// The 2000C loop, when there is one.
    patient: Option<Person>,
    name: Name,
}

impl Default for Parties {
    fn default() -> Self {
        Parties {
            subscriber: Person::default(),
            patient: None,
            name: Name::Other,
        }
    }
}

impl Parties {
    /// A new subscriber level (HL*22): forgets the last subscriber and patient.
    pub(super) fn subscriber_level(&mut self) {
        *self = Parties::default();
    }

    /// A new patient level (HL*23) under the current subscriber.
    pub(super) fn patient_level(&mut self) {
        self.patient = Some(Person::default());
        self.name = Name::Other;
    }

    /// Reads a segment outside any claim.
    pub(super) fn segment(&mut self, seg: &Segment) {
        match seg.id() {
            "SBR" => {
                let code = seg.element(2);
                relationship(seg, 2, code, &mut self.subscriber);
            }
            "PAT" => {
                if let Some(patient) = &mut self.patient {
                    relationship(seg, 1, seg.element(1), patient);
                }
            }
            "NM1" => {
                self.name = match seg.element(1) {
                    "IL" => Name::Subscriber,
                    "QC" if self.patient.is_some() => Name::Patient,
                    _ => Name::Other,
                };
                if self.name == Name::Subscriber {
                    let id = seg.element(9);
                    if id.chars().count() > MAX_MEMBER_ID_CHARS {
                        self.subscriber.errors.push(problem(
                            seg,
                            Some(designator(seg, 9, None)),
                            format!("a member id longer than {MAX_MEMBER_ID_CHARS} characters"),
                        ));
                    } else if !id.is_empty() {
                        self.subscriber.member_id = Some(id.to_string());
                    }
                }
            }
            "DMG" => match (self.name, &mut self.patient) {
                (Name::Subscriber, _) => demographics(seg, &mut self.subscriber),
                (Name::Patient, Some(patient)) => demographics(seg, patient),
                _ => {}
            },
            _ => {}
        }
    }

    /// The patient of a claim begun now, and the problems of the loops it is read from.
    pub(super) fn patient(&self) -> (Option<Patient>, Vec<ClaimError>) {
        let own = self.patient.as_ref().unwrap_or(&self.subscriber);
        let mut errors = self.subscriber.errors.clone();
        if let Some(p) = &self.patient {
            errors.extend(p.errors.iter().cloned());
        }
        let member_id = self.subscriber.member_id.clone();
        let patient = Patient {
            member_id,
            birth_date: own.birth_date.map(crate::claim::ServiceDate),
            sex: own.sex,
            relationship: own.relationship.clone(),
        };
        let known = patient != Patient::default();
        (known.then_some(patient), errors)
    }
}

/// An individual relationship code (`SBR02`, `PAT01`): two digits, or absent.
fn relationship(seg: &Segment, n: usize, code: &str, person: &mut Person) {
    if code.is_empty() {
        return;
    }
    if is_relationship_code(code) {
        person.relationship = Some(code.to_string());
    } else {
        person.errors.push(problem(
            seg,
            Some(designator(seg, n, None)),
            format!("`{code}` is not an individual relationship code (2 digits, `18` self)"),
        ));
    }
}

/// A DMG segment: `DMG*D8*CCYYMMDD*F`.
fn demographics(seg: &Segment, person: &mut Person) {
    let (format, date, sex) = (seg.element(1), seg.element(2), seg.element(3));
    if !date.is_empty() {
        if format != "D8" {
            person.errors.push(problem(
                seg,
                Some(designator(seg, 1, None)),
                format!("`{format}` is not the date format of a birth date (D8)"),
            ));
        } else {
            match parse_d8(date) {
                Some(d) => person.birth_date = Some(d),
                None => person.errors.push(problem(
                    seg,
                    Some(designator(seg, 2, None)),
                    format!("`{date}` is not a birth date as CCYYMMDD"),
                )),
            }
        }
    }
    if !sex.is_empty() {
        match Sex::parse(sex) {
            Some(s) => person.sex = Some(s),
            None => person.errors.push(problem(
                seg,
                Some(designator(seg, 3, None)),
                format!("`{sex}` is not a sex code (F, M or U)"),
            )),
        }
    }
}

/// The NPI an `NM1` names (`NM108` `XX`, `NM109` the number): `Ok(None)` when it names none
/// (another kind of id, or none at all), an error naming `NM109` when the number fails the
/// NPI check digit.
pub(super) fn npi_of(seg: &Segment) -> Result<Option<String>, ClaimError> {
    let id = seg.element(9);
    if seg.element(8) != "XX" || id.is_empty() {
        return Ok(None);
    }
    if npi_is_valid(id) {
        Ok(Some(id.to_string()))
    } else {
        let whose = match seg.element(1) {
            "85" => "the billing provider's",
            "82" => "the rendering provider's",
            _ => "the",
        };
        Err(problem(
            seg,
            Some(designator(seg, 9, None)),
            format!("{whose} NPI {} fails the NPI check: an NPI is ten digits, the last the check digit of the others", crate::claim::model::shown(id)),
        ))
    }
}
