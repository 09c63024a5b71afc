//! What a network's outputs say beyond its accuracy: whether its confidence can be trusted
//! (calibration: the reliability diagram and the expected calibration error, Guo et al. 2017), how
//! spread its soft labels are (their mean entropy), and how alike two networks' representations are
//! (linear CKA, Kornblith et al. 2019). Pure functions of logits and activations, row `i` of every
//! matrix being sample `i`; every sum is accumulated in f64.
//!
//! ```text
//! confidence  c_i = max_k softmax(z_i)_k                         (T = 1)
//! bin         b(c) = min(⌈c·B⌉ − 1, B − 1), at least 0           (bin b holds b/B < c ≤ (b+1)/B)
//! ECE         = Σ_b (n_b / n) · |acc_b − conf_b|
//! CKA(X, Y)   = ‖YᵀX‖_F² / (‖XᵀX‖_F · ‖YᵀY‖_F)                   (columns centred)
//! ```

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::Serialize;

use crate::error::{KdError, Result};
use crate::losses::check_labels;
use crate::math;

/// Bins of the reliability diagram and ECE: 15 equal-width bins of confidence (max softmax at T = 1)
/// over (0, 1] (Guo et al. 2017).
pub const CALIBRATION_BINS: usize = 15;

/// One bin of a reliability diagram: the samples whose confidence `c` lies in `lower < c ≤ upper`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReliabilityBin {
    pub lower: f32,
    pub upper: f32,
    /// Samples in the bin.
    pub count: usize,
    /// `conf_b = (1/n_b) Σ_{i∈b} c_i`, their mean confidence (0 for an empty bin).
    pub mean_confidence: f32,
    /// `acc_b = (1/n_b) Σ_{i∈b} 1[argmax z_i = y_i]`, the fraction of them predicted right (0 for
    /// an empty bin).
    pub accuracy: f32,
}

/// The sums of one bin, in f64: how many samples, `Σ c_i` and `Σ 1[right]`.
#[derive(Debug, Clone, Copy, Default)]
struct BinSums {
    count: usize,
    confidence: f64,
    correct: f64,
}

/// One row's confidence `max_k softmax(z)_k = 1 / Σ_j exp(z_j − max z)` (the row's maximum
/// subtracted, in f64) and its predicted class: the first largest logit, as
/// [`crate::losses::argmax_rows`] picks it.
fn confidence_and_prediction(row: ArrayView1<f32>) -> (f64, usize) {
    let mut best = 0;
    for (k, &v) in row.iter().enumerate() {
        if row.get(best).is_some_and(|&b| v > b) {
            best = k;
        }
    }
    let max = row.get(best).map_or(0.0, |&v| f64::from(v));
    let sum: f64 = row.iter().map(|&v| math::exp_f64(f64::from(v) - max)).sum();
    (1.0 / sum, best)
}

/// The bin of confidence `c` among `bins` equal bins of (0, 1]: `min(⌈c·B⌉ − 1, B − 1)`, at least
/// 0. Bin `b` holds `b/B < c ≤ (b+1)/B`, as torch-style implementations test
/// `c > lower && c <= upper`. `bins` must be positive.
fn bin_of(confidence: f64, bins: usize) -> usize {
    let scaled = (confidence * bins as f64).ceil();
    if scaled >= 1.0 {
        (scaled as usize - 1).min(bins.saturating_sub(1))
    } else {
        0
    }
}

/// Checks that every value is finite; `what` names the matrix in the error.
fn check_finite(values: &ArrayView2<f32>, what: &str) -> Result<()> {
    match values.indexed_iter().find(|(_, v)| !v.is_finite()) {
        Some(((row, column), value)) => {
            Err(KdError::Internal(format!("{what} [{row}, {column}] is {value}, not a finite number")))
        }
        None => Ok(()),
    }
}

/// Each bin's sums over the rows of `logits` (batch, classes).
fn bin_sums(logits: ArrayView2<f32>, labels: &[usize], bins: usize) -> Result<Vec<BinSums>> {
    if bins == 0 {
        return Err(KdError::Internal("a reliability diagram of 0 bins".into()));
    }
    check_labels(&logits, labels)?;
    check_finite(&logits, "logit")?;
    let mut sums = vec![BinSums::default(); bins];
    for (row, &label) in logits.rows().into_iter().zip(labels) {
        let (confidence, prediction) = confidence_and_prediction(row);
        if let Some(bin) = sums.get_mut(bin_of(confidence, bins)) {
            bin.count += 1;
            bin.confidence += confidence;
            bin.correct += if prediction == label { 1.0 } else { 0.0 };
        }
    }
    Ok(sums)
}

