//! Diagnostics about policy files, with the file attached, and how they are shown.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, Severity};

use crate::syntax::span::SourceFile;

/// A diagnostic of any phase, tied to the policy file it is about.
///
/// Phase errors carry only a span; the loader attaches the file here, so that every error type
/// stays small and the file text is shared, not copied. Cloning shares the diagnostic.
#[derive(Clone)]
pub struct PolicyDiagnostic {
    inner: Arc<dyn Diagnostic + Send + Sync + 'static>,
    source: Option<NamedSource<Arc<str>>>,
    file: Option<Arc<str>>,
    position: Option<(u32, u32)>,
    /// 1-based line and column just past the primary label's span.
    end: Option<(u32, u32)>,
}

impl PolicyDiagnostic {
    /// A diagnostic about `file`; its first label gives its line and column.
    #[doc(hidden)]
    pub fn in_file(inner: impl Diagnostic + Send + Sync + 'static, file: &SourceFile) -> Self {
        let label = inner.labels().and_then(|mut labels| labels.next());
        let position = label
            .as_ref()
            .map(|label| file.line_col(label.offset() as u32));
        let end = label.map(|label| file.line_col((label.offset() + label.len()) as u32));
        PolicyDiagnostic {
            inner: Arc::new(inner),
            source: Some(file.named_source()),
            file: Some(file.name.clone()),
            position,
            end,
        }
    }

    /// A diagnostic about no file in particular (a folder that cannot be read, say).
    #[doc(hidden)]
    pub fn general(inner: impl Diagnostic + Send + Sync + 'static) -> Self {
        PolicyDiagnostic {
            inner: Arc::new(inner),
            source: None,
            file: None,
            position: None,
            end: None,
        }
    }

    /// The file's name as given to the loader.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// 1-based line and column of the primary label.
    pub fn position(&self) -> Option<(u32, u32)> {
        self.position
    }

    /// 1-based line and column just past the end of the primary label's span (the same as
    /// [`position`](Self::position) for an empty span).
    pub fn end_position(&self) -> Option<(u32, u32)> {
        self.end
    }

    /// The diagnostic for editors and tools (`lint --format json`): code, severity, file,
    /// 1-based line and column, message, the first label and the help line.
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.position().unzip();
        let label = self
            .labels()
            .and_then(|mut l| l.next())
            .and_then(|l| l.label().map(str::to_string));
        serde_json::json!({
            "code": self.code().map(|c| c.to_string()),
            "severity": if self.is_error() { "error" } else { "warning" },
            "file": self.file(),
            "line": line,
            "column": column,
            "message": self.to_string(),
            "label": label,
            "help": self.help().map(|h| h.to_string()),
        })
    }

    /// Whether it stops packs from loading (or a test from passing); warnings and advice do
    /// not.
    pub fn is_error(&self) -> bool {
        !matches!(
            self.severity(),
            Some(Severity::Warning) | Some(Severity::Advice)
        )
    }

    /// Renders the diagnostic as text for a terminal (`color`) or for a log or a snapshot.
    ///
    /// A label on a line longer than 4,000 bytes is not drawn under its line (miette cannot
    /// draw past column 65,535, and no one reads such a line): the diagnostic names the file,
    /// line and column instead.
    pub fn render(&self, color: bool, width: usize) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false);
        let mut out = String::new();
        let rendered = if self.on_a_long_line() {
            let rendered = handler.render_report(&mut out, &WithoutSource(self));
            if let (Some(file), Some((line, column))) = (&self.file, self.position) {
                out.push_str(&format!(
                    "  at {file}:{line}:{column} (the line is too long to show)\n"
                ));
            }
            rendered
        } else {
            handler.render_report(&mut out, self)
        };
        if rendered.is_err() {
            out = format!("{self}\n");
        }
        out
    }

    /// Whether a label is on a line longer than [`MAX_SHOWN_LINE`] bytes, or spans more.
    fn on_a_long_line(&self) -> bool {
        let (Some(source), Some(labels)) = (&self.source, self.inner.labels()) else {
            return false;
        };
        let text = source.inner().as_bytes();
        labels.into_iter().any(|label| {
            let start = label.offset().min(text.len());
            let end = (label.offset() + label.len()).min(text.len());
            let line_start = text[..start]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = text[end..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| end + i);
            line_end - line_start > MAX_SHOWN_LINE
        })
    }
}

/// The longest line, in bytes, drawn under a diagnostic.
const MAX_SHOWN_LINE: usize = 4_000;

/// A diagnostic without its source and labels: its message, code and help alone.
struct WithoutSource<'a>(&'a PolicyDiagnostic);

impl fmt::Debug for WithoutSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for WithoutSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for WithoutSource<'_> {}

impl Diagnostic for WithoutSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }
}

impl fmt::Debug for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.position) {
            (Some(file), Some((line, col))) => write!(f, "{file}:{line}:{col}: {}", self.inner),
            (Some(file), None) => write!(f, "{file}: {}", self.inner),
            _ => write!(f, "{}", self.inner),
        }
    }
}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for PolicyDiagnostic {}

impl Diagnostic for PolicyDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
            .or_else(|| self.inner.source_code())
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// Every diagnostic of a load, errors first, then warnings, each in file order: the error of
/// [`EngineBuilder::build`](crate::EngineBuilder::build), and the warnings of
/// [`Engine::warnings`](crate::Engine::warnings).
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<PolicyDiagnostic>);

impl Diagnostics {
    /// Adds a diagnostic at the end.
    pub fn push(&mut self, d: PolicyDiagnostic) {
        self.0.push(d);
    }
    /// Whether any of them is an error, not a warning: packs with one do not load.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(PolicyDiagnostic::is_error)
    }
    /// Whether there are none at all, warnings included.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many there are, warnings included.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Each diagnostic in order; [`PolicyDiagnostic::render`] shows one as the command does.
    pub fn iter(&self) -> impl Iterator<Item = &PolicyDiagnostic> {
        self.0.iter()
    }
    /// Orders errors before warnings; the order within each stays as found.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| !d.is_error());
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.0.iter().filter(|d| d.is_error()).count();
        write!(f, "the policies do not load: {errors} error(s)")
    }
}

impl std::error::Error for Diagnostics {}
