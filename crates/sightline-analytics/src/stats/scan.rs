//! The statistics of one large column with fewer and cheaper passes: the mean, Σd² (and Σd³,
//! Σd⁴), the extremes, the quartiles and the rows outside the k·IQR fences. Every number equals
//! what the one-statistic functions ([`super::mean`], [`super::variance`],
//! [`super::quantiles`], the central sums of [`super::moments`]) return, bit for bit: the sums
//! are the same pairwise sums formed in the same order, and the quartiles the same order
//! statistics.
//!
//! What it saves, measured on a million values: no separate NaN check, because NaN propagates
//! through addition, so a sum that is not NaN proves there is none (a NaN sum, from a NaN or
//! from +inf and -inf, sends the caller to the general path); the rows outside the fences
//! collected in the pass that gathers the quartiles' buckets, because the buckets bound the
//! quartiles and so the fences; no copy of a bucket that holds a single value (in a column of
//! small integers or rounded ratings one bucket holds a fifth of the rows, and copying and
//! selecting among them cost ten times the rest); and no branch on the data in that pass. The
//! passes stay separate tight loops: folding the side effects into the sums' loop kept the
//! compiler from vectorising them, and running them block by block beside the sums (while each
//! block is in cache) measured no faster.
//!
//! Only for columns of at least [`super::HISTOGRAM_QUANTILES_MIN`] values without NaN; smaller
//! ones are cheap either way, and the callers keep their general path for those.

use super::{AsF64, HISTOGRAM_QUANTILES_MIN, lerp, order_key, pairwise_sums};

/// The quartiles [`scan`] computes.
const QUARTILES: [f64; 3] = [0.25, 0.5, 0.75];

/// How far into a column [`Quartiles::prepare`] looks for the members of the quartiles'
/// buckets to guess which hold one value, and how many members of a bucket, all equal, make
/// that guess.
const PROBE_ROWS: usize = 65_536;
const PROBE_MEMBERS: usize = 64;

/// What to compute besides the mean, Σd² and the quartiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Wanted {
    /// Σd³ and Σd⁴ (skewness, kurtosis, the normality test).
    pub higher: bool,
    /// The minimum and maximum.
    pub extremes: bool,
    /// The rows outside `q25 - k·IQR .. q75 + k·IQR`.
    pub fence_k: Option<f64>,
}

/// What the passes over a column found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scan {
    /// The values (all present).
    pub n: usize,
    pub mean: f64,
    /// Σd² around the mean (the variance's numerator).
    pub s2: f64,
    /// Σd³ and Σd⁴ (NaN unless asked for).
    pub s3: f64,
    pub s4: f64,
    /// NaN unless asked for.
    pub min: f64,
    pub max: f64,
    /// The 25%, 50% and 75% quantiles, linear interpolation (numpy's default).
    pub quartiles: [f64; 3],
    /// The rows outside the fences (ascending), when asked for.
    pub outside: Vec<usize>,
    /// The fences themselves, when asked for.
    pub fences: Option<(f64, f64)>,
}

/// The statistics of `values` (see the module doc). `None` when the column is short, holds
/// NaN (or both infinities), or its quartiles are not finite: the caller's general path
/// handles those.
pub(crate) fn scan<T: AsF64>(values: &[T], wanted: Wanted) -> Option<Scan> {
    let n = values.len();
    if n < HISTOGRAM_QUANTILES_MIN || u32::try_from(n).is_err() {
        return None;
    }
    let [sum] = pairwise_sums(n, &|i| [values[i].f64()]);
    if sum.is_nan() {
        return None;
    }
    let mut counts = vec![0u32; 1 << 16];
    for &v in values {
        counts[(order_key(v.f64()) >> 48) as usize] += 1;
    }
    let mean = sum / n as f64;
    let (min, max) = if wanted.extremes {
        min_max(values)
    } else {
        (f64::NAN, f64::NAN)
    };
    let mut quartiles = Quartiles::prepare(values, &counts, wanted.fence_k)?;
    drop(counts);
    let (s2, s3, s4) = if wanted.higher {
        let [s2, s3, s4] = pairwise_sums(n, &|i| {
            let d = values[i].f64() - mean;
            [d.powi(2), d.powi(3), d.powi(4)]
        });
        (s2, s3, s4)
    } else {
        let [s2] = pairwise_sums(n, &|i| {
            let d = values[i].f64() - mean;
            [d * d]
        });
        (s2, f64::NAN, f64::NAN)
    };
    for start in (0..n).step_by(GATHER_BLOCK) {
        quartiles.gather(values, start, GATHER_BLOCK.min(n - start));
    }
    let (quartiles, outside, fences) = quartiles.finish(values)?;
    Some(Scan {
        n,
        mean,
        s2,
        s3,
        s4,
        min,
        max,
        quartiles,
        outside,
        fences,
    })
}

