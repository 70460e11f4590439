//! Byte spans into a policy file, and the files themselves.

use std::sync::Arc;

/// A byte range in one policy file.
///
/// Spans are carried by every AST node for diagnostics, but two nodes that differ only in where
/// they were written are the same policy: `Span` therefore compares equal to every other span.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// Hashes nothing, as every span equals every other: an AST node hashes as the policy it
/// states, wherever it was written.
impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start as usize, span.len()).into()
    }
}

/// Identifies a loaded policy file within an engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A policy file's name (as shown in diagnostics and findings) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset. A byte-order mark that starts
    /// the file is not a column: the parser skips it.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let mut line_start = self.line_starts[line_index] as usize;
        if line_index == 0 && self.text.starts_with('\u{FEFF}') {
            line_start = '\u{FEFF}'.len_utf8().min(offset as usize);
        }
        let end = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(line_start..end)
            .map_or(end - line_start, |s| s.chars().count());
        (line_index as u32 + 1, column as u32 + 1)
    }

    /// The file as miette wants it for a diagnostic.
    pub fn named_source(&self) -> miette::NamedSource<Arc<str>> {
        miette::NamedSource::new(self.name.as_ref(), self.text.clone())
    }
}

/// A place in a policy: a file and a span in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}
