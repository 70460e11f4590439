//! The wording of syntax errors: what pest expected, said in the analyst's words, with a help line.

use super::*;

pub(in crate::syntax) fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// Turns pest's error into one in the analyst's words.
pub(in crate::syntax) fn syntax_error(
    text: &str,
    chunk_start: usize,
    found_chunk_end: usize,
    error: pest::error::Error<Rule>,
) -> ParseError {
    use pest::error::InputLocation;
    let mut at = chunk_start
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let rest = &text[at.min(text.len())..];
    let found_len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i);
    let at_end =
        at >= found_chunk_end || text[at..found_chunk_end.min(text.len())].trim().is_empty();
    if !rest.starts_with(BOM) {
        if let Some(mistake) = super::shapes::known_mistake(text, at) {
            return ParseError::Mistake(mistake);
        }
    }
    if rest.starts_with(BOM) {
        return ParseError::Syntax(SyntaxError {
            found: "a byte-order mark (U+FEFF), an invisible character".to_string(),
            expected: join_or(&expected_words(&error)),
            span: (at, BOM.len_utf8()).into(),
            help: "delete it: a byte-order mark may only start a file, and most editors do not show it".to_string(),
        });
    }
    let (found, span_len) = if at_end {
        // Point just after the item's last word rather than at the next item.
        at = chunk_start + text[chunk_start..at.min(text.len())].trim_end().len();
        ("the end of the item".to_string(), 0)
    } else {
        (format!("`{}`", &rest[..found_len]), found_len)
    };
    let expected = expected_words(&error);
    let help = if found.starts_with("`\"") && !rest.lines().next().unwrap_or("")[1..].contains('"')
    {
        "this text is not closed: end it with `\"` on the same line".to_string()
    } else {
        help_for(&expected)
    };
    ParseError::Syntax(SyntaxError {
        found,
        expected: join_or(&expected),
        span: (at, span_len).into(),
        help,
    })
}

/// What the grammar expected where `error` is, in an analyst's words, the most telling first.
pub(super) fn expected_words(error: &pest::error::Error<Rule>) -> Vec<&'static str> {
    let mut expected: Vec<&'static str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(words) = describe(*rule) {
                if !expected.contains(&words) {
                    expected.push(words);
                }
            }
        }
    }
    // Name only what matters most: a missing action is the news, not that a condition could
    // also have gone on with `and`.
    if let Some(best) = expected.iter().map(|e| tier(e)).min() {
        expected.retain(|e| tier(e) == best);
    }
    expected.sort_by_key(|e| tier(e));
    expected
}