/// The reliability diagram of `logits` (batch, classes) against `labels`: `bins` equal-width bins
/// of the confidence `c = max_k softmax(z)_k` (T = 1) over (0, 1], each with its count, its mean
/// confidence `conf_b` and its accuracy `acc_b`. A calibrated network has `acc_b ≈ conf_b` in every
/// bin; an overconfident one has `acc_b < conf_b`.
///
/// Errors ([`KdError::Internal`]): a label count other than the row count, a label that names no
/// class, a logit that is not finite, or `bins = 0`.
pub fn reliability(logits: ArrayView2<f32>, labels: &[usize], bins: usize) -> Result<Vec<ReliabilityBin>> {
    let sums = bin_sums(logits, labels, bins)?;
    let edge = |b: usize| (b as f64 / bins as f64) as f32;
    Ok(sums
        .iter()
        .enumerate()
        .map(|(b, sum)| {
            let mean = |total: f64| if sum.count == 0 { 0.0 } else { (total / sum.count as f64) as f32 };
            ReliabilityBin {
                lower: edge(b),
                upper: edge(b + 1),
                count: sum.count,
                mean_confidence: mean(sum.confidence),
                accuracy: mean(sum.correct),
            }
        })
        .collect())
}

/// The expected calibration error over [`CALIBRATION_BINS`] bins, a fraction in [0, 1]:
///
/// `ECE = Σ_b (n_b / n) · |acc_b − conf_b| = (1/n) Σ_b |Σ_{i∈b} (1[right_i] − c_i)|`
///
/// (0 for no rows). Errors as [`reliability`].
pub fn expected_calibration_error(logits: ArrayView2<f32>, labels: &[usize]) -> Result<f32> {
    let sums = bin_sums(logits, labels, CALIBRATION_BINS)?;
    let n = labels.len();
    if n == 0 {
        return Ok(0.0);
    }
    let gaps: f64 = sums.iter().map(|b| (b.correct - b.confidence).abs()).sum();
    Ok((gaps / n as f64).clamp(0.0, 1.0) as f32)
}

/// Mean entropy (nats) of softmax(z / t) over the rows of `logits` (batch, classes):
///
/// `(1/B) Σ_i H(p_i)`, `H(p) = −Σ_k p_k ln p_k` with `p = softmax(z/t)` and `0 · ln 0 = 0`,
///
/// from `ln p_k = (z_k − max z)/t − ln Σ_j exp((z_j − max z)/t)` in f64. Between 0 (one class
/// certain) and `ln K` (uniform over K classes); 0 for no rows, NaN when `t` is not a positive
/// finite number or a logit is not finite.
pub fn mean_entropy(logits: ArrayView2<f32>, t: f32) -> f32 {
    if !(t.is_finite() && t > 0.0) {
        return f32::NAN;
    }
    let t = f64::from(t);
    let total: f64 = logits
        .rows()
        .into_iter()
        .map(|row| {
            let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
            let log_sum = math::ln_f64(row.iter().map(|&v| math::exp_f64((f64::from(v) - max) / t)).sum::<f64>());
            let entropy: f64 = row
                .iter()
                .map(|&v| {
                    let log_p = (f64::from(v) - max) / t - log_sum;
                    let p = math::exp_f64(log_p);
                    if p == 0.0 {
                        0.0
                    } else {
                        -p * log_p
                    }
                })
                .sum();
            entropy.max(0.0)
        })
        .sum();
    (total / logits.nrows().max(1) as f64) as f32
}

/// `values` (n, p) in f64 with each column's mean subtracted. (For a constant column the mean is
/// exact, below 2²⁹ rows: a sum of equal f32 values is exact in f64; so it centres to exactly 0.)
fn centred(values: ArrayView2<f32>) -> Array2<f64> {
    let mut out = values.mapv(f64::from); // (n, p)
    let n = out.nrows().max(1) as f64;
    for mut column in out.columns_mut() {
        let mean = column.sum() / n;
        column.mapv_inplace(|v| v - mean);
    }
    out
}

