//! The engine: packs loaded, checked and indexed once, then shared by every evaluation.

use std::path::PathBuf;

use crate::check::{self, Layout, PackOrigin, TableRow};
use crate::claim::read::parser;
use crate::claim::{parse_claim, Claim, NormalizedClaim, RawClaim};
use crate::diagnostic::{Diagnostics, PolicyDiagnostic};
use crate::eval;
use crate::eval::found::Outcome;
pub use crate::eval::EvalOptions;
use crate::history::HistoryView;
use crate::input::{ClaimInput, Claims, ReadClaim};
use crate::ir::{PackId, Program};
use crate::pack::{
    data_files_at, limits, locate_data, read_pack, DataLocation, NamedStandard, PackSource,
    PackUnreadable, TableOrigin, TableSource, STANDARD_NAME,
};
use crate::report::{ClaimFacts, ClaimResult, OutputFormat};
use crate::syntax::ast::Item;
use crate::syntax::{parse_policy, span::SourceFile};

/// Loaded policies, ready to judge claims. Cheap to share: `Engine` is `Send + Sync`, and
/// evaluating a claim only reads it.
#[derive(Debug)]
pub struct Engine {
    program: Program,
    /// How the engine was built, so that a variant can be built from the same packs.
    builder: EngineBuilder,
    /// What the checker warns about in the loaded packs; they load all the same.
    warnings: Diagnostics,
    /// Where each table's data came from, in the order the tables were read.
    table_sources: Vec<TableSource>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

/// Which packs to load, in order; [`Engine::builder`] starts one with the standard pack.
///
/// ```no_run
/// use claimrules::{Engine, PackSource};
///
/// let engine = Engine::builder()
///     .pack(PackSource::Dir("examples/packs/acme-health".into()))
///     .build()?;
/// # Ok::<(), claimrules::Diagnostics>(())
/// ```
#[derive(Debug, Clone)]
pub struct EngineBuilder {
    sources: Vec<PackSource>,
    given_rows: Vec<TableRow>,
    /// Tables pointed at other data: `--table NAME=PATH`.
    table_paths: Vec<(String, PathBuf)>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            sources: vec![PackSource::Standard],
            given_rows: Vec::new(),
            table_paths: Vec::new(),
        }
    }
}

impl EngineBuilder {
    /// Leaves the embedded standard pack out.
    pub fn without_standard_pack(mut self) -> Self {
        self.sources.retain(|s| *s != PackSource::Standard);
        self
    }

    /// Layers a pack over those added before it.
    pub fn pack(mut self, source: PackSource) -> Self {
        self.sources.push(source);
        self
    }

    /// Layers a policy given as text (a test, an editor buffer).
    pub fn policy(self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.pack(PackSource::Texts(vec![(name.into(), text.into())]))
    }

    /// Puts a row in place of the data file's row for its code in the table it names (a
    /// policy test's `given table … row …`).
    #[doc(hidden)]
    pub fn table_row(mut self, row: TableRow) -> Self {
        self.given_rows.push(row);
        self
    }

    /// Points a table that a pack declares at other data: a file, or a folder whose files are
    /// all read (CMS ships the PTP table as `-f1` … `-f4`). A payer drops in next quarter's
    /// files this way without editing a policy. Naming a table no pack declares is an error
    /// when the engine is built.
    pub fn table_data(mut self, table: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        let table = table.into();
        self.table_paths.retain(|(t, _)| *t != table);
        self.table_paths.push((table, path.into()));
        self
    }