/// The fold `(lo.min(v), hi.max(v))` over `values` (no NaN), in four lanes so that it
/// vectorises. Without NaN, min and max do not depend on the order, except for which zero a
/// tie of 0.0 and -0.0 keeps: when an extreme is zero, the sequential fold decides.
fn min_max<T: AsF64>(values: &[T]) -> (f64, f64) {
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [f64::NEG_INFINITY; 4];
    let mut chunks = values.chunks_exact(4);
    for c in &mut chunks {
        for j in 0..4 {
            lo[j] = lo[j].min(c[j].f64());
            hi[j] = hi[j].max(c[j].f64());
        }
    }
    for &v in chunks.remainder() {
        lo[0] = lo[0].min(v.f64());
        hi[0] = hi[0].max(v.f64());
    }
    let lo = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo == 0.0 || hi == 0.0 {
        return values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v.f64()), hi.max(v.f64()))
            });
    }
    (lo, hi)
}

/// The quartiles of a column (no NaN) as [`super::quantiles`] computes them, and with a fence
/// multiplier the rows outside the fences.
///
/// The histogram of the top 16 bits of each value's order key (made by the caller) says which
/// buckets hold the quartiles' order statistics. A look at the start of the column guesses
/// which of those buckets hold more than one value; the gathering pass copies the members of those into
/// one buffer, checks that the others really hold one value, and lists the rows that may lie
/// outside the fences, all without a branch on the data (a branch taken for a random few
/// percent of the rows mispredicts often enough to cost more than the pass). An order
/// statistic in a one-value bucket is that value (in a column of small integers or rounded
/// ratings such a bucket holds a fifth of the rows, which need no copy); the others are
/// selected in the buffer, whose order is the buckets' order.
struct Quartiles {
    n: usize,
    fence_k: Option<f64>,
    /// Per quartile: the rank below its position, the next when it falls between two, and the
    /// weight of the next.
    wanted: Vec<(usize, usize, f64)>,
    /// The bucket of each of those ranks (in the order lo, hi per quartile) and the rank's place
    /// in it.
    place: Vec<(usize, usize)>,
    /// The wanted buckets, ascending, and their counts.
    buckets: Vec<usize>,
    count_of: Vec<usize>,
    /// Bucket → 1 + its index in `buckets` (0: not wanted).
    slot_of: Vec<u8>,
    /// Bit `b` set when bucket `b` is copied.
    copied_bits: Vec<u64>,
    /// A member of each wanted slot (slot 0 unused).
    first: Vec<u64>,
    /// Slots whose members are copied; slots whose members differ from `first`.
    copy: u64,
    differs: u64,
    /// Whether `differs` needs computing (some wanted slot is not copied).
    check: bool,
    union: Vec<f64>,
    union_len: usize,
    /// Values below the first or above the second may be outside the fences.
    bounds: Option<(f64, f64)>,
    candidates: Vec<u32>,
    /// Rows of the current block that are candidates (one past the end is written over).
    block: Vec<u32>,
}

/// Rows the gathering pass takes at a time: a block's candidates go through a small buffer
/// (in cache) before they join the list, so the list takes only the memory it keeps.
const GATHER_BLOCK: usize = 4096;

