//! The map of every PTP pair to its rows: a flat table of slots, probed once per pair that
//! passes the filter.
//!
//! A general hash map (it was an `FxHashMap<u64, (u32, u32)>`) takes 2.2 million inserts for
//! the full table, each a cache miss, and keeps its keys and values apart from its control
//! bytes, so a lookup takes two misses. This table is laid down by a counting sort of the pairs
//! by their home slot, each at its home or just after the pairs before it (linear probing
//! without wrapping: the table ends in the slack the last pairs need), in two sequential reads
//! of the pairs. A lookup reads from the key's home slot on, usually within one cache line,
//! until it meets the key or an empty slot.
//!
//! It is derived from the table's other fields and never read from a file, so a slot can only
//! hold what the build put there; lookups are bounded by the slots all the same.

/// A pair's key ([`super::pair_key`]) and its rows `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
struct Slot {
    key: u64,
    start: u32,
    end: u32,
}

/// Keys are two 26-bit code numbers, so no pair's key has the top bit set.
const EMPTY: Slot = Slot {
    key: u64::MAX,
    start: 0,
    end: 0,
};

/// Every pair of a table by its key.
#[derive(Debug, Default)]
pub(super) struct PairSlots {
    /// How many home slots there are: keys hash to `0..homes`; the slots past them are slack.
    homes: usize,
    slots: Box<[Slot]>,
}

impl PairSlots {
    /// The most pairs a table of slots holds: its slots, half as many again as pairs and the
    /// slack after them, are numbered in a `u32`. A larger table (some 30 GB of PTP rows) is
    /// searched without one.
    pub(super) const MOST_PAIRS: usize = (u32::MAX / 3) as usize;

    /// The table of the `count` pairs that `pairs` gives as `(key, start, end)`, keys
    /// distinct. `pairs` is read twice.
    pub(super) fn build(
        count: usize,
        pairs: impl Iterator<Item = (u64, u32, u32)> + Clone,
    ) -> PairSlots {
        // Three slots for two pairs: the slot after a pair's home is usually free, and the
        // table is no larger than the general map it replaced.
        let homes = count + count / 2 + 1;
        // A counting sort by home slot that lays the pairs down where they go: how many pairs
        // each home has, then, in home order, the slot where each home's pairs begin (at the
        // home, or after the pairs before it), then the pairs, each at its home's next slot.
        // Slot numbers fit in a u32 for tables of up to MOST_PAIRS pairs.
        let mut next = vec![0u32; homes];
        in_chunks(pairs.clone(), homes, |(home, _)| next[home] += 1);
        let mut free = 0;
        for (h, next) in next.iter_mut().enumerate() {
            let begin = (h as u32).max(free);
            free = begin.saturating_add(*next);
            *next = begin;
        }
        let mut slots = vec![EMPTY; (free as usize).max(homes)].into_boxed_slice();
        in_chunks(pairs, homes, |(home, slot)| {
            let at = &mut next[home];
            if let Some(place) = slots.get_mut(*at as usize) {
                *place = slot;
            }
            *at = at.saturating_add(1);
        });
        PairSlots { homes, slots }
    }

    /// The rows `(start, end)` of the pair whose key is `key`; `None` when there is none.
    #[inline]
    pub(super) fn get(&self, key: u64) -> Option<(u32, u32)> {
        if self.homes == 0 {
            return None;
        }
        let mut at = home(key, self.homes);
        loop {
            let slot = self.slots.get(at)?;
            if slot.key == key {
                return Some((slot.start, slot.end));
            }
            if slot.key == EMPTY.key {
                return None;
            }
            at += 1;
        }
    }
}

/// Gives each pair with its home slot to `each`, [`CHUNK`] pairs at a time: their homes first,
/// then `each` for each one in a loop of its own. `each` reads and writes at random in tables of
/// millions of slots, and a loop that does only that keeps many of those reads going at once;
/// with the pairs' own reading in the same loop, the full table took 2.5× as long.
fn in_chunks(
    pairs: impl Iterator<Item = (u64, u32, u32)>,
    homes: usize,
    mut each: impl FnMut((usize, Slot)),
) {
    let mut pairs = pairs.map(|(key, start, end)| (home(key, homes), Slot { key, start, end }));
    loop {
        let mut chunk = [(0, EMPTY); CHUNK];
        let mut n = 0;
        for (place, pair) in chunk.iter_mut().zip(pairs.by_ref()) {
            *place = pair;
            n += 1;
        }
        chunk[..n].iter().for_each(|&pair| each(pair));
        if n < CHUNK {
            return;
        }
    }
}

/// How many pairs [`in_chunks`] reads ahead.
const CHUNK: usize = 64;

/// A key's home slot among `homes`: the key hashed by one multiplication (its high bits mix
/// every bit of the key), scaled to `0..homes` by a second.
#[inline]
fn home(key: u64, homes: usize) -> usize {
    let hash = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((u128::from(hash) * homes as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_is_found_and_no_other_key() {
        // Keys in runs of one column-1 code, as the table's are, and some that collide.
        let pairs: Vec<(u64, u32, u32)> = (0..20_000u64)
            .map(|i| {
                (
                    ((i / 40) << 32) | ((i % 40) * 7),
                    i as u32,
                    i as u32 + 1 + (i % 3) as u32,
                )
            })
            .collect();
        let slots = PairSlots::build(pairs.len(), pairs.iter().copied());
        for &(key, start, end) in &pairs {
            assert_eq!(slots.get(key), Some((start, end)), "{key:x}");
        }
        for i in 0..20_000u64 {
            assert_eq!(slots.get(((i / 40) << 32) | ((i % 40) * 7 + 1)), None);
        }
        assert_eq!(slots.get(u64::MAX - 1), None);
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let slots = PairSlots::build(0, std::iter::empty());
        assert_eq!(slots.get(0), None);
        assert_eq!(PairSlots::default().get(0), None);
    }

    #[test]
    fn pairs_sharing_the_last_home_run_into_the_slack() {
        let homes = 3 + 3 / 2 + 1;
        let last: Vec<u64> = (0..1_000_000u64)
            .filter(|&k| home(k, homes) == homes - 1)
            .take(3)
            .collect();
        let pairs: Vec<(u64, u32, u32)> = last.iter().map(|&k| (k, 1, 2)).collect();
        let slots = PairSlots::build(pairs.len(), pairs.iter().copied());
        assert_eq!(slots.slots.len(), homes + 2);
        for &k in &last {
            assert_eq!(slots.get(k), Some((1, 2)));
        }
    }
}
