//! Splitting an X12 interchange into segments, one at a time, from a [`BufRead`].
//!
//! The delimiters come from each interchange's fixed-width ISA segment. Memory stays flat: one
//! segment is held at a time, and a segment over [`MAX_SEGMENT_BYTES`] is cut short (and
//! reported) rather than read whole.

use std::io::{self, BufRead};

use crate::input::limits::MAX_SEGMENT_BYTES;

/// The fixed length of an ISA segment, its terminator included.
pub(crate) const ISA_LEN: usize = 106;

/// Where ISA's element separator must stand (0-based): after ISA and each of ISA01..ISA15.
const ISA_SEPARATORS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];

/// The delimiters of one interchange, read from its ISA segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delimiters {
    pub element: u8,
    /// ISA11, when it is a separator (X12 4010 puts the letter `U` there instead).
    pub repetition: Option<u8>,
    pub component: u8,
    pub segment: u8,
}

impl Delimiters {
    /// The delimiters of a whole ISA segment (106 bytes, its terminator last), or why it is not
    /// one.
    pub(crate) fn from_isa(isa: &[u8]) -> Result<Delimiters, String> {
        let [b'I', b'S', b'A', element, ..] = isa else {
            return Err("it does not start with an ISA segment".into());
        };
        let element = *element;
        if isa.len() < ISA_LEN {
            return Err(format!(
                "the ISA segment is cut short ({} of its {ISA_LEN} bytes)",
                isa.len()
            ));
        }
        let at = |i: usize| isa.get(i).copied().unwrap_or(0);
        let printable = |b: u8| b.is_ascii() && !b.is_ascii_alphanumeric() && b != b' ';
        if !printable(element) || element.is_ascii_whitespace() {
            return Err(format!(
                "`{}` after ISA cannot be an element separator",
                shown(element)
            ));
        }
        for (i, b) in isa.iter().take(ISA_LEN - 2).enumerate() {
            let expected = ISA_SEPARATORS.contains(&i);
            if expected != (*b == element) {
                return Err(format!(
                    "the ISA segment is not laid out in its fixed widths (byte {} is `{}`)",
                    i + 1,
                    shown(*b)
                ));
            }
        }
        let component = at(104);
        let segment = at(105);
        if !printable(component) || component.is_ascii_whitespace() {
            return Err(format!(
                "ISA16 `{}` cannot be a component separator",
                shown(component)
            ));
        }
        if !segment.is_ascii() || segment.is_ascii_alphanumeric() || segment == b' ' {
            return Err(format!(
                "`{}` after ISA16 cannot be a segment terminator",
                shown(segment)
            ));
        }
        if segment == element || segment == component || component == element {
            return Err("the ISA segment uses one character for two delimiters".into());
        }
        let repetition = at(82);
        let repetition = (printable(repetition)
            && !repetition.is_ascii_whitespace()
            && ![element, component, segment].contains(&repetition))
        .then_some(repetition);
        Ok(Delimiters {
            element,
            repetition,
            component,
            segment,
        })
    }
}

/// A byte as it reads in a message.
fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        char::from(b).to_string()
    } else {
        format!("\\x{b:02X}")
    }
}

/// One segment of an interchange.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// The segment's text without its terminator (lossy UTF-8).
    text: String,
    element: char,
    component: char,
    /// The 1-based input line the segment starts on.
    pub line: u64,
    /// The 1-based position of the segment in its interchange (ISA is 1).
    pub number: u64,
}

impl Segment {
    /// The segment id: the text before the first element separator.
    pub(crate) fn id(&self) -> &str {
        self.element(0)
    }

    /// Element `n` (1-based; 0 is the id), empty when the segment has fewer.
    pub(crate) fn element(&self, n: usize) -> &str {
        self.text.split(self.element).nth(n).unwrap_or("")
    }

    /// The elements after the id, each with its 1-based position.
    pub(crate) fn elements(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text.split(self.element).enumerate().skip(1)
    }

    /// The components of composite element `n`, each with its 1-based position.
    pub(crate) fn components(&self, n: usize) -> impl Iterator<Item = (usize, &str)> {
        self.split_components(self.element(n))
    }