/// What a grammar rule means to an analyst; `None` for rules too internal to mention.
pub(super) fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::fact_decl | Rule::kw_fact | Rule::kw_derived => "`fact`",
        Rule::codes_decl | Rule::kw_codes => "`codes`",
        Rule::diagnoses_decl | Rule::kw_diagnoses => "`diagnoses`",
        Rule::term_decl | Rule::kw_term => "`term`",
        Rule::phrase_decl | Rule::kw_phrase => "`phrase`",
        Rule::cue_decl | Rule::kw_cue => "`cue`",
        Rule::abbreviation_decl | Rule::kw_abbreviation => "`abbreviation`",
        Rule::phrase_means => "`means`",
        Rule::phrase_measures | Rule::kw_measures => "`measures`",
        Rule::cue_kind => {
            "a kind of cue (negation, hypothetical, historical, removal, pseudo, boundary)"
        }
        Rule::cue_side => "`before` or `after`",
        Rule::phrase_list => "a quoted phrase",
        Rule::rule_decl | Rule::kw_rule => "`rule`",
        Rule::table_decl | Rule::kw_table => "`table`",
        Rule::column_decl | Rule::kw_column => "`column`",
        Rule::kw_from => "`from`",
        Rule::disable_reason | Rule::kw_reason => {
            "`reason` and why the rule is disabled, in quotes"
        }
        Rule::change_reason | Rule::kw_change_reason => {
            "`reason` and why the rule's action is changed, in quotes"
        }
        Rule::kw_to => "`to` and the action the rule takes instead",
        Rule::change_action => "`deny`, `review` or `info`",
        Rule::effective | Rule::kw_effective => "`effective` and a date",
        Rule::same_reason | Rule::kw_as => "`same reason as` and rule ids",
        Rule::kw_until => "`until` and a date",
        Rule::pack_decl | Rule::kw_pack => "`pack`",
        Rule::pack_version | Rule::kw_version => "`version`",
        Rule::pack_extends | Rule::kw_extends => "`extends`",
        Rule::pack_description | Rule::kw_description => "`description`",
        Rule::given_row | Rule::kw_given => "`given table` or `given history`",
        Rule::given_history | Rule::kw_history => "`given history claim` and a claim id",
        Rule::history_provider | Rule::history_place | Rule::history_denied => {
            "`modifier`, `units`, `provider`, `place of service` or `denied`"
        }
        Rule::provider_npi | Rule::kw_npi => "`npi` and a provider NPI",
        Rule::claim_file => "`from` and a claim file",
        Rule::column_type | Rule::kw_code | Rule::kw_procedures => {
            "a column type (`boolean`, `number`, `text`, `code`, `codes`, `diagnosis`, \
             `diagnoses` or `procedures`)"
        }
        Rule::table_key | Rule::kw_keyed | Rule::kw_by => "`keyed by diagnosis`",
        Rule::diagnosis_target => "`for each line diagnosis`",
        Rule::pcs_ref | Rule::pcs_pattern => "an ICD-10-PCS code or family such as `0QS*`",
        Rule::line_pointers | Rule::kw_pointers => "`diagnosis pointers` and numbers",
        Rule::code_attr => "a table column of the line's code, such as `code.mue`",
        Rule::line_attr | Rule::attr_comparison_code | Rule::kw_comparison | Rule::kw_charge => {
            "an attribute of the line (`comparison code`, `charge`)"
        }
        Rule::so_far | Rule::kw_so | Rule::kw_far => "`so far`",
        Rule::patient_field | Rule::kw_patient => "`patient age` or `patient sex`",
        Rule::kw_age | Rule::kw_sex => "`age` or `sex`",
        Rule::test_decl | Rule::kw_test => "`test`",
        Rule::test_claim => "`claim on` and a date, or `claim from` and a file",
        Rule::expectation | Rule::kw_expect => "`expect`",
        Rule::claim_line => "`line` and a code",
        Rule::claim_documented => "`documented` and facts",
        Rule::claim_diagnosis
        | Rule::claim_procedure
        | Rule::claim_pos
        | Rule::claim_provider
        | Rule::claim_payer
        | Rule::claim_source
        | Rule::claim_patient => "a part of the claim",
        Rule::line_modifiers
        | Rule::line_unit_count
        | Rule::line_session
        | Rule::line_comparison
        | Rule::line_charge_amount => {
            "`modifier`, `units`, `session`, `comparison code`, `charge` or `diagnosis pointers`"
        }
        Rule::patient_age
        | Rule::patient_born
        | Rule::patient_sex
        | Rule::patient_member
        | Rule::kw_born
        | Rule::kw_member => "`age`, `born`, `sex` or `member`",
        Rule::expect_status
        | Rule::expect_none
        | Rule::expect_finding
        | Rule::expect_derived
        | Rule::action_name => "what to expect (`status`, `deny`, `no`, `derived`, …)",
        Rule::doc_item | Rule::doc_list => "a fact and its value",
        Rule::on_date_of_service | Rule::kw_on => "`on the date of service`",
        Rule::rule_id => "a rule id such as `fluoroscopy.bundled-76000`",
        Rule::ident | Rule::field | Rule::name => "a name",
        Rule::string | Rule::message | Rule::set_name => "a text in double quotes",
        Rule::code_ref | Rule::code_like | Rule::code_range => {
            "a code, a code range or a code set name"
        }
        Rule::diag_ref | Rule::diag_pattern => "a diagnosis code or pattern such as `S82.*`",
        Rule::modifier_list | Rule::modifier_like => "a modifier such as `59`",
        Rule::kw_with => "`with`",
        Rule::kw_allowed | Rule::kw_denied | Rule::pair_allowed | Rule::pair_denied => {
            "`allowed` or `denied`"
        }
        Rule::kw_implies => "`implies`",
        Rule::kw_means => "`means`",
        Rule::kw_is | Rule::kw_are => "`is` or `are`",
        Rule::kw_each => "`each`",
        Rule::kw_line => "`line`",
        Rule::kw_in => "`in`",
        Rule::kw_has => "`has`",
        Rule::period
        | Rule::period_count
        | Rule::period_days
        | Rule::period_months
        | Rule::period_years
        | Rule::period_calendar_year
        | Rule::period_lifetime
        | Rule::period_date_of_service
        | Rule::kw_calendar
        | Rule::kw_lifetime
        | Rule::kw_months
        | Rule::kw_years => {
            "a period (`6 months`, `30 days`, `calendar year`, `lifetime`, `date of service`)"
        }
        Rule::kw_per => "`per` and a period, such as `per 6 months`",
        Rule::same_patient => "`for the same patient`",
        Rule::same_provider => "`by the same provider`",
        Rule::including_denied | Rule::kw_including | Rule::kw_lines => "`including denied lines`",
        Rule::same_code
        | Rule::same_date
        | Rule::same_modifiers
        | Rule::same_provider_attr
        | Rule::same_units
        | Rule::same_place
        | Rule::kw_modifiers => {
            "what is the same (`code`, `date of service`, `modifiers`, `provider`, `units`, `place of service`)"
        }
        Rule::kw_days => "`days`",
        Rule::kw_a => "`a line in` and codes",
        Rule::across_claims | Rule::kw_across | Rule::kw_claims => {
            "`across claims of the same provider`"
        }
        Rule::kw_than => "`than`",
        Rule::condition
        | Rule::frequency
        | Rule::earlier_claim_same
        | Rule::within_after
        | Rule::kw_more
        | Rule::kw_within
        | Rule::op_not
        | Rule::kw_not
        | Rule::line_has_modifier
        | Rule::line_has_attr
        | Rule::line_attr_is
        | Rule::line_units
        | Rule::line_charge
        | Rule::range_test
        | Rule::units_total
        | Rule::line_is
        | Rule::other_line_has
        | Rule::units_of
        | Rule::the_other_line
        | Rule::claim_has_code
        | Rule::claim_has_diagnosis
        | Rule::claim_has_modifier
        | Rule::claim_has_procedure
        | Rule::line_diagnosis
        | Rule::line_has_pointers
        | Rule::diagnosis_none
        | Rule::kw_no_line
        | Rule::procedure_approach
        | Rule::service_date
        | Rule::documented
        | Rule::missing
        | Rule::comparison
        | Rule::membership => "a condition",
        Rule::op_and | Rule::op_or | Rule::kw_and | Rule::kw_or => "`and`/`or`",
        Rule::rule_target | Rule::kw_for => "`for each line in …`",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::unless_clause | Rule::kw_unless => "`unless`",
        Rule::deny_action
        | Rule::review_action
        | Rule::info_action
        | Rule::suggest_action
        | Rule::modify_action
        | Rule::kw_deny
        | Rule::kw_review
        | Rule::kw_info
        | Rule::kw_suggest
        | Rule::kw_modify => "an action (`deny`, `review`, `suggest`, `modify` or `info`)",
        Rule::add_modifier
        | Rule::remove_modifier
        | Rule::remove_line
        | Rule::merge_lines
        | Rule::kw_add
        | Rule::kw_remove
        | Rule::kw_merge => {
            "`add modifier`, `remove modifier`, `remove line` or `merge with the other line`"
        }
        Rule::kw_message | Rule::pair_message => "`message`",
        Rule::edits_bypass | Rule::kw_bypass => {
            "`bypass with modifier …` or `bypass with different site modifiers …`"
        }
        Rule::bypass_sites | Rule::kw_different | Rule::kw_site => {
            "`modifier` or `different site modifiers`"
        }
        Rule::cmp_op | Rule::is_not => "a comparison (`is`, `is not`, `=`, `<`, `>`, …)",
        Rule::literal_list | Rule::number | Rule::word | Rule::bool_true | Rule::bool_false => {
            "a value"
        }
        Rule::date_like => "a date such as `2010-04-01`",
        Rule::cci_version | Rule::kw_cci => "an NCCI version such as `CCI 16.1`",
        Rule::version_like => "a version number such as `16.1`",
        Rule::date_before
        | Rule::date_after
        | Rule::date_between
        | Rule::kw_before
        | Rule::kw_after => "`before`, `after` or `between`",
        Rule::same_session => "`in the same session`",
        Rule::of_same_code => "`of the same code`",
        Rule::on_same_date => "`on the same date of service`",
        Rule::line_where | Rule::kw_where => "`where` and a condition in parentheses",
        Rule::other_has_modifier | Rule::other_is | Rule::other_units | Rule::kw_other => {
            "`has modifier …`, `is …` or `units …` of the other line"
        }
        Rule::type_boolean
        | Rule::type_number
        | Rule::type_text
        | Rule::type_list
        | Rule::type_one_of
        | Rule::kw_boolean
        | Rule::kw_number
        | Rule::kw_text
        | Rule::kw_list
        | Rule::kw_one => "a fact type (`boolean`, `number`, `text`, `list of …`, `one of …`)",
        Rule::value_choices => "a list of values in parentheses",
        Rule::conclusion => "a conclusion (a fact, `approach is open` or `guidance has endoscope`)",
        _ => return None,
    })
}