impl Quartiles {
    fn prepare<T: AsF64>(values: &[T], counts: &[u32], fence_k: Option<f64>) -> Option<Self> {
        let n = values.len();
        let wanted: Vec<(usize, usize, f64)> =
            QUARTILES.iter().map(|&q| super::ranks_of(q, n)).collect();
        // The bucket of each rank and the rank's place in it, from one walk over the
        // cumulative counts (the ranks ascend).
        let mut place: Vec<(usize, usize)> = Vec::with_capacity(2 * wanted.len());
        let mut below = 0usize;
        let mut bucket = 0usize;
        for rank in wanted.iter().flat_map(|&(lo, hi, _)| [lo, hi]) {
            while bucket < counts.len() && below + counts[bucket] as usize <= rank {
                below += counts[bucket] as usize;
                bucket += 1;
            }
            if bucket == counts.len() {
                return None;
            }
            place.push((bucket, rank - below));
        }
        let mut buckets: Vec<usize> = place.iter().map(|p| p.0).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let mut slot_of = vec![0u8; 1 << 16];
        for (i, &b) in buckets.iter().enumerate() {
            slot_of[b] = u8::try_from(i + 1).ok()?;
        }
        let slots = buckets.len() + 1;
        let count_of: Vec<usize> = buckets.iter().map(|&b| counts[b] as usize).collect();

        // The look at the start: a member of each wanted bucket (the gathering pass compares with it), and
        // which buckets show two different values among their first members.
        let mut first = vec![0u64; slots];
        let mut probed = vec![0usize; slots];
        let mut copy = 0u64;
        let mut undecided = buckets.len();
        for &v in &values[..n.min(PROBE_ROWS)] {
            if undecided == 0 {
                break;
            }
            let v = v.f64();
            let slot = usize::from(slot_of[(order_key(v) >> 48) as usize]);
            if slot == 0 || (copy >> slot) & 1 == 1 || probed[slot] >= PROBE_MEMBERS {
                continue;
            }
            if probed[slot] == 0 {
                first[slot] = v.to_bits();
            } else if v.to_bits() != first[slot] {
                copy |= 1 << slot;
                undecided -= 1;
                continue;
            }
            probed[slot] += 1;
            if probed[slot] == PROBE_MEMBERS {
                undecided -= 1;
            }
        }
        // Buckets seen too little to judge are copied too.
        for (slot, &count) in probed.iter().enumerate().skip(1) {
            if count < PROBE_MEMBERS {
                copy |= 1 << slot;
            }
        }
        let every_slot = ((1u64 << slots) - 1) & !1;

        // The fences' bounds, from the ranges of the quartiles' buckets.
        let bounds = fence_k.and_then(|k| {
            let range = |i: usize| bucket_range(place[i].0);
            let (q1_lo, _) = range(0);
            let (_, q1_hi) = range(1);
            let (q3_lo, _) = range(4);
            let (_, q3_hi) = range(5);
            candidate_bounds(q1_lo, q1_hi, q3_lo, q3_hi, k)
        });
        let copied = copied(&count_of, copy);
        let mut copied_bits = vec![0u64; (1 << 16) / 64];
        for (i, &b) in buckets.iter().enumerate() {
            if (copy >> (i + 1)) & 1 == 1 {
                copied_bits[b >> 6] |= 1 << (b & 63);
            }
        }
        Some(Quartiles {
            n,
            fence_k,
            wanted,
            place,
            buckets,
            count_of,
            slot_of,
            copied_bits,
            first,
            copy,
            differs: 0,
            check: copy & every_slot != every_slot,
            // One past the end: every row writes there, only members advance.
            union: vec![0.0; copied + 1],
            union_len: 0,
            bounds,
            candidates: Vec::new(),
            block: vec![0; GATHER_BLOCK + 1],
        })
    }

    /// The gathering pass over rows `lo..lo + len` (at most [`GATHER_BLOCK`]).
    fn gather<T: AsF64>(&mut self, values: &[T], lo: usize, len: usize) {
        if self.check {
            self.gather_block::<T, true>(&values[lo..lo + len], lo);
        } else {
            self.gather_block::<T, false>(&values[lo..lo + len], lo);
        }
    }

