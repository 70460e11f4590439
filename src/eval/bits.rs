//! A set of small numbers as bits: the derivations due to be tried on a claim, and those
//! settled. Every claim tries its derivations, so the set is made and walked once a claim: a
//! `BTreeSet` there was 7% of a small claim's instructions.

/// The numbers below a bound given at creation, each a bit, with a second level of bits that
/// says which words hold one: the next number from a place is found in a word or two, not
/// by a scan of the words between (a chain of derivations written last first asks for it once
/// a derivation, and a scan would make the chain quadratic).
pub(super) struct Bits {
    words: Vec<u64>,
    /// Bit `w` set when `words[w]` is not zero; none at all for a set of one word (up to 64
    /// numbers, as the standard pack's derivations), which needs no second level.
    filled: Vec<u64>,
    bound: usize,
}

impl Bits {
    /// The empty set of numbers below `bound`.
    pub(super) fn none(bound: usize) -> Bits {
        let words = bound.div_ceil(64);
        Bits {
            words: vec![0; words],
            filled: if words > 1 {
                vec![0; words.div_ceil(64)]
            } else {
                Vec::new()
            },
            bound,
        }
    }

    /// Every number below `bound`.
    pub(super) fn all(bound: usize) -> Bits {
        let mut bits = Bits::none(bound);
        for n in (0..bound).step_by(64) {
            let below = bound - n;
            bits.words[n / 64] = if below >= 64 {
                u64::MAX
            } else {
                (1 << below) - 1
            };
            bits.mark_filled(n);
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
        self.mark_filled(n);
    }

    /// Marks the word that holds `n` as holding a number, in the second level (if any).
    fn mark_filled(&mut self, n: usize) {
        if let Some(filled) = self.filled.get_mut(n / 4096) {
            *filled |= 1 << ((n / 64) % 64);
        }
    }

    pub(super) fn remove(&mut self, n: usize) {
        let Some(word) = self.words.get_mut(n / 64) else {
            return;
        };
        *word &= !(1 << (n % 64));
        if *word == 0 {
            if let Some(filled) = self.filled.get_mut(n / 4096) {
                *filled &= !(1 << ((n / 64) % 64));
            }
        }
    }

    pub(super) fn contains(&self, n: usize) -> bool {
        self.words
            .get(n / 64)
            .is_some_and(|word| word & (1 << (n % 64)) != 0)
    }

    pub(super) fn is_empty(&self) -> bool {
        if self.filled.is_empty() {
            self.words.iter().all(|&w| w == 0)
        } else {
            self.filled.iter().all(|&f| f == 0)
        }
    }

    /// The least number in the set at or after `from`.
    pub(super) fn first_from(&self, from: usize) -> Option<usize> {
        let w = from / 64;
        let word = self.words.get(w)? & (u64::MAX << (from % 64));
        if word != 0 {
            return Some(w * 64 + word.trailing_zeros() as usize);
        }
        let w = self.first_word_from(w + 1)?;
        let word = self.words.get(w)?;
        Some(w * 64 + word.trailing_zeros() as usize)
    }

    /// The first word not zero at or after word `from`.
    fn first_word_from(&self, from: usize) -> Option<usize> {
        let mut f = from / 64;
        let mut filled = self.filled.get(f)? & (u64::MAX << (from % 64));
        loop {
            if filled != 0 {
                return Some(f * 64 + filled.trailing_zeros() as usize);
            }
            f += 1;
            filled = *self.filled.get(f)?;
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
        // Full sets thinned out, and empty ones filled in: far apart, the next number is found
        // through the second level.
        let bounds = [
            0, 1, 5, 63, 64, 65, 127, 128, 200, 4095, 4096, 4097, 9000, 300_000,
        ];
        for (bound, full) in bounds.into_iter().flat_map(|b| [(b, true), (b, false)]) {
            let (mut bits, mut set) = if full {
                (Bits::all(bound), (0..bound).collect::<BTreeSet<usize>>())
            } else {
                (Bits::none(bound), BTreeSet::new())
            };
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