/// How much an expectation tells the analyst: 0 is the missing piece itself, 2 is a way the
/// text could merely have gone on.
pub(super) fn tier(expected: &str) -> u8 {
    match expected {
        "`and`/`or`" | "`in`" | "`has`" | "`in the same session`" => 2,
        e if e.starts_with("a comparison") => 2,
        "`when`"
        | "`same reason as` and rule ids"
        | "`unless`"
        | "`for each line in …`"
        | "`message`"
        | "`rule`"
        | "`fact`"
        | "`codes`"
        | "`diagnoses`"
        | "`term`"
        | "`table`"
        | "`column`"
        | "the end of the file" => 1,
        _ => 0,
    }
}

pub(super) fn help_for(expected: &[&str]) -> String {
    let any = |needle: &str| expected.iter().any(|e| e.contains(needle));
    if any("double quotes") {
        "messages and names are written in double quotes, e.g. `deny \"77002 is bundled into 27093\"`".into()
    } else if any("version") || any("a date") {
        "NCCI versions are written `CCI 16.1`; dates as `2010-04-01`".into()
    } else if any("`allowed` or `denied`") {
        "a pair edit reads `77002 with 27093 allowed after CCI 16.1` or `76000 with 77002 denied`"
            .into()
    } else if any("a conclusion") {
        "`implies` concludes one fact: `open`, `approach is open`, `film_archived is no` or `guidance has endoscope`".into()
    } else if any("`to` and") || any("`deny`, `review` or `info`") {
        "a change of action reads `change rule ID to review reason \"…\"`".into()
    } else if any("an action") {
        "a rule ends with what to do, e.g. `review \"{code} needs documentation\"`".into()
    } else if any("attribute of the line") {
        "a rule tests the line it judges with `line is 27093`, `line has modifier 26`, `line units > 1`, or an attribute of the line: `line comparison code is 27762`, `line has comparison code`".into()
    } else if any("condition") {
        "a condition tests the claim, e.g. `claim has 27093`, `line has modifier 26` or `guidance has fluoroscopy`".into()
    } else if any("code") {
        "codes are written as on the claim (`77002`, `0201T`), ranges as `27000-27299`, sets by name in quotes".into()
    } else if any("`rule`") || any("end of the file") {
        "each item starts with `rule`, `fact`, `codes`, `diagnoses`, `term` or `table` at the start of a line".into()
    } else if let Some(first) = expected.first() {
        format!("write {first} here")
    } else {
        "see docs/language.md for the form of each statement".into()
    }
}

pub(super) fn join_or(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {}", rest.join(", "), last),
    }
}
