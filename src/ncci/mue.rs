//! Reading MUE (medically unlikely edit) files.
//!
//! - The TSV layout of the shipped tables (policies/tables/ncci/): `hcpcs, mue_uos, mai,
//!   mai_desc, service_type, rationale`, every service type in one file; only the `Practitioner` rows are kept (claims
//!   here are professional claims).
//! - The CMS distribution: one file per service type, a preamble, then a header line
//!   `HCPCS/CPT Code, Practitioner Services MUE Values, MUE Adjudication Indicator, MUE
//!   Rationale` (comma- or tab-separated), where the indicator reads like `3 Date of Service
//!   Edit: Clinical`.

use super::{CsvRows, DataFile, RowError, RowErrors};
use crate::codes::Code;

/// One code's MUE.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitLimit {
    pub code: Code,
    /// The most units of service payable (on a line, or on the date of service).
    pub limit: f64,
    /// MUE adjudication indicator: `1` line edit, `2` date-of-service edit (policy), `3`
    /// date-of-service edit (clinical).
    pub adjudication: u8,
    pub rationale: Box<str>,
    pub file: u16,
    pub line: u32,
}

/// Where each field of a row is.
struct Fields {
    code: usize,
    limit: usize,
    adjudication: usize,
    rationale: Option<usize>,
    service_type: Option<usize>,
}

/// The service type whose limits apply to professional claims.
const PRACTITIONER: &str = "practitioner";

/// Reads the practitioner MUEs of one or more files. Every row that does not read is reported
/// with its file and line; a code with two practitioner rows is an error.
pub fn read_unit_limits(files: &[DataFile]) -> Result<Vec<UnitLimit>, Vec<RowError>> {
    let mut out: Vec<UnitLimit> = Vec::new();
    let mut seen: std::collections::HashMap<Code, usize> = std::collections::HashMap::new();
    let mut errors = RowErrors::default();
    for (file_id, file) in files.iter().enumerate() {
        let mut records = CsvRows::new(file, None);
        let mut fields: Option<Fields> = None;
        while let Some((number, record)) = records.next_row(&mut errors) {
            if record.iter().all(str::is_empty) {
                continue;
            }
            let Some(at) = &fields else {
                fields = header(record);
                continue;
            };
            let get = |i: usize| record.get(i).unwrap_or("");
            if let Some(st) = at.service_type {
                if !get(st).eq_ignore_ascii_case(PRACTITIONER) {
                    continue;
                }
            }
            let mut bad = |problem: String| errors.push(&file.path, number, problem);
            let code = Code::parse(get(at.code));
            if code.is_none() {
                bad(format!("`{}` is not a CPT/HCPCS code", get(at.code)));
            }
            let limit = get(at.limit)
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0);
            if limit.is_none() {
                bad(format!(
                    "MUE value `{}` is not a number of units",
                    get(at.limit)
                ));
            }
            // CMS writes the indicator with its meaning: `3 Date of Service Edit: Clinical`.
            let adjudication = match get(at.adjudication).as_bytes().first() {
                Some(d @ b'1'..=b'3') => Some(d - b'0'),
                _ => None,
            };
            if adjudication.is_none() {
                bad(format!(
                    "MUE adjudication indicator `{}` is not 1, 2 or 3",
                    get(at.adjudication)
                ));
            }
            let (Some(code), Some(limit), Some(adjudication)) = (code, limit, adjudication) else {
                continue;
            };
            if let Some(&first) = seen.get(&code) {
                let prior = &out[first];
                errors.push(
                    &file.name,
                    number,
                    format!(
                        "`{code}` has a practitioner MUE already, on line {} of {}",
                        prior.line, files[prior.file as usize].path
                    ),
                );
                continue;
            }
            seen.insert(code, out.len());
            out.push(UnitLimit {
                code,
                limit,
                adjudication,
                rationale: at.rationale.map_or("", get).into(),
                file: file_id as u16,
                line: number,
            });
        }
        if fields.is_none() {
            errors.push(
                &file.path,
                0,
                "it holds no MUE rows: expected a header naming `hcpcs`, `mue_uos` and `mai` \
                 (or CMS's `HCPCS/CPT Code`, `… MUE Values`, `MUE Adjudication Indicator`)"
                    .into(),
            );
        }
    }
    errors.into_result(out)
}

/// The fields a header line names, if it is the header.
fn header(record: &csv::StringRecord) -> Option<Fields> {
    let names: Vec<String> = record.iter().map(str::to_ascii_lowercase).collect();
    let find = |test: &dyn Fn(&str) -> bool| names.iter().position(|n| test(n));
    Some(Fields {
        code: find(&|n| n == "hcpcs" || n.starts_with("hcpcs/cpt"))?,
        limit: find(&|n| n == "mue_uos" || n.ends_with("mue values"))?,
        adjudication: find(&|n| n == "mai" || n == "mue adjudication indicator")?,
        rationale: find(&|n| n == "rationale" || n == "mue rationale"),
        service_type: find(&|n| n == "service_type"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> DataFile {
        DataFile::new(name, text.as_bytes().to_vec())
    }

    #[test]
    fn reads_the_practitioner_rows_of_the_tsv_layout() {
        let tsv = "hcpcs\tmue_uos\tmai\tmai_desc\tservice_type\trationale\n\
0201T\t1\t2\tDate of Service Edit: Policy\tPractitioner\tCode Descriptor / CPT Instruction\n\
0201T\t1\t2\tDate of Service Edit: Policy\tOutpatient Hospital\tCode Descriptor / CPT Instruction\n\
76000\t3\t3\tDate of Service Edit: Clinical\tPractitioner\tClinical: Data\n";
        let limits = read_unit_limits(&[file("mue.tsv", tsv)]).unwrap();
        assert_eq!(limits.len(), 2);
        assert_eq!(limits[1].code, Code::parse("76000").unwrap());
        assert_eq!((limits[1].limit, limits[1].adjudication), (3.0, 3));
        assert_eq!(limits[1].line, 4);
    }

    #[test]
    fn reads_the_cms_distribution_with_its_preamble() {
        let csv = "CPT codes, descriptions and other data only are copyright 2024 American Medical Association.\r\n\
\r\n\
HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n\
77002,1,\"3 Date of Service Edit: Clinical\",\"Clinical: Data\"\r\n";
        let limits = read_unit_limits(&[file("MCR_MUE_PractitionerServices.csv", csv)]).unwrap();
        assert_eq!(limits.len(), 1);
        // CRLF line ends do not shift the lines findings cite.
        assert_eq!(limits[0].line, 4);
        assert_eq!(limits[0].adjudication, 3);
        assert_eq!(&*limits[0].rationale, "Clinical: Data");
    }

    #[test]
    fn bad_rows_and_repeated_codes_are_each_reported() {
        let tsv = "hcpcs\tmue_uos\tmai\tmai_desc\tservice_type\trationale\n\
7700\t1\t3\tx\tPractitioner\tx\n\
77002\tone\t3\tx\tPractitioner\tx\n\
77003\t1\t3\tx\tPractitioner\tx\n\
77003\t2\t3\tx\tPractitioner\tx\n";
        let errors: Vec<String> = read_unit_limits(&[file("mue.tsv", tsv)])
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            vec![
                "mue.tsv:2: `7700` is not a CPT/HCPCS code",
                "mue.tsv:3: MUE value `one` is not a number of units",
                "mue.tsv:5: `77003` has a practitioner MUE already, on line 4 of mue.tsv",
            ]
        );
    }
}