    /// Reads, parses and checks every pack. A pack folder named `standard` is an error while
    /// the embedded standard pack is loaded ([`EngineBuilder::without_standard_pack`] lets it
    /// replace it). On failure, every diagnostic found, errors first and warnings after; on
    /// success the warnings stay with the engine ([`Engine::warnings`]).
    pub fn build(self) -> Result<Engine, Diagnostics> {
        let builder = self.clone();
        let mut diagnostics = Diagnostics::default();
        let mut files = Vec::new();
        // The pack each file came from, so that its tables are read from that pack.
        let mut layout = Layout::default();
        for (i, source) in self.sources.iter().enumerate() {
            match read_pack(source) {
                Ok(texts) => {
                    layout
                        .file_pack
                        .extend(std::iter::repeat_n(i as PackId, texts.len()));
                    files.extend(texts);
                }
                Err(d) => diagnostics.push(d),
            }
            layout.packs.push(PackOrigin {
                source: source.to_string(),
                default_name: default_pack_name(source, &layout.packs),
            });
        }
        let mut parsed = Vec::with_capacity(files.len());
        for file in files {
            let source = SourceFile::new(file.name, file.text);
            let (ast, errors) = parse_policy(&source.text);
            for e in errors {
                diagnostics.push(PolicyDiagnostic::in_file(e, &source));
            }
            parsed.push((source, ast));
        }
        for d in named_standard(&self.sources, &layout, &parsed) {
            diagnostics.push(d);
        }
        let rules: usize = parsed
            .iter()
            .map(|(_, ast)| {
                ast.items
                    .iter()
                    .filter(|i| matches!(i, Item::Rule(_) | Item::Disable(_) | Item::Change(_)))
                    .count()
            })
            .sum();
        if rules > limits::MAX_RULES {
            diagnostics.push(PolicyDiagnostic::general(PackUnreadable {
                what: "packs",
                path: self
                    .sources
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                reason: format!(
                    "they hold {rules} rules, over the limit of {}",
                    limits::MAX_RULES
                ),
                help: "write code-to-code edits as a table a rule reads, not one rule each".into(),
            }));
        }
        // A file that does not parse would make the checker report names it defines as unknown;
        // the syntax errors are the ones to fix first.
        if !diagnostics.is_empty() {
            diagnostics.sort();
            return Err(diagnostics);
        }
        let sources = &self.sources;
        let table_paths = &self.table_paths;
        // Each location decided is also recorded, so that `claimrules packs` shows where every
        // table in force came from without deciding it a second time.
        let table_sources = std::cell::RefCell::new(Vec::new());
        let read = |pack: PackId, table: &str, path: &str| -> Result<DataLocation, String> {
            let (origin, location) =
                if let Some((_, given)) = table_paths.iter().find(|(t, _)| t == table) {
                    let location = data_files_at(given).map_err(|e| {
                        format!("`--table {table}=…` points at data that cannot be read: {e}")
                    })?;
                    (TableOrigin::Override, location)
                } else {
                    match sources.get(pack as usize) {
                        Some(source) => (TableOrigin::Pack, locate_data(source, path)?),
                        None => return Err("the policy file's pack is not known".to_string()),
                    }
                };
            table_sources.borrow_mut().push(TableSource {
                table: table.to_string(),
                pack,
                origin,
                location: location.clone(),
            });
            Ok(location)
        };
        let (program, check_diagnostics) = check::check(parsed, layout, &read, &self.given_rows);
        for d in check_diagnostics {
            diagnostics.push(d);
        }
        if let Some(program) = &program {
            for d in unknown_tables(program, table_paths) {
                diagnostics.push(d);
            }
        }
        diagnostics.sort();
        match program {
            Some(program) if !diagnostics.has_errors() => Ok(Engine {
                program,
                builder,
                warnings: diagnostics,
                table_sources: table_sources.into_inner(),
            }),
            _ => Err(diagnostics),
        }
    }
}

/// An error for each pack folder whose manifest names it `standard` while the embedded standard
/// pack is loaded too: the folder would otherwise take its place, or clash with it rule by rule,
/// without a word about why.
fn named_standard(
    sources: &[PackSource],
    layout: &Layout,
    parsed: &[(SourceFile, crate::syntax::ast::PolicyFile)],
) -> Vec<PolicyDiagnostic> {
    if !sources.contains(&PackSource::Standard) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (i, (source, ast)) in parsed.iter().enumerate() {
        let pack = layout.file_pack.get(i).map(|p| *p as usize);
        let Some(PackSource::Dir(dir)) = pack.and_then(|p| sources.get(p)) else {
            continue;
        };
        for item in &ast.items {
            if let Item::Pack(decl) = item {
                if decl.name.text == STANDARD_NAME {
                    let e = NamedStandard {
                        folder: dir.display().to_string(),
                        span: decl.name.span.into(),
                    };
                    found.push(PolicyDiagnostic::in_file(e, source));
                }
            }
        }
    }
    found
}

/// An error for each `--table NAME=PATH` whose table no loaded pack declares.
fn unknown_tables(program: &Program, table_paths: &[(String, PathBuf)]) -> Vec<PolicyDiagnostic> {
    let declared: Vec<&str> = program
        .tables
        .iter()
        .map(|t| &*t.name)
        .chain(program.edit_tables.iter().map(|t| &*t.name))
        .collect();
    table_paths
        .iter()
        .filter(|(name, _)| !declared.contains(&name.as_str()))
        .map(|(name, path)| {
            PolicyDiagnostic::general(PackUnreadable {
                what: "table",
                path: format!("{name}={}", path.display()),
                reason: format!("no loaded pack declares a table `{name}`"),
                help: crate::spelling::did_you_mean(name, declared.iter().copied(), "table"),
            })
        })
        .collect()
}