    /// The components of an element's text, each with its 1-based position.
    pub(crate) fn split_components<'a>(
        &self,
        element: &'a str,
    ) -> impl Iterator<Item = (usize, &'a str)> {
        element
            .split(self.component_separator(element))
            .enumerate()
            .map(|(i, c)| (i + 1, c))
    }

    /// Component `m` (1-based) of composite element `n`, empty when missing.
    pub(crate) fn component(&self, n: usize, m: usize) -> &str {
        self.split_components(self.element(n))
            .nth(m.saturating_sub(1))
            .map_or("", |(_, c)| c)
    }

    /// The separator `element`'s components are split at: ISA16's, unless the element lacks it
    /// and holds one of the two usual separators (`:`, `>`) instead. Some senders declare one
    /// in ISA16 and write the other (five of the public 837P samples do).
    fn component_separator(&self, element: &str) -> char {
        if element.contains(self.component) {
            return self.component;
        }
        [':', '>']
            .into_iter()
            .find(|c| *c != self.element && element.contains(*c))
            .unwrap_or(self.component)
    }
}

/// What the reader found next.
#[derive(Debug)]
pub(crate) enum Event {
    /// A segment (its id not yet checked). ISA opens an interchange and sets its delimiters.
    Segment(Segment),
    /// A segment longer than [`MAX_SEGMENT_BYTES`], skipped to its terminator. Only its id
    /// is kept (empty when the text before its first separator is not short).
    TooLong(Segment),
    /// An ISA inside an interchange (its IEA missing) that cannot be read: the segments after
    /// it are split with the last interchange's delimiters.
    BadIsa { segment: Segment, why: String },
    /// The input cannot be read on: not X12, or an I/O error. Nothing follows.
    Fatal { line: u64, message: String },
}

/// Segments of one or more interchanges, read from `reader` one at a time.
pub(crate) struct SegmentReader<R> {
    reader: R,
    /// The delimiters of the interchange being read; `None` between interchanges.
    delimiters: Option<Delimiters>,
    /// Bytes consumed from the reader.
    offset: u64,
    /// The 1-based line the reader is on.
    line: u64,
    /// Segments read in the current interchange.
    number: u64,
    /// The segment being read.
    buf: Vec<u8>,
    /// Whether an interchange has been read (so that a later non-ISA is trailing text).
    seen_interchange: bool,
    done: bool,
}

