//! The checks of the parties' identifiers: a National Provider Identifier, a member id and an
//! individual relationship code.

/// The most characters of a member id: the 837P's maximum for `NM109`.
pub const MAX_MEMBER_ID_CHARS: usize = 80;

/// Whether `code` is an individual relationship code (X12 `SBR02`, `PAT01`): two digits, such
/// as `18` (self).
pub fn is_relationship_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `npi` is a National Provider Identifier: ten digits whose last is the Luhn check
/// digit of the other nine prefixed with `80840` (the CMS check-digit algorithm).
pub fn npi_is_valid(npi: &str) -> bool {
    let bytes = npi.as_bytes();
    if bytes.len() != 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Luhn over 80840 + the first nine digits; the prefix's contribution is the constant 24.
    let mut sum = 24;
    for (i, b) in bytes[..9].iter().rev().enumerate() {
        let d = u32::from(b - b'0');
        sum += if i % 2 == 0 {
            let twice = d * 2;
            twice / 10 + twice % 10
        } else {
            d
        };
    }
    let check = (10 - sum % 10) % 10;
    u32::from(bytes[9] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_npi_check_digit() {
        assert!(npi_is_valid("1234567893"));
        assert!(!npi_is_valid("1234567890"));
        assert!(!npi_is_valid("123456789"));
        assert!(!npi_is_valid("12345678931"));
        assert!(!npi_is_valid("123456789X"));
        assert!(!npi_is_valid(""));
    }

    #[test]
    fn agrees_with_luhn_over_the_prefixed_number() {
        fn luhn(digits: &str) -> bool {
            let mut sum = 0;
            for (i, b) in digits.bytes().rev().enumerate() {
                let d = u32::from(b - b'0');
                sum += if i % 2 == 1 {
                    (d * 2) / 10 + (d * 2) % 10
                } else {
                    d
                };
            }
            sum % 10 == 0
        }
        for n in (1_000_000_000u64..1_000_000_000 + 2000).chain([1234567893, 9999999999]) {
            let text = n.to_string();
            assert_eq!(npi_is_valid(&text), luhn(&format!("80840{text}")), "{text}");
        }
    }
}
