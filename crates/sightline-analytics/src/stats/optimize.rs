//! Derivative-free minimisation: the Nelder-Mead simplex method with the adaptive coefficients of
//! Gao & Han (2012), as scipy's `minimize(method="Nelder-Mead", adaptive=True)`. Used to fit
//! exponential-smoothing parameters, whose SSE surface is smooth but has no cheap gradient.
//!
//! References: J. A. Nelder, R. Mead, "A simplex method for function minimization", The
//! Computer Journal 7 (1965); J. C. Lagarias et al., "Convergence properties of the Nelder-Mead
//! simplex method in low dimensions", SIAM J. Optim. 9 (1998) (the ordering and shrink rules);
//! F. Gao, L. Han, "Implementing the Nelder-Mead simplex algorithm with adaptive parameters",
//! Comput. Optim. Appl. 51 (2012) (coefficients that keep working above ~10 dimensions).

/// Where the search stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub evaluations: usize,
}

/// Stopping rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NelderMeadOptions {
    /// Stop when every vertex is within `x_tol` of the best (max norm) ...
    pub x_tol: f64,
    /// ... and every value within `f_tol` (relative to the best, plus `f_tol` absolute).
    pub f_tol: f64,
    pub max_evaluations: usize,
}

impl Default for NelderMeadOptions {
    fn default() -> Self {
        NelderMeadOptions {
            x_tol: 1e-7,
            f_tol: 1e-10,
            max_evaluations: 20_000,
        }
    }
}

/// Minimises `f` from `start`, with an initial simplex of `start` plus `steps[i]` along each
/// axis. Non-finite values of `f` count as +inf, so a caller marks infeasible points by
/// returning NaN or inf. The search restarts once from its result (a fresh simplex), which
/// protects against the premature collapse Nelder-Mead is known for.
pub fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    start: &[f64],
    steps: &[f64],
    opts: NelderMeadOptions,
) -> Minimum {
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let first = run(&mut eval, start, steps, opts);
    let remaining = NelderMeadOptions {
        max_evaluations: opts.max_evaluations.saturating_sub(first.evaluations),
        ..opts
    };
    if remaining.max_evaluations < 2 * (start.len() + 1) {
        return first;
    }
    let smaller: Vec<f64> = steps.iter().map(|s| s * 0.5).collect();
    let second = run(&mut eval, &first.x, &smaller, remaining);
    let evaluations = first.evaluations + second.evaluations;
    if second.value < first.value {
        Minimum {
            evaluations,
            ..second
        }
    } else {
        Minimum {
            evaluations,
            ..first
        }
    }
}

fn run<F: FnMut(&[f64]) -> f64>(
    f: &mut F,
    start: &[f64],
    steps: &[f64],
    opts: NelderMeadOptions,
) -> Minimum {
    let d = start.len();
    if d == 0 {
        let value = f(start);
        return Minimum {
            x: Vec::new(),
            value,
            evaluations: 1,
        };
    }
    let dim = d as f64;
    // Gao & Han's adaptive coefficients (reflection, expansion, contraction, shrink).
    let (rho, chi, psi, sigma) = (
        1.0,
        1.0 + 2.0 / dim,
        0.75 - 1.0 / (2.0 * dim),
        1.0 - 1.0 / dim,
    );
    let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(d + 1);
    simplex.push(start.to_vec());
    for i in 0..d {
        let mut v = start.to_vec();
        let step = steps.get(i).copied().unwrap_or(0.1);
        v[i] += if step == 0.0 { 0.00025 } else { step };
        simplex.push(v);
    }
    let mut values: Vec<f64> = simplex.iter().map(|v| f(v)).collect();
    let mut evaluations = d + 1;
    let mut order: Vec<usize> = (0..=d).collect();
    loop {
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let best = order[0];
        let worst = order[d];
        let second_worst = order[d - 1];
        let spread_x = simplex
            .iter()
            .flat_map(|v| v.iter().zip(&simplex[best]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        let spread_f = values
            .iter()
            .map(|v| (v - values[best]).abs())
            .fold(0.0, f64::max);
        let f_ok = spread_f <= opts.f_tol * (1.0 + values[best].abs())
            || (values[best].is_infinite() && values.iter().all(|v| v.is_infinite()));
        if (spread_x <= opts.x_tol && f_ok) || evaluations >= opts.max_evaluations {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|j| order[..d].iter().map(|&i| simplex[i][j]).sum::<f64>() / dim)
            .collect();
        let toward = |coef: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[worst])
                .map(|(c, w)| c + coef * (c - w))
                .collect()
        };
        let xr = toward(rho);
        let fr = f(&xr);
        evaluations += 1;
        if fr < values[best] {
            let xe = toward(rho * chi);
            let fe = f(&xe);
            evaluations += 1;
            if fe < fr {
                simplex[worst] = xe;
                values[worst] = fe;
            } else {
                simplex[worst] = xr;
                values[worst] = fr;
            }
            continue;
        }
        if fr < values[second_worst] {
            simplex[worst] = xr;
            values[worst] = fr;
            continue;
        }
        // Contract: outside when the reflection improved on the worst, inside otherwise.
        let (xc, fc, accept) = if fr < values[worst] {
            let xc = toward(rho * psi);
            let fc = f(&xc);
            (xc, fc, fc <= fr)
        } else {
            let xc = toward(-psi);
            let fc = f(&xc);
            (xc, fc, fc < values[worst])
        };
        evaluations += 1;
        if accept {
            simplex[worst] = xc;
            values[worst] = fc;
            continue;
        }
        // Shrink every vertex toward the best.
        let anchor = simplex[best].clone();
        for &i in &order[1..] {
            for (x, a) in simplex[i].iter_mut().zip(&anchor) {
                *x = a + sigma * (*x - a);
            }
            values[i] = f(&simplex[i]);
            evaluations += 1;
        }
    }
    let best = (0..=d)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    Minimum {
        x: simplex[best].clone(),
        value: values[best],
        evaluations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_function() {
        let rosen = |x: &[f64]| {
            x.windows(2)
                .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
                .sum::<f64>()
        };
        for d in [2usize, 5] {
            let start = vec![-1.2; d];
            let m = nelder_mead(rosen, &start, &vec![0.5; d], NelderMeadOptions::default());
            assert!(
                m.x.iter().all(|v| (v - 1.0).abs() < 1e-4),
                "Rosenbrock in {d} dimensions has its minimum at (1, ..., 1): got {:?}",
                m.x
            );
        }
    }

    #[test]
    fn infeasible_points_are_avoided() {
        // A parabola with its minimum at 2, undefined below 1.
        let f = |x: &[f64]| {
            if x[0] < 1.0 {
                f64::NAN
            } else {
                (x[0] - 2.0).powi(2)
            }
        };
        let m = nelder_mead(f, &[5.0], &[1.0], NelderMeadOptions::default());
        assert!((m.x[0] - 2.0).abs() < 1e-5, "got {:?}", m.x);
    }
}
