//! A set of small numbers as bits: the derivations due to be tried on a claim, and those
//! settled. Every claim tries its derivations, so the set is made and walked once a claim: a
//! `BTreeSet` there was 7% of a small claim's instructions.

/// The numbers below a bound given at creation, each a bit.
pub(super) struct Bits {
    words: Vec<u64>,
    bound: usize,
}

impl Bits {
    /// The empty set of numbers below `bound`.
    pub(super) fn none(bound: usize) -> Bits {
        Bits {
            words: vec![0; bound.div_ceil(64)],
            bound,
        }
    }

    /// Every number below `bound`.
    pub(super) fn all(bound: usize) -> Bits {
        let mut bits = Bits::none(bound);
        for (w, word) in bits.words.iter_mut().enumerate() {
            let below = bound - w * 64;
            *word = if below >= 64 {
                u64::MAX
            } else {
                (1 << below) - 1
            };
        }
        bits
    }

    /// Adds `n`; a number past the bound is not added.
    pub(super) fn insert(&mut self, n: usize) {
        if n >= self.bound {
            return;
        }
        if let Some(word) = self.words.get_mut(n / 64) {
            *word |= 1 << (n % 64);
        }
    }

    pub(super) fn remove(&mut self, n: usize) {
        if let Some(word) = self.words.get_mut(n / 64) {
            *word &= !(1 << (n % 64));
        }
    }

    pub(super) fn contains(&self, n: usize) -> bool {
        self.words
            .get(n / 64)
            .is_some_and(|word| word & (1 << (n % 64)) != 0)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }

    /// The least number in the set at or after `from`.
    pub(super) fn first_from(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut word = self.words.get(w)? & (u64::MAX << (from % 64));
        loop {
            if word != 0 {
                return Some(w * 64 + word.trailing_zeros() as usize);
            }
            w += 1;
            word = *self.words.get(w)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn bits_answer_as_a_sorted_set_does() {
        let mut random = crate::eval::tests::pseudo_random(0x2545_f491_4f6c_dd1d);
        let mut next = |below: usize| random(below as u64) as usize;
        for bound in [0, 1, 5, 63, 64, 65, 127, 128, 200] {
            let mut bits = Bits::all(bound);
            let mut set: BTreeSet<usize> = (0..bound).collect();
            for _ in 0..2_000 {
                let n = next(bound + 3);
                match next(3) {
                    0 => {
                        bits.insert(n);
                        if n < bound {
                            set.insert(n);
                        }
                    }
                    1 => {
                        bits.remove(n);
                        set.remove(&n);
                    }
                    _ => {}
                }
                let from = next(bound + 3);
                assert_eq!(bits.first_from(from), set.range(from..).next().copied());
                assert_eq!(bits.contains(n), set.contains(&n));
                assert_eq!(bits.is_empty(), set.is_empty());
            }
        }
        assert!(Bits::none(100).is_empty());
        assert_eq!(Bits::none(100).first_from(0), None);
    }
}