/// The name a pack goes by when it has no manifest: `standard`, its folder's name, or its first
/// file's; made unique with `#2`, `#3`… when packs share one.
fn default_pack_name(source: &PackSource, earlier: &[PackOrigin]) -> String {
    let base = match source {
        PackSource::Standard => crate::pack::STANDARD_NAME.to_string(),
        PackSource::Dir(dir) => dir
            .canonicalize()
            .ok()
            .as_deref()
            .unwrap_or(dir)
            .file_name()
            .map_or_else(
                || dir.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
        PackSource::Texts(texts) => texts
            .first()
            .map_or_else(|| "policies".to_string(), |(name, _)| name.clone()),
    };
    let mut name = base.clone();
    let mut n = 1;
    while earlier.iter().any(|p| p.default_name == name) {
        n += 1;
        name = format!("{base}#{n}");
    }
    name
}

impl Engine {
    /// Starts an engine with the standard pack; add packs and call
    /// [`build`](EngineBuilder::build).
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The standard pack alone.
    pub fn standard() -> Result<Engine, Diagnostics> {
        Engine::builder().build()
    }

    /// Judges one claim built or deserialized by the caller. It gets the same defaults and
    /// checks as a claim read from JSON (line numbers, approaches, duplicate lines).
    pub fn evaluate(&self, claim: &Claim, options: EvalOptions) -> ClaimResult {
        match NormalizedClaim::new(claim.clone()) {
            Ok(claim) => self.evaluate_normalized(&claim, options),
            Err((claim, errors)) => {
                ClaimResult::error(Some(claim.id), errors).explained(options.explain)
            }
        }
    }

    /// Judges a claim normalized once ([`NormalizedClaim::new`]), without copying it: for
    /// callers that hold many claims in memory and judge them repeatedly, such as a benchmark.
    pub fn evaluate_normalized(
        &self,
        claim: &NormalizedClaim,
        options: EvalOptions,
    ) -> ClaimResult {
        eval::evaluate(&self.program, claim, HistoryView::Alone, options)
    }

    /// Judges a normalized claim with the patient's earlier claims: what `check --history`
    /// does for each claim, after finding the member's recorded lines. The evaluation keeps to
    /// the lines the claim sees (dated on or before its date of service, not its own claim id).
    pub fn evaluate_with_history(
        &self,
        claim: &NormalizedClaim,
        history: HistoryView<'_>,
        options: EvalOptions,
    ) -> ClaimResult {
        eval::evaluate(&self.program, claim, history, options)
    }

    /// Judges one claim given as JSON text; a claim that does not read becomes an `error`
    /// result naming the JSON path and input line.
    pub fn evaluate_raw(&self, raw: &RawClaim, options: EvalOptions) -> ClaimResult {
        self.judge_raw(raw, options).into_result()
    }

    /// Judges one claim given as JSON text and appends its result to `out` in `format`: the
    /// bytes [`OutputFormat::write_result`] writes for [`Engine::evaluate_raw`]'s result, without
    /// making the result's findings owned values first (their rule ids, policy files, tables
    /// and packs are written from the engine's own). `first` is whether it is the first result
    /// of the output. `claimrules check` writes each claim's result the same way; this is the
    /// way to judge claims at volume from Rust.
    pub fn write_raw(
        &self,
        raw: &RawClaim,
        options: EvalOptions,
        format: OutputFormat,
        first: bool,
        out: &mut Vec<u8>,
    ) {
        self.judge_raw(raw, options).write(format, first, out);
    }

    fn judge_raw(&self, raw: &RawClaim, options: EvalOptions) -> Outcome<'_> {
        // `parse_claim` has normalized the claim already.
        let outcome = match parser(options.reference)(raw) {
            Ok(claim) => eval::judge(&self.program, &claim, HistoryView::Alone, options),
            Err((id, errors)) => {
                Outcome::Result(ClaimResult::error(id, errors).explained(options.explain))
            }
        };
        with_line(outcome, Some(raw.line))
    }

    /// A claim's documentation facts after its note is read, and where each came from (what
    /// `claimrules facts` prints). A claim that does not read gives the errors instead.
    pub fn documentation_facts(&self, input: &ClaimInput) -> ClaimFacts {
        let (mut facts, line) = match input {
            ClaimInput::Json(raw) => match parse_claim(raw) {
                Ok(claim) => (eval::documentation(&self.program, &claim), Some(raw.line)),
                Err((id, errors)) => (ClaimFacts::error(id, errors), Some(raw.line)),
            },
            ClaimInput::Claim { claim, line } => {
                (eval::documentation(&self.program, claim), Some(*line))
            }
            ClaimInput::Unreadable { id, errors } => {
                (ClaimFacts::error(id.clone(), errors.clone()), None)
            }
        };
        for e in &mut facts.errors {
            if e.line.is_none() {
                e.line = line;
            }
        }
        facts
    }

    /// Judges one claim as an input reader found it.
    pub fn evaluate_item(&self, input: &ClaimInput, options: EvalOptions) -> ClaimResult {
        self.judge_item(input, options).into_result()
    }

    /// Judges one claim as an input reader found it, as [`Engine::evaluate_item`] does, giving
    /// its findings as recorded, for the batch to write without owning them.
    pub(crate) fn judge_item(&self, input: &ClaimInput, options: EvalOptions) -> Outcome<'_> {
        let read = input.read_by(parser(options.reference));
        self.judge_read(input, &read, HistoryView::Alone, options)
    }

    /// Judges a claim of `input` as [`ClaimInput::normalized`] read it, with what is known of the
    /// patient's earlier claims: a claim that did not read is an `error` result, and an error
    /// of the evaluation names the input line the claim starts on. The one way from a read
    /// claim to its result, for [`Engine::evaluate_item`] and for claims judged against the
    /// history store.
    pub fn evaluate_read(
        &self,
        input: &ClaimInput,
        read: &ReadClaim<'_>,
        history: HistoryView<'_>,
        options: EvalOptions,
    ) -> ClaimResult {
        self.judge_read(input, read, history, options).into_result()
    }

    /// [`Engine::evaluate_read`], giving the claim's findings as recorded.
    fn judge_read(
        &self,
        input: &ClaimInput,
        read: &ReadClaim<'_>,
        history: HistoryView<'_>,
        options: EvalOptions,
    ) -> Outcome<'_> {
        match read {
            Ok(claim) => with_line(
                eval::judge(&self.program, claim, history, options),
                input.line(),
            ),
            Err((id, errors)) => Outcome::Result(
                ClaimResult::error(id.clone(), errors.clone()).explained(options.explain),
            ),
        }
    }

    /// Judges every claim of an input (JSON: one object, an array or NDJSON; or X12 837P), one
    /// result per claim in input order.
    pub fn evaluate_input(&self, input: &str, options: EvalOptions) -> Vec<ClaimResult> {
        Claims::new(input.as_bytes(), None)
            .map(|item| self.evaluate_item(&item.claim, options))
            .collect()
    }

    /// The checker's warnings about the loaded packs: rules that can never fire, rules that
    /// repeat another, names never used, pair edits that contradict each other.
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// The same packs again with these table rows in force as well: a policy test's `given`.
    #[doc(hidden)]
    pub fn with_table_rows(&self, rows: &[TableRow]) -> Result<Engine, Diagnostics> {
        let mut builder = self.builder.clone();
        builder.given_rows.extend_from_slice(rows);
        builder.build()
    }

    /// A loaded pack and the packs it is layered on (its `extends`, down to the bottom),
    /// bottom first.
    #[doc(hidden)]
    pub fn pack_chain(&self, pack: PackId) -> Vec<PackId> {
        let mut chain = Vec::new();
        let mut at = Some(pack);
        while let Some(p) = at {
            chain.push(p);
            at = self.program.packs.get(p as usize).and_then(|p| p.extends);
        }
        chain.reverse();
        chain
    }

    /// The engine of one loaded pack as its authors test it: the pack on the packs it is
    /// layered on ([`Engine::pack_chain`]), without the packs beside or above it.
    #[doc(hidden)]
    pub fn pack_layer(&self, pack: PackId) -> Result<Engine, Diagnostics> {
        let builder = EngineBuilder {
            sources: self
                .pack_chain(pack)
                .into_iter()
                .filter_map(|i| self.builder.sources.get(i as usize).cloned())
                .collect(),
            given_rows: self.builder.given_rows.clone(),
            table_paths: self.builder.table_paths.clone(),
        };
        builder.build()
    }

    /// Where each loaded pack was read from, bottom first (parallel to `program().packs`).
    pub fn pack_sources(&self) -> &[PackSource] {
        &self.builder.sources
    }

    /// Where the data of each table in force came from (a pack's own file or a `--table`
    /// override), in the order the tables were read.
    pub fn table_sources(&self) -> &[TableSource] {
        &self.table_sources
    }

    /// The compiled policies, for tools that inspect them.
    #[doc(hidden)]
    pub fn program(&self) -> &Program {
        &self.program
    }
}

/// The outcome with `line`, the input line its claim starts on (when known), given to each
/// error of an `error` result that names none. A claim judged has no errors.
fn with_line(outcome: Outcome<'_>, line: Option<u64>) -> Outcome<'_> {
    match (outcome, line) {
        (Outcome::Result(mut result), Some(line)) => {
            for e in &mut result.errors {
                e.line.get_or_insert(line);
            }
            Outcome::Result(result)
        }
        (outcome, _) => outcome,
    }
}
