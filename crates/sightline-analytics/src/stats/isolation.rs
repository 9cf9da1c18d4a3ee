//! Isolation forest anomaly scores (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008; and
//! "Isolation-based anomaly detection", ACM TKDD 6, 2012) for one numeric variable.
//!
//! Each tree splits a random subsample at uniformly random points until every value is alone
//! (or a height limit is reached); unusual values are isolated in few splits. The score
//! s(x) = 2^(-E[h(x)] / c(ψ)) is near 1 for values isolated much faster than average and near
//! 0.5 or below for ordinary ones. The random numbers come from a fixed-seed SplitMix64
//! generator, so the same data always gets the same scores (the crate has no clock and no
//! entropy source). Scores agree with scikit-learn's `IsolationForest` in ranking, not digit
//! for digit: the random splits differ.

/// Trees in the forest (scikit-learn's default).
pub const TREES: usize = 100;
/// Subsample size per tree (the paper's and scikit-learn's default).
pub const SUBSAMPLE: usize = 256;
/// The generator's fixed seed.
const SEED: u64 = 0x5EED_2008_1F0E_5700;

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast and good enough to pick split points.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

/// The average path length of an unsuccessful binary-search-tree search among `n` values,
/// c(n) = 2H(n-1) - 2(n-1)/n, the normaliser of path lengths (c(1) = 0, c(2) = 1).
fn average_path(n: usize) -> f64 {
    const EULER: f64 = 0.577_215_664_901_532_9;
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let m = (n - 1) as f64;
            2.0 * (m.ln() + EULER) - 2.0 * m / n as f64
        }
    }
}

/// A node: a split value with children, or a leaf holding `size` values.
enum Node {
    Split {
        at: f64,
        left: Box<Node>,
        right: Box<Node>,
    },
    Leaf {
        size: usize,
    },
}

fn grow(values: &mut [f64], depth: usize, limit: usize, rng: &mut SplitMix64) -> Node {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if depth >= limit || values.len() <= 1 || lo >= hi {
        return Node::Leaf { size: values.len() };
    }
    let at = lo + (hi - lo) * rng.unit();
    // Partition in place: values < at to the front.
    let mut split = 0;
    for i in 0..values.len() {
        if values[i] < at {
            values.swap(i, split);
            split += 1;
        }
    }
    let (left, right) = values.split_at_mut(split);
    Node::Split {
        at,
        left: Box::new(grow(left, depth + 1, limit, rng)),
        right: Box::new(grow(right, depth + 1, limit, rng)),
    }
}

fn path_length(node: &Node, x: f64) -> f64 {
    let mut node = node;
    let mut depth = 0.0;
    loop {
        match node {
            Node::Leaf { size } => return depth + average_path(*size),
            Node::Split { at, left, right } => {
                node = if x < *at { left } else { right };
                depth += 1.0;
            }
        }
    }
}

/// The anomaly score of every value (NaN stays NaN), in [0, 1]; higher is more anomalous.
pub fn isolation_scores(values: &[f64]) -> Vec<f64> {
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = present.len();
    if n < 2 {
        return values
            .iter()
            .map(|v| if v.is_nan() { f64::NAN } else { 0.5 })
            .collect();
    }
    let psi = n.min(SUBSAMPLE);
    let limit = (psi as f64).log2().ceil() as usize;
    let mut rng = SplitMix64(SEED);
    let mut sample = Vec::with_capacity(psi);
    let trees: Vec<Node> = (0..TREES)
        .map(|_| {
            // A subsample without replacement: a partial Fisher-Yates shuffle of indices.
            let mut idx: Vec<usize> = (0..n).collect();
            for i in 0..psi {
                let j = i + rng.below(n - i);
                idx.swap(i, j);
            }
            sample.clear();
            sample.extend(idx[..psi].iter().map(|&i| present[i]));
            grow(&mut sample, 0, limit, &mut rng)
        })
        .collect();
    let norm = average_path(psi);
    values
        .iter()
        .map(|&x| {
            if x.is_nan() {
                return f64::NAN;
            }
            let mean_path = trees.iter().map(|t| path_length(t, x)).sum::<f64>() / TREES as f64;
            2f64.powf(-mean_path / norm)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_outliers_score_highest_and_scores_are_reproducible() {
        let mut values: Vec<f64> = (0..300)
            .map(|i| 100.0 + ((i * 37 % 41) as f64 - 20.0))
            .collect();
        values[17] = 400.0;
        values[250] = -200.0;
        let scores = isolation_scores(&values);
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let mut top = order[..2].to_vec();
        top.sort_unstable();
        assert_eq!(
            top,
            vec![17, 250],
            "the two far values are the most isolated"
        );
        assert!(
            scores[17] > 0.7,
            "a clear outlier scores near 1: {}",
            scores[17]
        );
        assert_eq!(scores, isolation_scores(&values), "fixed seed, same scores");
    }

    #[test]
    fn average_path_matches_the_paper() {
        assert_eq!(average_path(1), 0.0);
        assert_eq!(average_path(2), 1.0);
        // c(256) = 2(ln 255 + γ) - 2·255/256 ≈ 10.2448
        assert!((average_path(256) - 10.244_770_920_657_3).abs() < 1e-9);
    }
}