impl<R: BufRead> SegmentReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        SegmentReader {
            reader,
            delimiters: None,
            offset: 0,
            line: 1,
            number: 0,
            buf: Vec::new(),
            seen_interchange: false,
            done: false,
        }
    }

    /// Bytes consumed from the reader so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.offset += n as u64;
    }

    /// The next byte without consuming it; `None` at the end of the input.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.reader.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Skips whitespace (the line breaks many senders put after each terminator).
    fn skip_whitespace(&mut self) -> io::Result<()> {
        loop {
            let (skipped, newlines, more) = loop {
                match self.reader.fill_buf() {
                    Ok(buf) => {
                        let skipped = buf
                            .iter()
                            .position(|b| !b.is_ascii_whitespace())
                            .unwrap_or(buf.len());
                        let newlines = count_newlines(buf.get(..skipped).unwrap_or_default());
                        break (skipped, newlines, skipped == buf.len() && !buf.is_empty());
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.line += newlines;
            self.consume(skipped);
            if !more {
                return Ok(());
            }
        }
    }

    /// Reads up to `n` bytes into `self.buf` (fewer at the end of the input).
    fn read_up_to(&mut self, n: usize) -> io::Result<()> {
        self.buf.clear();
        while self.buf.len() < n {
            let taken = loop {
                match self.reader.fill_buf() {
                    Ok(buf) => {
                        let take = buf.len().min(n - self.buf.len());
                        let chunk = buf.get(..take).unwrap_or_default();
                        self.buf.extend_from_slice(chunk);
                        break take;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if taken == 0 {
                break;
            }
            self.consume(taken);
        }
        Ok(())
    }

    /// Reads one segment's bytes into `self.buf`, up to `terminator` (consumed, not kept) or the
    /// end of the input. Returns whether the segment was longer than the limit (then `buf`
    /// holds only its start).
    fn read_segment_bytes(&mut self, terminator: u8) -> io::Result<bool> {
        self.buf.clear();
        let mut length = 0usize;
        loop {
            let (taken, found, newlines) = loop {
                match self.reader.fill_buf() {
                    Ok(buf) => {
                        let end = buf.iter().position(|b| *b == terminator);
                        let body = buf.get(..end.unwrap_or(buf.len())).unwrap_or_default();
                        let room = MAX_SEGMENT_BYTES.saturating_sub(self.buf.len());
                        self.buf.extend_from_slice(
                            body.get(..room.min(body.len())).unwrap_or_default(),
                        );
                        let taken = body.len() + usize::from(end.is_some());
                        let newlines = count_newlines(buf.get(..taken).unwrap_or_default());
                        break (taken, end.is_some(), newlines);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            length = length.saturating_add(taken - usize::from(found));
            self.line += newlines;
            self.consume(taken);
            if found || taken == 0 {
                return Ok(length > MAX_SEGMENT_BYTES);
            }
        }
    }

    /// The next segment, or `None` at the end of the input.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        let event = self.read_event();
        if matches!(event, Some(Event::Fatal { .. }) | None) {
            self.done = true;
        }
        event
    }

    fn read_event(&mut self) -> Option<Event> {
        let line = self.line;
        match self.try_read_event() {
            Ok(event) => event,
            Err(e) => Some(Event::Fatal {
                line: self.line.max(line),
                message: format!("cannot read the input: {e}"),
            }),
        }
    }

    fn try_read_event(&mut self) -> io::Result<Option<Event>> {
        if self.offset == 0 {
            self.skip_bom()?;
        }
        self.skip_whitespace()?;
        if self.peek()?.is_none() {
            return Ok(None);
        }
        let line = self.line;
        let Some(delimiters) = self.delimiters else {
            return Ok(Some(self.read_isa(line)?));
        };
        let too_long = self.read_segment_bytes(delimiters.segment)?;
        // A CR before a line-feed terminator belongs to the line break, not the segment.
        while self.buf.last().is_some_and(|b| *b == b'\r' || *b == b'\n') {
            self.buf.pop();
        }
        self.number += 1;
        let text = String::from_utf8_lossy(&self.buf).into_owned();
        let segment = Segment {
            text,
            element: char::from(delimiters.element),
            component: char::from(delimiters.component),
            line,
            number: self.number,
        };
        if too_long {
            let id = segment.id();
            let text = if id.len() <= 3 {
                id.to_string()
            } else {
                String::new()
            };
            return Ok(Some(Event::TooLong(Segment { text, ..segment })));
        }
        match segment.id() {
            "IEA" => self.delimiters = None,
            "ISA" => {
                // A new interchange without the IEA of the last: read its delimiters when it
                // uses the same terminator (it was split at it).
                let mut isa = self.buf.clone();
                isa.push(delimiters.segment);
                return Ok(Some(match Delimiters::from_isa(&isa) {
                    Ok(d) => {
                        self.delimiters = Some(d);
                        self.number = 1;
                        Event::Segment(Segment {
                            element: char::from(d.element),
                            component: char::from(d.component),
                            number: 1,
                            ..segment
                        })
                    }
                    Err(why) => Event::BadIsa { segment, why },
                }));
            }
            _ => {}
        }
        Ok(Some(Event::Segment(segment)))
    }

    /// Skips a UTF-8 byte-order mark at the start of the input.
    fn skip_bom(&mut self) -> io::Result<()> {
        for &b in crate::input::BOM {
            if self.peek()? != Some(b) {
                return Ok(());
            }
            self.consume(1);
        }
        Ok(())
    }

    /// Reads the fixed-width ISA segment that opens an interchange.
    fn read_isa(&mut self, line: u64) -> io::Result<Event> {
        self.read_up_to(ISA_LEN)?;
        let delimiters = match Delimiters::from_isa(&self.buf) {
            Ok(d) => d,
            Err(why) => {
                let message = if self.seen_interchange {
                    format!("not an X12 interchange after the last IEA: {why}")
                } else {
                    format!("not an X12 interchange: {why}")
                };
                return Ok(Event::Fatal { line, message });
            }
        };
        self.line += count_newlines(&self.buf);
        self.delimiters = Some(delimiters);
        self.seen_interchange = true;
        self.number = 1;
        let body = self.buf.get(..ISA_LEN - 1).unwrap_or_default();
        Ok(Event::Segment(Segment {
            text: String::from_utf8_lossy(body).into_owned(),
            element: char::from(delimiters.element),
            component: char::from(delimiters.component),
            line,
            number: 1,
        }))
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}
