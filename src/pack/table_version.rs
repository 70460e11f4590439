//! The version of a national table, read from its file's name as CMS and this repository name
//! them, so that `claimrules packs` and `--version` can say which quarter's edits are in force
//! without reading a row.
//!
//! The names read, case aside, with `_`, `-` or `.` between the parts:
//!
//! - `v30.1`: an NCCI version, major and minor (`ptp_practitioner_v30.1_2024q2.tsv.zst`);
//! - `v301r0`: the same as CMS writes it in its distribution files, the last digit before `r`
//!   the minor version and the digit after it the revision (`ccipra-v301r0-f1.txt` is 30.1);
//! - `2024q2`: a calendar quarter (`mue_2024q2.tsv.zst`);
//! - `pprrvu24_jan`: a release of the fee schedule's relative value file, `jan`, `apr`, `jul`
//!   or `oct` opening quarter 1 to 4 (`PPRRVU24_JAN.csv` is 2024 Q1).
//!
//! A name with neither has no version: `None`, never a guess.

use std::fmt;

/// What a file's name says about the table's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableVersion {
    /// The NCCI version, `(30, 1)` for 30.1.
    pub ncci: Option<(u16, u16)>,
    /// The calendar quarter, `(2024, 2)` for 2024 Q2.
    pub quarter: Option<(u16, u8)>,
}

impl TableVersion {
    /// The NCCI version as CMS writes it: `30.1`.
    pub fn ncci_text(&self) -> Option<String> {
        self.ncci.map(|(major, minor)| format!("{major}.{minor}"))
    }

    /// The quarter as `2024Q2`.
    pub fn quarter_text(&self) -> Option<String> {
        self.quarter.map(|(year, q)| format!("{year}Q{q}"))
    }
}

impl fmt::Display for TableVersion {
    /// `NCCI 30.1, 2024 Q2`, `2024 Q2` or `NCCI 30.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ncci = self
            .ncci
            .map(|(major, minor)| format!("NCCI {major}.{minor}"));
        let quarter = self.quarter.map(|(year, q)| format!("{year} Q{q}"));
        let parts: Vec<String> = ncci.into_iter().chain(quarter).collect();
        f.write_str(&parts.join(", "))
    }
}

/// The version a data file's name gives (its folders are ignored), or `None` when the name has
/// no part that reads as one.
pub fn table_version(file_name: &str) -> Option<TableVersion> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let name = name.to_ascii_lowercase();
    let parts: Vec<&str> = name.split(['_', '-']).collect();
    let mut version = TableVersion {
        ncci: None,
        quarter: None,
    };
    for part in &parts {
        // `30.1` keeps its dot; a part can end in an extension (`2024q2.tsv.zst`).
        let head = match part.split_once('.') {
            Some((head, tail)) if !tail.starts_with(|c: char| c.is_ascii_digit()) => head,
            _ => part,
        };
        version.ncci = version.ncci.or_else(|| ncci_version(head));
        version.quarter = version.quarter.or_else(|| quarter(head));
    }
    for pair in parts.windows(2) {
        version.quarter = version
            .quarter
            .or_else(|| fee_schedule_release(pair[0], pair[1]));
    }
    (version.ncci.is_some() || version.quarter.is_some()).then_some(version)
}

/// `v30.1` (extensions after the minor version aside) or `v301r0`.
fn ncci_version(part: &str) -> Option<(u16, u16)> {
    let rest = part.strip_prefix('v')?;
    if let Some((major, minor)) = rest.split_once('.') {
        let minor = minor.split('.').next().unwrap_or(minor);
        return Some((number(major)?, number(minor)?));
    }
    let (digits, revision) = rest.split_once('r')?;
    number(revision)?;
    if digits.len() < 2 {
        return None;
    }
    let (major, minor) = digits.split_at(digits.len() - 1);
    Some((number(major)?, number(minor)?))
}

/// `2024q2`.
fn quarter(part: &str) -> Option<(u16, u8)> {
    let (year, q) = part.split_once('q')?;
    let year = (year.len() == 4).then(|| number(year)).flatten()?;
    let q = u8::try_from(number(q)?)
        .ok()
        .filter(|q| (1..=4).contains(q))?;
    Some((year, q))
}

/// `pprrvu24` followed by `jan` (extensions aside): the quarter the release opens.
fn fee_schedule_release(name: &str, month: &str) -> Option<(u16, u8)> {
    let year = number(name.strip_prefix("pprrvu")?)?;
    let year = match year {
        0..=99 => 2000 + year,
        1000..=9999 => year,
        _ => return None,
    };
    let month = month.split('.').next().unwrap_or(month);
    let q = match month {
        "jan" => 1,
        "apr" => 2,
        "jul" => 3,
        "oct" => 4,
        _ => return None,
    };
    Some((year, q))
}

/// Digits only, as a number.
fn number(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::shipped_ptp("ptp_practitioner_v30.1_2024q2.tsv.zst", Some((30, 1)), Some((2024, 2)))]
    #[case::shipped_ptp_as_cited("ptp_practitioner_v30.1_2024q2.tsv", Some((30, 1)), Some((2024, 2)))]
    #[case::shipped_mue("mue_2024q2.tsv.zst", None, Some((2024, 2)))]
    #[case::with_folders("policies/tables/ncci/mue_2024q2.tsv.zst", None, Some((2024, 2)))]
    #[case::cms_distribution("ccipra-v301r0-f1.txt", Some((30, 1)), None)]
    #[case::cms_distribution_later("ccipra-v322r0-f1.excerpt.txt", Some((32, 2)), None)]
    #[case::upper_case("PTP_V31.0_2025Q1.TSV", Some((31, 0)), Some((2025, 1)))]
    #[case::gzip("ptp-v30.3-2024q4.txt.gz", Some((30, 3)), Some((2024, 4)))]
    #[case::bare_version("v16.1", Some((16, 1)), None)]
    #[case::fee_schedule("PPRRVU24_JAN.csv", None, Some((2024, 1)))]
    #[case::fee_schedule_excerpt("tables/mpfs/PPRRVU25_OCT.excerpt.csv", None, Some((2025, 4)))]
    fn a_versioned_name_reads(
        #[case] name: &str,
        #[case] ncci: Option<(u16, u16)>,
        #[case] quarter: Option<(u16, u8)>,
    ) {
        assert_eq!(table_version(name), Some(TableVersion { ncci, quarter }));
    }

    #[rstest]
    #[case::code_table("add-on-codes.csv")]
    #[case::excerpt("ncci-ptp.tsv")]
    #[case::a_fifth_quarter("mue_2024q5.tsv")]
    #[case::a_two_digit_year("mue_24q2.tsv")]
    #[case::v_without_digits("vocabulary.tsv")]
    #[case::version_without_minor("ptp_v30.tsv")]
    #[case::revision_without_digits("ccipra-v301r-f1.txt")]
    #[case::fee_schedule_without_month("PPRRVU24.csv")]
    #[case::empty("")]
    #[case::only_separators("_-_.")]
    fn a_name_without_a_version_reads_as_none(#[case] name: &str) {
        assert_eq!(table_version(name), None);
    }

    #[rstest]
    #[case("ptp_practitioner_v30.1_2024q2.tsv.zst", "NCCI 30.1, 2024 Q2")]
    #[case("mue_2024q2.tsv.zst", "2024 Q2")]
    #[case("ccipra-v301r0-f1.txt", "NCCI 30.1")]
    fn a_version_reads_aloud(#[case] name: &str, #[case] shown: &str) {
        let version = table_version(name).expect("a version");
        assert_eq!(version.to_string(), shown);
    }
}