/// `AᵀB` (p, q) of `a` (n, p) and `b` (n, q), summed over the rows in order.
fn transposed_product(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((a.ncols(), b.ncols())); // (p, q)
    for (a_row, b_row) in a.rows().into_iter().zip(b.rows()) {
        for (mut out_row, &a_value) in out.rows_mut().into_iter().zip(a_row) {
            out_row.zip_mut_with(&b_row, |o, &b_value| *o += a_value * b_value);
        }
    }
    out
}

/// `AAᵀ` (n, n) of `a` (n, p): the linear kernel (Gram) matrix of the rows.
fn gram(a: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    let mut out = Array2::zeros((n, n)); // (n, n)
    for i in 0..n {
        for l in i..n {
            let dot = a.row(i).dot(&a.row(l));
            out[[i, l]] = dot;
            out[[l, i]] = dot;
        }
    }
    out
}

/// `Σ_ij A_ij B_ij`, the Frobenius inner product.
fn frobenius_inner(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

/// Linear CKA (Kornblith et al. 2019) between two representations of the same n samples, X (n, p)
/// and Y (n, q): centre columns, CKA = ‖YᵀX‖_F² / (‖XᵀX‖_F · ‖YᵀY‖_F), in [0, 1]; 0 when either
/// is constant.
///
/// It is the normalised HSIC with linear kernels, `HSIC(K, L) / √(HSIC(K, K) · HSIC(L, L))` with
/// `K = XXᵀ`, `L = YYᵀ` and `HSIC(K, L) = tr(KHLH) / (n − 1)²`, `H = I − 11ᵀ/n`; unchanged by an
/// orthogonal transform or an isotropic scaling of either representation. Computed in f64 through
/// the feature products (`XᵀX`, `YᵀY`, `YᵀX`) or, when there are fewer samples than features, the
/// Gram matrices: `‖YᵀX‖_F² = Σ_ij (XXᵀ)_ij (YYᵀ)_ij` and `‖XᵀX‖_F = ‖XXᵀ‖_F`, whichever costs
/// fewer products.
///
/// Errors ([`KdError::Internal`]): different numbers of rows, or a value that is not finite.
pub fn linear_cka(x: ArrayView2<f32>, y: ArrayView2<f32>) -> Result<f32> {
    if x.nrows() != y.nrows() {
        return Err(KdError::Internal(format!(
            "CKA of representations of {} and {} samples; both need the same samples",
            x.nrows(),
            y.nrows()
        )));
    }
    check_finite(&x, "the first representation's value")?;
    check_finite(&y, "the second representation's value")?;
    let (x, y) = (centred(x), centred(y)); // (n, p), (n, q)
    let (n, p, q) = (x.nrows() as f64, x.ncols() as f64, y.ncols() as f64);
    let (cross, norm_x, norm_y) = if n * n * (p + q) < n * (p * p + q * q + p * q) {
        let (kernel_x, kernel_y) = (gram(&x), gram(&y)); // (n, n) each
        (
            frobenius_inner(&kernel_x, &kernel_y),
            frobenius_inner(&kernel_x, &kernel_x).sqrt(),
            frobenius_inner(&kernel_y, &kernel_y).sqrt(),
        )
    } else {
        let (xtx, yty, ytx) = (transposed_product(&x, &x), transposed_product(&y, &y), transposed_product(&y, &x));
        (frobenius_inner(&ytx, &ytx), frobenius_inner(&xtx, &xtx).sqrt(), frobenius_inner(&yty, &yty).sqrt())
    };
    if norm_x == 0.0 || norm_y == 0.0 {
        return Ok(0.0);
    }
    Ok((cross / (norm_x * norm_y)).clamp(0.0, 1.0) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::{array, Array1};

    /// Two-class logits `[ln(c/(1 − c)), 0]`, whose softmax puts `c` on class 0.
    fn two_class(confidences: &[f64]) -> Array2<f32> {
        let mut logits = Array2::zeros((confidences.len(), 2));
        for (i, &c) in confidences.iter().enumerate() {
            logits[[i, 0]] = (c / (1.0 - c)).ln() as f32;
        }
        logits
    }

    fn close(a: f32, b: f64, tolerance: f64) -> bool {
        (f64::from(a) - b).abs() <= tolerance
    }

    #[test]
    fn ece_of_a_small_case_computed_by_hand() {
        // Two classes, the prediction is class 0 in every row (c ≥ 0.5; the tie [0, 0] goes to the
        // first class). With B = 15: 0.9·15 = 13.5 → bin 13; 0.75·15 = 11.25 → bin 11; 0.5·15 = 7.5
        // → bin 7.
        //   bin 13: c = 0.9, 0.9;   right, wrong → acc 0.5, |0.5 − 0.9|  · 2/5 = 0.16
        //   bin 11: c = 0.75, 0.75; right, wrong → acc 0.5, |0.5 − 0.75| · 2/5 = 0.10
        //   bin 7:  c = 0.5;        right        → acc 1,   |1 − 0.5|    · 1/5 = 0.10
        // ECE = 0.36.
        let logits = two_class(&[0.9, 0.9, 0.75, 0.5, 0.75]);
        let labels = [0, 1, 0, 0, 1];
        let ece = expected_calibration_error(logits.view(), &labels).unwrap();
        assert!(close(ece, 0.36, 1e-6), "{ece}");

        let bins = reliability(logits.view(), &labels, CALIBRATION_BINS).unwrap();
        assert_eq!(bins.len(), 15);
        assert_eq!(bins.iter().map(|b| b.count).sum::<usize>(), 5);
        for (b, count, confidence, accuracy) in [(13, 2, 0.9, 0.5), (11, 2, 0.75, 0.5), (7, 1, 0.5, 1.0)] {
            let bin = &bins[b];
            assert_eq!(bin.count, count, "bin {b}");
            assert!(close(bin.mean_confidence, confidence, 1e-6) && close(bin.accuracy, accuracy, 1e-7), "{bin:?}");
            assert!(close(bin.lower, b as f64 / 15.0, 1e-7) && close(bin.upper, (b + 1) as f64 / 15.0, 1e-7));
        }
        let empty = &bins[0];
        assert_eq!((empty.count, empty.mean_confidence, empty.accuracy), (0, 0.0, 0.0));
        assert_eq!((bins[0].lower, bins[14].upper), (0.0, 1.0));
    }

    #[test]
    fn a_perfectly_calibrated_network_has_no_error() {
        // 10 rows at c = 0.7 with 7 right, 20 at c = 0.95 with 19 right, 20 at c = 0.55 with 11
        // right: in each bin the accuracy is the confidence.
        let mut confidences = vec![0.7; 10];
        confidences.extend([0.95; 20]);
        confidences.extend([0.55; 20]);
        let mut labels = vec![0; 50];
        for i in (7..10).chain(29..30).chain(41..50) {
            labels[i] = 1;
        }
        let logits = two_class(&confidences);
        let ece = expected_calibration_error(logits.view(), &labels).unwrap();
        assert!(ece.abs() < 1e-6, "{ece}");
        for bin in reliability(logits.view(), &labels, CALIBRATION_BINS).unwrap().iter().filter(|b| b.count > 0) {
            assert!((bin.accuracy - bin.mean_confidence).abs() < 1e-6, "{bin:?}");
        }
    }

    #[test]
    fn an_overconfident_network_has_the_gap_as_its_error() {
        // Half the rows at c = 0.9 but only half of them right: |0.5 − 0.9| = 0.4, weighted 1/2;
        // the other half at c = 0.6 and 60 % right (calibrated). ECE = 0.5 · 0.4 = 0.2.
        let mut confidences = vec![0.9; 10];
        confidences.extend([0.6; 10]);
        let mut labels = vec![0; 20];
        for i in (5..10).chain(16..20) {
            labels[i] = 1;
        }
        let logits = two_class(&confidences);
        let ece = expected_calibration_error(logits.view(), &labels).unwrap();
        assert!(close(ece, 0.2, 1e-6), "{ece}");
        // All wrong at near-certainty: ECE → 1.
        let certain = array![[30.0f32, 0.0], [0.0, 30.0]];
        assert!(close(expected_calibration_error(certain.view(), &[1, 0]).unwrap(), 1.0, 1e-6));
    }

    #[test]
    fn bin_edges_put_a_confidence_on_an_edge_in_the_lower_bin() {
        assert_eq!(bin_of(0.5, 2), 0); // (0, 0.5] is bin 0
        assert_eq!(bin_of(0.5000001, 2), 1);
        assert_eq!(bin_of(1.0, 15), 14);
        assert_eq!(bin_of(1e-9, 15), 0);
        assert_eq!(bin_of(0.0, 15), 0);
        assert_eq!(bin_of(f64::NAN, 15), 0);
        // A uniform row over 2 classes has c = 0.5 exactly: bin 0 of 2.
        let bins = reliability(array![[0.0f32, 0.0], [100.0, 0.0]].view(), &[0, 0], 2).unwrap();
        assert_eq!(bins.iter().map(|b| b.count).collect::<Vec<_>>(), vec![1, 1]);
        assert_eq!(bins[1].mean_confidence, 1.0);
    }

    #[test]
    fn bad_labels_and_logits_are_errors() {
        let logits = array![[0.0f32, 1.0], [2.0, 0.0]];
        for labels in [&[0usize, 2][..], &[0][..], &[0, 1, 1][..]] {
            assert!(matches!(reliability(logits.view(), labels, 15), Err(KdError::Internal(_))), "{labels:?}");
            assert!(matches!(expected_calibration_error(logits.view(), labels), Err(KdError::Internal(_))));
        }
        assert!(reliability(logits.view(), &[0, 1], 0).is_err());
        let nan = array![[f32::NAN, 1.0]];
        assert!(expected_calibration_error(nan.view(), &[0]).is_err());
        let none = Array2::<f32>::zeros((0, 3));
        assert_eq!(expected_calibration_error(none.view(), &[]).unwrap(), 0.0);
    }

    #[test]
    fn entropy_of_uniform_logits_is_ln_k_and_of_a_certain_one_is_zero() {
        for k in [2usize, 3, 10] {
            let uniform = Array2::from_elem((4, k), 1.5f32);
            for t in [0.5f32, 1.0, 4.0] {
                assert!(close(mean_entropy(uniform.view(), t), (k as f64).ln(), 1e-6), "K = {k}, T = {t}");
            }
        }
        assert!(mean_entropy(array![[1e4f32, 0.0, 0.0]].view(), 1.0).abs() < 1e-12);
        // Two rows: uniform over 2 (ln 2) and certain (0): the mean is ln 2 / 2.
        let mixed = array![[0.0f32, 0.0], [1e4, 0.0]];
        assert!(close(mean_entropy(mixed.view(), 1.0), 2f64.ln() / 2.0, 1e-6));
        // Softmax [0.8, 0.2] at T = 1: −0.8 ln 0.8 − 0.2 ln 0.2 = 0.500402.
        assert!(close(mean_entropy(two_class(&[0.8]).view(), 1.0), 0.500_402, 1e-6));
        assert!(mean_entropy(mixed.view(), 0.0).is_nan());
        assert_eq!(mean_entropy(Array2::<f32>::zeros((0, 3)).view(), 1.0), 0.0);
    }

    fn random(rows: usize, columns: usize, seed: u64) -> Array2<f32> {
        let mut rng = Rng::new(seed);
        Array2::from_shape_fn((rows, columns), |_| rng.normal() as f32)
    }

    /// An orthogonal p × p matrix: the product of two Householder reflections `I − 2vvᵀ/‖v‖²`.
    fn orthogonal(p: usize, seed: u64) -> Array2<f64> {
        let mut rng = Rng::new(seed);
        let mut q = Array2::<f64>::eye(p);
        for _ in 0..2 {
            let v = Array1::from_shape_fn(p, |_| rng.normal());
            let norm2 = v.dot(&v);
            let reflection =
                Array2::from_shape_fn((p, p), |(i, j)| (if i == j { 1.0 } else { 0.0 }) - 2.0 * v[i] * v[j] / norm2);
            q = q.dot(&reflection);
        }
        q
    }

    /// CKA as the normalised HSIC of the linear kernels `K = XXᵀ`, `L = YYᵀ` of the raw
    /// (uncentred) rows, with the centring matrix `H = I − 11ᵀ/n` written out (n × n):
    /// `HSIC(K, L) = tr(KHLH) / (n − 1)²`, an implementation independent of [`linear_cka`]'s.
    fn cka_by_hsic(x: &Array2<f32>, y: &Array2<f32>) -> f64 {
        let (x, y) = (x.mapv(f64::from), y.mapv(f64::from));
        let n = x.nrows();
        let h = Array2::<f64>::eye(n) - Array2::from_elem((n, n), 1.0 / n as f64); // (n, n)
        let k = x.dot(&x.t()); // (n, n)
        let l = y.dot(&y.t()); // (n, n)
        let hsic = |a: &Array2<f64>, b: &Array2<f64>| {
            a.dot(&h).dot(b).dot(&h).diag().sum() / ((n - 1) as f64 * (n - 1) as f64)
        };
        hsic(&k, &l) / (hsic(&k, &k) * hsic(&l, &l)).sqrt()
    }

    #[test]
    fn cka_agrees_with_the_hsic_formula_through_both_routes() {
        // 40 samples of 4 and 3 features (the feature products); 6 samples of 10 and 8 (the Gram
        // matrices). Y depends on X non-linearly, plus noise, and the columns have non-zero means.
        for (n, p, q, seed) in [(40, 4, 3, 1), (6, 10, 8, 2), (25, 7, 7, 3)] {
            let x = random(n, p, seed) + 2.0;
            let mix = random(p, q, seed + 100);
            let y = x.dot(&mix).mapv(|v| v.tanh() + 0.5) + random(n, q, seed + 200) * 0.3;
            let cka = linear_cka(x.view(), y.view()).unwrap();
            let reference = cka_by_hsic(&x, &y);
            assert!(reference > 0.05 && reference < 0.999, "a case that is not trivial: {reference}");
            assert!(close(cka, reference, 1e-6), "n = {n}, p = {p}, q = {q}: {cka} against {reference}");
        }
    }

    #[test]
    fn cka_is_invariant_to_rotation_scaling_and_shift() {
        let x = random(60, 5, 7);
        assert!(close(linear_cka(x.view(), x.view()).unwrap(), 1.0, 1e-6));
        let q = orthogonal(5, 8);
        assert!((q.t().dot(&q) - Array2::<f64>::eye(5)).iter().all(|v| v.abs() < 1e-12), "Q is orthogonal");
        let rotated = x.mapv(f64::from).dot(&q).mapv(|v| v as f32); // (60, 5)
        assert!(close(linear_cka(x.view(), rotated.view()).unwrap(), 1.0, 1e-5));
        let scaled = &x * 3.7;
        assert!(close(linear_cka(x.view(), scaled.view()).unwrap(), 1.0, 1e-6));
        let shifted = &x + 10.0;
        assert!(close(linear_cka(x.view(), shifted.view()).unwrap(), 1.0, 1e-5));
        // Not invariant to a general linear map: stretching one direction changes it.
        let mut stretched = x.clone();
        stretched.column_mut(0).mapv_inplace(|v| v * 10.0);
        assert!(linear_cka(x.view(), stretched.view()).unwrap() < 0.9);
    }

    #[test]
    fn cka_of_independent_representations_is_small_and_of_a_constant_is_zero() {
        // For independent Gaussian X (n, p) and Y (n, q), CKA ≈ √(pq)/n = 0.006 here.
        let (x, y) = (random(500, 3, 11), random(500, 3, 12));
        let cka = linear_cka(x.view(), y.view()).unwrap();
        assert!((0.0..0.05).contains(&cka), "{cka}");
        let constant = Array2::from_elem((500, 2), 0.1f32);
        assert_eq!(linear_cka(x.view(), constant.view()).unwrap(), 0.0);
        assert_eq!(linear_cka(constant.view(), constant.view()).unwrap(), 0.0);
        let empty = Array2::<f32>::zeros((0, 3));
        assert_eq!(linear_cka(empty.view(), empty.view()).unwrap(), 0.0);
    }

    #[test]
    fn cka_of_different_samples_or_non_finite_values_is_an_error() {
        let (x, y) = (random(10, 3, 1), random(9, 3, 2));
        assert!(matches!(linear_cka(x.view(), y.view()), Err(KdError::Internal(_))));
        let mut bad = random(10, 3, 3);
        bad[[4, 1]] = f32::INFINITY;
        assert!(linear_cka(x.view(), bad.view()).is_err());
    }
}