    /// `CHECK` false: every wanted bucket is copied, so whether one holds a single value does
    /// not matter. The counters are loaded into locals and stored back once per block, so
    /// they live in registers in the loop.
    fn gather_block<T: AsF64, const CHECK: bool>(&mut self, rows: &[T], start: usize) {
        let (low, high) = self.bounds.unwrap_or((f64::NAN, f64::NAN));
        let copy = self.copy;
        let mut union_len = self.union_len;
        let mut differs = self.differs;
        let mut found = 0usize;
        let (union, block) = (&mut self.union, &mut self.block);
        for (j, &v) in rows.iter().enumerate() {
            let v = v.f64();
            let bucket = (order_key(v) >> 48) as usize;
            // Past the end only if the counts were wrong; `finish` then refuses.
            if let Some(at) = union.get_mut(union_len) {
                *at = v;
            }
            if CHECK {
                let slot = usize::from(self.slot_of[bucket]);
                union_len += ((copy >> slot) & 1) as usize;
                differs |= u64::from(v.to_bits() != self.first[slot]) << slot;
            } else {
                // The copied buckets as bits: 8 KiB, in the nearest cache, where the slot
                // table's 64 KiB is not.
                union_len += ((self.copied_bits[bucket >> 6] >> (bucket & 63)) & 1) as usize;
            }
            // Comparisons with NaN bounds (no fences asked, or none usable) are false. A block
            // has at most GATHER_BLOCK rows, so `found` stays in range.
            block[found] = (start + j) as u32;
            found += usize::from(v < low || v > high);
        }
        self.candidates.extend_from_slice(&block[..found]);
        self.union_len = union_len;
        self.differs = differs;
    }

    /// The quartiles, the rows outside the fences and the fences, once the gathering pass is done; `None`
    /// when a quartile is not finite (or the passes did not add up).
    #[allow(clippy::type_complexity)]
    fn finish<T: AsF64>(
        mut self,
        values: &[T],
    ) -> Option<([f64; 3], Vec<usize>, Option<(f64, f64)>)> {
        let slots = self.buckets.len() + 1;
        if self.union_len.checked_add(1) != Some(self.union.len()) {
            return None;
        }
        self.union.pop();
        // A bucket guessed to hold one value that holds more after all: copied now.
        let surprise = self.differs & !self.copy & !1;
        if surprise != 0 {
            self.union.reserve(copied(&self.count_of, surprise));
            for &v in values {
                let v = v.f64();
                let slot = self.slot_of[(order_key(v) >> 48) as usize];
                if (surprise >> slot) & 1 == 1 {
                    self.union.push(v);
                }
            }
        }
        let in_union = self.copy | surprise;
        let selected = |slot: usize| slot > 0 && (in_union >> slot) & 1 == 1;
        let buckets = &self.buckets;
        let slot_of_bucket = |b: usize| buckets.binary_search(&b).map_or(0, |i| i + 1);
        // Ranks within the copied buckets, in the buckets' order.
        let mut offset = vec![0usize; slots];
        let mut total = 0usize;
        for (i, &count) in self.count_of.iter().enumerate() {
            offset[i + 1] = total;
            if selected(i + 1) {
                total += count;
            }
        }
        if total != self.union.len() {
            return None;
        }
        let mut targets: Vec<usize> = self
            .place
            .iter()
            .filter_map(|&(b, within)| {
                let slot = slot_of_bucket(b);
                selected(slot).then(|| offset[slot] + within)
            })
            .collect();
        targets.sort_unstable();
        targets.dedup();
        // Selection from left to right, each in what the previous one left on its right.
        let mut found: Vec<(usize, f64)> = Vec::with_capacity(targets.len());
        let mut done = 0usize;
        for &t in &targets {
            let tail = &mut self.union[done..];
            if t - done >= tail.len() {
                return None;
            }
            let (_, at, _) = tail.select_nth_unstable_by(t - done, f64::total_cmp);
            found.push((t, *at));
            done = t;
        }
        let first = &self.first;
        let place = &self.place;
        let value_at = |i: usize| -> f64 {
            let (b, within) = place[i];
            let slot = slot_of_bucket(b);
            if !selected(slot) {
                // Not copied, so every member equals the one found first.
                return f64::from_bits(first[slot]);
            }
            let t = offset[slot] + within;
            found.iter().find(|f| f.0 == t).map_or(f64::NAN, |f| f.1)
        };
        let mut quartiles = [0.0; 3];
        for (j, (q, &(lo, hi, t))) in quartiles.iter_mut().zip(&self.wanted).enumerate() {
            let a = value_at(2 * j);
            *q = if hi > lo {
                lerp(a, value_at(2 * j + 1), t)
            } else {
                a
            };
        }
        if quartiles.iter().any(|q| !q.is_finite()) {
            return None;
        }
        let Some(k) = self.fence_k else {
            return Some((quartiles, Vec::new(), None));
        };
        let (q1, q3) = (quartiles[0], quartiles[2]);
        let iqr = q3 - q1;
        let (lo, hi) = (q1 - k * iqr, q3 + k * iqr);
        let outside = match self.bounds {
            // Every row outside the fences is among the candidates (and they ascend).
            Some(_) => {
                // Sized for every candidate: no regrowth (pages past the end stay untouched).
                let mut rows = Vec::with_capacity(self.candidates.len());
                rows.extend(
                    self.candidates
                        .iter()
                        .map(|&i| i as usize)
                        .filter(|&i| values[i].f64() < lo || values[i].f64() > hi),
                );
                rows
            }
            None => (0..self.n)
                .filter(|&i| values[i].f64() < lo || values[i].f64() > hi)
                .collect(),
        };
        Some((quartiles, outside, Some((lo, hi))))
    }
}

