//! X12 837P claims (being written on the `x12` branch).
use std::io::BufRead;

use super::InputItem;

pub struct X12Claims<R: BufRead> {
    _reader: R,
}

impl<R: BufRead> X12Claims<R> {
    pub fn new(reader: R) -> Self {
        X12Claims { _reader: reader }
    }
}

impl<R: BufRead> Iterator for X12Claims<R> {
    type Item = InputItem;
    fn next(&mut self) -> Option<InputItem> {
        None
    }
}