/// How many members the slots whose bits are set in `mask` hold.
fn copied(count_of: &[usize], mask: u64) -> usize {
    count_of
        .iter()
        .enumerate()
        .filter(|(i, _)| (mask >> (i + 1)) & 1 == 1)
        .map(|(_, c)| *c)
        .sum()
}

/// The value whose [`order_key`] is `key`.
fn from_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// The smallest and largest value whose key falls in histogram bucket `b`.
fn bucket_range(b: usize) -> (f64, f64) {
    let base = (b as u64) << 48;
    (from_key(base), from_key(base | ((1 << 48) - 1)))
}

/// Values at or above `below` and at or below `above` are inside the fences wherever the
/// quartiles are within their buckets' ranges (q1 in `q1_lo..=q1_hi`, q3 in `q3_lo..=q3_hi`):
/// the lower fence q1 - k·(q3 - q1) is at most q1_hi - k·max(0, q3_lo - q1_hi), the upper at
/// least q3_lo + k·max(0, q3_lo - q1_hi); a margin far above rounding widens both bounds
/// outwards (`below` up, `above` down), so only more rows are checked, never fewer.
/// `None` when a bound is not finite (the caller then checks every row).
fn candidate_bounds(q1_lo: f64, q1_hi: f64, q3_lo: f64, q3_hi: f64, k: f64) -> Option<(f64, f64)> {
    if !(k.is_finite() && k >= 0.0) {
        return None;
    }
    let spread = (q3_lo - q1_hi).max(0.0);
    let magnitude = [q1_lo, q1_hi, q3_lo, q3_hi]
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let margin = 1e-9 * magnitude * (1.0 + 2.0 * k);
    let below = q1_hi - k * spread + margin;
    let above = q3_lo + k * spread - margin;
    (below.is_finite() && above.is_finite() && margin.is_finite()).then_some((below, above))
}

#[cfg(test)]
mod tests {
    use super::super::{mean, moments, quantiles, variance};
    use super::*;

    fn data(n: usize, seed: u64, shape: u8) -> Vec<f64> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                let u = next();
                match shape {
                    // Skewed, with a few far outliers.
                    0 => {
                        let v = (u * 4.0).exp() * 10.0;
                        if i % 5003 == 0 { v * 40.0 } else { v }
                    }
                    // Small integers (many ties, buckets of one value).
                    1 => (u * 12.0).floor(),
                    // Signed, around zero, with -0.0 and 0.0.
                    2 => match i % 991 {
                        0 => -0.0,
                        1 => 0.0,
                        _ => (u - 0.5) * 1e6,
                    },
                    // Large offsets: fences far from zero.
                    _ => 1e9 + u * 100.0,
                }
            })
            .collect()
    }

    #[test]
    fn two_passes_equal_the_one_statistic_functions() {
        for shape in 0..4u8 {
            let values = data(150_001, 11 + u64::from(shape), shape);
            let all = Wanted {
                higher: true,
                extremes: true,
                fence_k: Some(1.5),
            };
            let got = scan(&values, all).unwrap_or_else(|| panic!("shape {shape}"));
            let m = mean(&values);
            assert_eq!(got.mean.to_bits(), m.to_bits(), "shape {shape}: mean");
            assert_eq!(
                (got.s2 / (values.len() - 1) as f64).to_bits(),
                variance(&values, m, 1).to_bits(),
                "shape {shape}: variance"
            );
            let (_, s2, s3, s4) = moments::central_sums_of_present(&values, m);
            assert_eq!(
                [got.s2, got.s3, got.s4].map(f64::to_bits),
                [s2, s3, s4].map(f64::to_bits),
                "shape {shape}: central sums"
            );
            let q = quantiles(&values, &QUARTILES);
            assert_eq!(got.quartiles.to_vec(), q, "shape {shape}: quartiles");
            let iqr = q[2] - q[0];
            let (lo, hi) = (q[0] - 1.5 * iqr, q[2] + 1.5 * iqr);
            let want: Vec<usize> = (0..values.len())
                .filter(|&i| values[i] < lo || values[i] > hi)
                .collect();
            assert_eq!(got.outside, want, "shape {shape}: rows outside the fences");
            assert_eq!(got.fences, Some((lo, hi)), "shape {shape}: fences");
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!((got.min, got.max), (min, max), "shape {shape}: extremes");
        }
    }

    #[test]
    fn integers_are_read_as_their_float_values() {
        let ints: Vec<i64> = data(120_000, 5, 1).iter().map(|v| *v as i64 - 3).collect();
        let floats: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
        let all = Wanted {
            higher: true,
            extremes: true,
            fence_k: Some(1.5),
        };
        assert_eq!(
            scan(&ints, all),
            scan(&floats, all),
            "the same numbers either way"
        );
    }

    #[test]
    fn nan_short_and_infinite_columns_go_to_the_general_path() {
        let plain = Wanted {
            higher: false,
            extremes: false,
            fence_k: None,
        };
        let mut values = data(100_000, 3, 0);
        assert!(scan(&values[..1000], plain).is_none(), "short");
        values[777] = f64::NAN;
        assert!(scan(&values, plain).is_none(), "a NaN");
        values[777] = f64::INFINITY;
        values[778] = f64::NEG_INFINITY;
        assert!(scan(&values, plain).is_none(), "+inf and -inf");
    }

    #[test]
    fn fence_bounds_never_exclude_an_outside_row() {
        // Quartiles anywhere in their buckets' ranges: the fences stay within the bounds.
        for (q1_lo, q1_hi, q3_lo, q3_hi) in [
            (1.0, 1.0625, 4.0, 4.25),
            (-3.0, -2.75, -1.0, -0.9375),
            (2.0, 2.125, 2.0, 2.125),
        ] {
            let (below, above) = candidate_bounds(q1_lo, q1_hi, q3_lo, q3_hi, 1.5).unwrap();
            for q1 in [q1_lo, (q1_lo + q1_hi) / 2.0, q1_hi] {
                for q3 in [q3_lo, (q3_lo + q3_hi) / 2.0, q3_hi] {
                    if q3 < q1 {
                        continue;
                    }
                    let iqr = q3 - q1;
                    // A row below the lower fence is below `below`, and one above the upper
                    // fence above `above`: it is a candidate.
                    assert!(q1 - 1.5 * iqr <= below, "lower fence above its bound");
                    assert!(q3 + 1.5 * iqr >= above, "upper fence below its bound");
                }
            }
        }
    }
}
