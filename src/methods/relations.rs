//! Relational knowledge distillation (Park, Kim, Lu & Cho, CVPR 2019): the student learns the shape
//! of the teacher's embedding of a batch (which samples lie far apart, at which angles they stand to
//! one another), not the teacher's outputs themselves. No term compares a student's embedding with a
//! teacher's, so their widths may differ; both terms are unchanged when either embedding is
//! translated, rotated or scaled.
//!
//! With `e_a` row `a` of a batch of B embeddings (the student's `s_a`, the teacher's `t_a`):
//!
//! ```text
//! ψ_D(i, j)    = ‖e_i − e_j‖ / μ,   μ = 1/(B(B−1)) · Σ_{i≠j} ‖e_i − e_j‖     distance-wise potential
//! ψ_A(a, b, c) = ⟨u_ab, u_ac⟩,      u_ab = (e_b − e_a) / ‖e_b − e_a‖           cosine of the angle at e_a
//! L_D = 1/B² · Σ_{i≠j}   h(ψ_D^s(i, j) − ψ_D^t(i, j))
//! L_A = 1/B³ · Σ_{a,b,c} h(ψ_A^s(a, b, c) − ψ_A^t(a, b, c))
//! L   = λ_D · L_D + λ_A · L_A,      λ_D = 25, λ_A = 50
//! h(x) = x²/2 if |x| < 1, else |x| − 1/2,   h'(x) = clamp(x, −1, 1)        Huber, δ = 1 (smooth L1)
//! ```
//!
//! The averages are those of the authors' code (github.com/lenscloth/RKD, commit 0a6c3c0,
//! `metric/loss.py` lines 118–148, `metric/utils.py` lines 6–16), not the paper's sums:
//!
//! - `RkdDistance` divides each distance matrix by `d[d>0].mean()`, the mean over the B(B−1)
//!   ordered pairs i ≠ j (its `pdist` clamps squared distances at 1e-12, so every off-diagonal
//!   entry is positive), then takes `F.smooth_l1_loss(d, t_d)` over the whole B × B matrix: L_D
//!   divides by B², the diagonal's B zeros included, not by B(B−1).
//! - `RKdAngle` takes the cosines of all B³ triplets `(a, b, c)` and averages over all of them. The
//!   degenerate ones count in the denominator: where b = a or c = a, `F.normalize` maps the zero
//!   difference to 0 and both cosines are 0; where b = c ≠ a both are 1. The vertex is the first
//!   index (`td[a, b] = t_b − t_a`); the paper writes the same angle as `∠ e_b e_a e_c`.
//!
//! The gradient, with `g_ij = h'(ψ_D^s(i, j) − ψ_D^t(i, j)) / B²` and `G_a(b, c) = h'(ψ_A^s(a, b, c)
//! − ψ_A^t(a, b, c)) / B³` (both symmetric):
//!
//! ```text
//! dL_D/ds_i = 2/μ_s · Σ_{j≠i} (g_ij − ḡ) · (s_i − s_j) / ‖s_i − s_j‖,   ḡ = 1/(B(B−1)) · Σ_{k≠l} g_kl ψ_D^s(k, l)
//! dL_A/du_ab = 2 · Σ_c G_a(b, c) · u_ac =: v_ab
//! dL_A/ds_b += (v_ab − ⟨v_ab, u_ab⟩ u_ab) / ‖s_b − s_a‖,   dL_A/ds_a −= the same, for every a ≠ b
//! ```
//!
//! `ḡ` is the gradient through the student's own mean distance μ_s. The teacher's side is constant.
//!
//! Where the maths has no value, this file chooses one and the official code differs slightly:
//!
//! - A difference no longer than 1e-12 (F.normalize's eps) has no direction: `u = 0`, and no
//!   gradient flows through it. PyTorch computes `x / max(‖x‖, 1e-12)`, whose gradient at two
//!   coincident student rows is `I / 1e-12`: a step of 10¹² whenever two samples share an
//!   embedding (two inputs in a dead ReLU region, say). The forward values agree exactly whenever
//!   differences are 0 or longer than 1e-12.
//! - Two coincident rows are at distance 0 with no gradient; the official `pdist` puts them at
//!   1e-6 (also without gradient), which moves ψ_D by 1e-6/μ.
//! - If every row is the same, μ = 0 and ψ_D = 0 (the official code gets 1e-6/1e-6 = 1 off the
//!   diagonal); fewer than 2 rows give L_D = 0, fewer than 3 give L_A = 0, without error.
//!
//! All of it is computed in f64 from the f32 embeddings: the loss sums B³ terms.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Zip};

use crate::error::{KdError, Result};

/// Park et al.'s weights: λ_D = 25 for the distance-wise term, λ_A = 50 for the angle-wise term.
pub const DISTANCE_WEIGHT: f32 = 25.0;
pub const ANGLE_WEIGHT: f32 = 50.0;

/// A difference no longer than this has no direction (the `eps` of PyTorch's `F.normalize`).
const DIRECTIONLESS: f64 = 1e-12;

/// The two relational terms of a batch, unweighted: L_D and L_A, averaged as the authors' code
/// averages them (over B² distance entries and B³ angle entries).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RelationTerms {
    /// L_D, the distance-wise term.
    pub distance: f32,
    /// L_A, the angle-wise term.
    pub angle: f32,
}

impl RelationTerms {
    /// `λ_D · L_D + λ_A · L_A`, what the student minimises.
    pub fn weighted(&self) -> f32 {
        DISTANCE_WEIGHT * self.distance + ANGLE_WEIGHT * self.angle
    }
}

/// L_D and L_A between the student's embeddings (batch, d_s) and the teacher's (batch, d_t) (same
/// batch, widths may differ); writes `scale · d(λ_D·L_D + λ_A·L_A)/d student` into `gradient`
/// (batch, d_s), with the formulas of the module's documentation. The teacher's side is constant
/// (no gradient).
pub fn relations_into(
    student: ArrayView2<f32>,
    teacher: ArrayView2<f32>,
    scale: f32,
    mut gradient: ArrayViewMut2<f32>,
) -> Result<RelationTerms> {
    if teacher.nrows() != student.nrows() || gradient.dim() != student.dim() {
        return Err(KdError::Internal(format!(
            "relational distillation of student embeddings {:?} and teacher embeddings {:?} into a gradient of {:?}",
            student.dim(),
            teacher.dim(),
            gradient.dim()
        )));
    }
    let student = student.mapv(f64::from); // (batch, d_s)
    let teacher = teacher.mapv(f64::from); // (batch, d_t)
    let (distance, angle, exact) = relations_f64(student.view(), teacher.view());
    let scale = f64::from(scale);
    Zip::from(&mut gradient).and(&exact).for_each(|g, &e| *g = (scale * e) as f32);
    Ok(RelationTerms { distance: distance as f32, angle: angle as f32 })
}

/// The pairwise Euclidean distances of `embeddings` (batch, d) divided by their mean over pairs
/// i ≠ j (ψ_D of the paper), as a (batch, batch) matrix with a zero diagonal: what the page draws
/// side by side for teacher and student. All zeros if every row is the same or there is only one.
pub fn normalised_distances(embeddings: ArrayView2<f32>) -> Array2<f32> {
    let (distances, mean) = pairwise_distances(embeddings.mapv(f64::from).view());
    distances.mapv(|d| potential(d, mean) as f32)
}

/// `(L_D, L_A, d(λ_D·L_D + λ_A·L_A)/ds)` in f64; the batches must agree.
fn relations_f64(student: ArrayView2<f64>, teacher: ArrayView2<f64>) -> (f64, f64, Array2<f64>) {
    let mut gradient = Array2::zeros(student.dim()); // (batch, d_s)
    let distance = distance_term(student, teacher, f64::from(DISTANCE_WEIGHT), &mut gradient);
    let angle = angle_term(student, teacher, f64::from(ANGLE_WEIGHT), &mut gradient);
    (distance, angle, gradient)
}

/// Huber's loss with δ = 1, PyTorch's smooth L1 with β = 1: `x²/2` if `|x| < 1`, else `|x| − 1/2`.
fn huber(x: f64) -> f64 {
    if x.abs() < 1.0 {
        0.5 * x * x
    } else {
        x.abs() - 0.5
    }
}

/// `h'(x) = clamp(x, −1, 1)`, the derivative of [`huber`] (NaN stays NaN).
fn huber_slope(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

/// `‖a − b‖`.
fn distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// `d / μ`, or 0 where μ = 0 (every row the same).
fn potential(distance: f64, mean: f64) -> f64 {
    if mean == 0.0 {
        0.0
    } else {
        distance / mean
    }
}

/// The distances `‖e_i − e_j‖` (batch, batch), and their mean μ over the pairs i ≠ j (0 for fewer
/// than two rows).
fn pairwise_distances(embeddings: ArrayView2<f64>) -> (Array2<f64>, f64) {
    let batch = embeddings.nrows();
    let mut distances = Array2::zeros((batch, batch)); // (batch, batch)
    for (i, row_i) in embeddings.rows().into_iter().enumerate() {
        for (j, row_j) in embeddings.rows().into_iter().enumerate().skip(i + 1) {
            let d = distance(row_i, row_j);
            distances[[i, j]] = d;
            distances[[j, i]] = d;
        }
    }
    let pairs = batch * batch.saturating_sub(1);
    let mean = if pairs == 0 { 0.0 } else { distances.sum() / pairs as f64 };
    (distances, mean)
}

/// L_D, adding `weight · dL_D/ds` to `gradient` (batch, d_s):
///
/// ```text
/// L_D = 1/B² · Σ_{i≠j} h(ψ^s_ij − ψ^t_ij)
/// dL_D/ds_i = 2/μ_s · Σ_{j≠i} (g_ij − ḡ) · (s_i − s_j)/‖s_i − s_j‖,   g_ij = h'(ψ^s_ij − ψ^t_ij)/B²,
///                                                                    ḡ = 1/(B(B−1)) · Σ_{k≠l} g_kl ψ^s_kl
/// ```
///
/// A pair at distance 0 passes no gradient, nor does any pair when μ_s = 0.
fn distance_term(student: ArrayView2<f64>, teacher: ArrayView2<f64>, weight: f64, gradient: &mut Array2<f64>) -> f64 {
    let batch = student.nrows();
    if batch < 2 {
        return 0.0;
    }
    let (student_distances, student_mean) = pairwise_distances(student); // (batch, batch)
    let (teacher_distances, teacher_mean) = pairwise_distances(teacher); // (batch, batch)
    let entries = (batch * batch) as f64;
    let pairs = (batch * (batch - 1)) as f64;
    // slopes[i, j] = g_ij; the diagonal stays 0 (both potentials are 0 there).
    let mut slopes = Array2::<f64>::zeros((batch, batch));
    let mut loss = 0.0;
    let mut through_mean = 0.0; // Σ g_ij ψ^s_ij
    Zip::from(&mut slopes).and(&student_distances).and(&teacher_distances).for_each(|slope, &ds, &dt| {
        let (psi_s, psi_t) = (potential(ds, student_mean), potential(dt, teacher_mean));
        loss += huber(psi_s - psi_t);
        *slope = huber_slope(psi_s - psi_t) / entries;
        through_mean += *slope * psi_s;
    });
    if student_mean != 0.0 {
        let mean_slope = through_mean / pairs; // ḡ
        for (i, (row_i, mut gradient_i)) in student.rows().into_iter().zip(gradient.rows_mut()).enumerate() {
            for (j, row_j) in student.rows().into_iter().enumerate() {
                let d = student_distances[[i, j]];
                if j == i || d == 0.0 {
                    continue;
                }
                let coefficient = weight * 2.0 * (slopes[[i, j]] - mean_slope) / (student_mean * d);
                for ((g, &a), &b) in gradient_i.iter_mut().zip(row_i).zip(row_j) {
                    *g += coefficient * (a - b);
                }
            }
        }
    }
    loss / entries
}

/// The unit differences `u_ab = (e_b − e_a)/‖e_b − e_a‖` from the vertex `a` to every row `b`, as
/// the rows of `units` (batch, d), and their lengths `‖e_b − e_a‖`. A difference no longer than
/// [`DIRECTIONLESS`] (the vertex's own row, or one equal to it) gets `u = 0`, as
/// `F.normalize` gives.
fn unit_differences(embeddings: ArrayView2<f64>, vertex: usize, units: &mut Array2<f64>, lengths: &mut Array1<f64>) {
    let origin = embeddings.row(vertex);
    for ((row, mut unit), length) in embeddings.rows().into_iter().zip(units.rows_mut()).zip(lengths.iter_mut()) {
        Zip::from(&mut unit).and(&row).and(&origin).for_each(|u, &e, &o| *u = e - o);
        let norm = unit.dot(&unit).sqrt();
        *length = norm;
        if norm <= DIRECTIONLESS {
            unit.fill(0.0);
        } else {
            unit /= norm;
        }
    }
}

/// L_A, adding `weight · dL_A/ds` to `gradient` (batch, d_s). For each vertex a, with the cosines
/// `C_a = U_a U_aᵀ` of its unit differences (rows `u_ab`):
///
/// ```text
/// L_A = 1/B³ · Σ_a Σ_{b,c} h(C^s_a(b, c) − C^t_a(b, c))
/// v_ab = 2/B³ · Σ_c h'(C^s_a(b, c) − C^t_a(b, c)) · u_ac                 dL_A/du_ab
/// w_ab = (v_ab − ⟨v_ab, u_ab⟩ u_ab) / ‖s_b − s_a‖,   dL_A/ds_b += w_ab,   dL_A/ds_a −= w_ab
/// ```
///
/// O(B³ · d) time, O(B · (B + d)) memory.
fn angle_term(student: ArrayView2<f64>, teacher: ArrayView2<f64>, weight: f64, gradient: &mut Array2<f64>) -> f64 {
    let batch = student.nrows();
    if batch < 3 {
        return 0.0;
    }
    let mut student_units = Array2::zeros(student.dim()); // (batch, d_s)
    let mut teacher_units = Array2::zeros(teacher.dim()); // (batch, d_t)
    let mut student_lengths = Array1::zeros(batch);
    let mut teacher_lengths = Array1::zeros(batch);
    let mut slopes = Array2::zeros((batch, batch)); // student cosines, then h'
    let mut teacher_cosines = Array2::zeros((batch, batch));
    let mut unit_gradients = Array2::zeros(student.dim()); // (batch, d_s): v_ab, then w_ab
    let entries = (batch * batch * batch) as f64;
    let factor = weight * 2.0 / entries;
    let mut loss = 0.0;
    for vertex in 0..batch {
        unit_differences(student, vertex, &mut student_units, &mut student_lengths);
        unit_differences(teacher, vertex, &mut teacher_units, &mut teacher_lengths);
        general_mat_mul(1.0, &student_units, &student_units.t(), 0.0, &mut slopes); // (batch, batch)
        general_mat_mul(1.0, &teacher_units, &teacher_units.t(), 0.0, &mut teacher_cosines); // (batch, batch)
        Zip::from(&mut slopes).and(&teacher_cosines).for_each(|s, &t| {
            loss += huber(*s - t);
            *s = huber_slope(*s - t);
        });
        general_mat_mul(factor, &slopes, &student_units, 0.0, &mut unit_gradients); // (batch, d_s)
        for ((mut w, u), &length) in
            unit_gradients.rows_mut().into_iter().zip(student_units.rows()).zip(&student_lengths)
        {
            if length <= DIRECTIONLESS {
                w.fill(0.0);
            } else {
                let along = w.dot(&u);
                Zip::from(&mut w).and(&u).for_each(|w, &u| *w = (*w - along * u) / length);
            }
        }
        // dL_A/ds_b += w_ab for every b, dL_A/ds_a −= Σ_b w_ab.
        for (b, w) in unit_gradients.rows().into_iter().enumerate() {
            if b == vertex {
                continue;
            }
            Zip::from(gradient.row_mut(b)).and(&w).for_each(|g, &w| *g += w);
            Zip::from(gradient.row_mut(vertex)).and(&w).for_each(|g, &w| *g -= w);
        }
    }
    loss / entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use ndarray::{array, Array2};

    fn random(rng: &mut Rng, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| rng.uniform(-1.0, 1.0))
    }

    fn weighted(student: &Array2<f64>, teacher: &Array2<f64>) -> f64 {
        let (distance, angle, _) = relations_f64(student.view(), teacher.view());
        f64::from(DISTANCE_WEIGHT) * distance + f64::from(ANGLE_WEIGHT) * angle
    }

    /// The potentials' differences of a case, to check that it reaches both branches of h.
    fn distance_differences(student: &Array2<f64>, teacher: &Array2<f64>) -> Vec<f64> {
        let (ds, ms) = pairwise_distances(student.view());
        let (dt, mt) = pairwise_distances(teacher.view());
        ds.iter().zip(&dt).map(|(&s, &t)| potential(s, ms) - potential(t, mt)).collect()
    }

    /// The cosines' differences `ψ_A^s(a, b, c) − ψ_A^t(a, b, c)` of a case where a, b and c
    /// differ (elsewhere the student's cosine is 0 or 1 wherever it is: it cannot cross a kink).
    fn angle_differences(student: &Array2<f64>, teacher: &Array2<f64>) -> Vec<f64> {
        let batch = student.nrows();
        let (mut student_units, mut teacher_units) = (Array2::zeros(student.dim()), Array2::zeros(teacher.dim()));
        let mut lengths = Array1::zeros(batch);
        let mut differences = Vec::new();
        for vertex in 0..batch {
            unit_differences(student.view(), vertex, &mut student_units, &mut lengths);
            unit_differences(teacher.view(), vertex, &mut teacher_units, &mut lengths);
            let cosines = student_units.dot(&student_units.t()) - teacher_units.dot(&teacher_units.t());
            differences.extend(
                cosines.indexed_iter().filter(|&((b, c), _)| b != c && b != vertex && c != vertex).map(|(_, &x)| x),
            );
        }
        differences
    }

    /// Batches of 3 to 6 rows, the student 3 or 4 wide and the teacher the other width, in general
    /// position (no two rows equal, no difference of potentials or cosines within 1e-3 of h's
    /// kinks at ±1, checked by finite differences that would disagree there).
    fn gradient_cases() -> Vec<(Array2<f64>, Array2<f64>)> {
        let mut rng = Rng::new(2019);
        let mut cases = vec![
            (random(&mut rng, 5, 3), random(&mut rng, 5, 4)),
            (random(&mut rng, 6, 4), random(&mut rng, 6, 3)),
            (random(&mut rng, 3, 3), random(&mut rng, 3, 4)),
        ];
        // A student whose rows huddle around the origin but for one far away: ψ^s − ψ^t beyond ±1,
        // h's linear branch.
        let mut huddled = random(&mut rng, 6, 3).mapv(|v| 0.1 * v);
        huddled.row_mut(5).fill(4.0);
        huddled[[5, 1]] = -3.0;
        cases.push((huddled, random(&mut rng, 6, 4)));
        // A teacher with two equal rows: its degenerate directions are 0 (F.normalize's), constants.
        let mut twins = random(&mut rng, 5, 4);
        let first = twins.row(0).to_owned();
        twins.row_mut(3).assign(&first);
        cases.push((random(&mut rng, 5, 3), twins));
        cases
    }

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        let h = 1e-6;
        let (mut linear_distances, mut linear_angles) = (0, 0);
        for (case, (student, teacher)) in gradient_cases().into_iter().enumerate() {
            for (differences, linear) in [
                (distance_differences(&student, &teacher), &mut linear_distances),
                (angle_differences(&student, &teacher), &mut linear_angles),
            ] {
                assert!(differences.iter().all(|x| (x.abs() - 1.0).abs() > 1e-3), "case {case} is at a kink of h");
                *linear += differences.iter().filter(|x| x.abs() > 1.0).count();
            }
            let (_, _, gradient) = relations_f64(student.view(), teacher.view());
            let largest = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            assert!(largest > 1e-2, "case {case}: a gradient of {largest} checks nothing");
            for ((i, k), &analytic) in gradient.indexed_iter() {
                let (mut up, mut down) = (student.clone(), student.clone());
                up[[i, k]] += h;
                down[[i, k]] -= h;
                let numeric = (weighted(&up, &teacher) - weighted(&down, &teacher)) / (2.0 * h);
                assert!(
                    (analytic - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()),
                    "case {case}: dL/ds[{i}][{k}] = {analytic}, finite differences {numeric}"
                );
            }
        }
        assert!(
            linear_distances > 0 && linear_angles > 0,
            "{linear_distances}, {linear_angles}: h's linear branch untested"
        );
    }

    #[test]
    fn the_f32_gradient_is_the_scaled_f64_one() {
        let mut rng = Rng::new(7);
        let student = random(&mut rng, 6, 3).mapv(|v| v as f32);
        let teacher = random(&mut rng, 6, 4).mapv(|v| v as f32);
        let mut gradient = Array2::from_elem((6, 3), f32::NAN);
        let terms = relations_into(student.view(), teacher.view(), 0.5, gradient.view_mut()).unwrap();
        let (distance, angle, exact) = relations_f64(student.mapv(f64::from).view(), teacher.mapv(f64::from).view());
        assert_eq!(terms, RelationTerms { distance: distance as f32, angle: angle as f32 });
        assert!(terms.distance > 0.0 && terms.angle > 0.0);
        assert_eq!(terms.weighted(), 25.0 * terms.distance + 50.0 * terms.angle);
        for (&g, &e) in gradient.iter().zip(&exact) {
            assert!((f64::from(g) - 0.5 * e).abs() <= 1e-6 * e.abs(), "{g} vs 0.5 · {e}");
        }
    }

    /// One case of `tests/reference/rkd_vectors.json`.
    #[derive(serde::Deserialize)]
    struct ReferenceCase {
        name: String,
        student: Vec<Vec<f32>>,
        teacher: Vec<Vec<f32>>,
        distance: f64,
        angle: f64,
        gradient: Vec<Vec<f64>>,
        student_potential: Vec<Vec<f64>>,
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        cases: Vec<ReferenceCase>,
    }

    fn matrix<T: Copy>(rows: &[Vec<T>]) -> Array2<T> {
        let cols = rows.first().map_or(0, Vec::len);
        assert!(rows.iter().all(|row| row.len() == cols), "a ragged matrix");
        Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j])
    }

    /// Against `tests/reference/rkd_vectors.json`: `tests/reference/rkd_reference.py` runs the
    /// authors' own `RkdDistance` and `RKdAngle` (lenscloth/RKD@0a6c3c0) in float64 with PyTorch
    /// 2.15.0 autograd, checked there against finite differences. The inputs are multiples of 2⁻⁸,
    /// exact in f32. In f64 this file agrees with it to 1e-15, but for the case of two equal
    /// teacher rows, which the official `pdist` puts at 1e-6 rather than 0: L_D moves by 1.1e-6
    /// (relative) and the gradient by 1.8e-6 (of 3.1). The tolerances are that, and f32 rounding.
    #[test]
    fn it_reproduces_the_reference_vectors() {
        let reference: Reference =
            serde_json::from_str(include_str!("../../tests/reference/rkd_vectors.json")).expect("the reference file");
        assert!(reference.cases.len() >= 5);
        for case in &reference.cases {
            let (student, teacher) = (matrix(&case.student), matrix(&case.teacher));
            let expected_gradient = matrix(&case.gradient);
            let mut gradient = Array2::zeros(student.dim());
            let terms = relations_into(student.view(), teacher.view(), 1.0, gradient.view_mut()).unwrap();
            let name = &case.name;
            for (what, actual, expected) in [("L_D", terms.distance, case.distance), ("L_A", terms.angle, case.angle)] {
                assert!(
                    (f64::from(actual) - expected).abs() <= 2e-6 * expected.abs(),
                    "{name}: {what} = {actual}, reference {expected}"
                );
            }
            assert_eq!(gradient.dim(), expected_gradient.dim(), "{name}: the gradient's shape");
            let largest = expected_gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            for ((index, &actual), &expected) in gradient.indexed_iter().zip(&expected_gradient) {
                assert!(
                    (f64::from(actual) - expected).abs() <= 1e-6 * expected.abs() + 1e-6 * largest,
                    "{name}: gradient at {index:?} = {actual}, reference {expected}"
                );
            }
            let potential = normalised_distances(student.view());
            for ((index, &actual), &expected) in potential.indexed_iter().zip(&matrix(&case.student_potential)) {
                assert!(
                    (f64::from(actual) - expected).abs() <= 1e-6,
                    "{name}: ψ_D at {index:?} = {actual}, reference {expected}"
                );
            }
        }
    }

    #[test]
    fn normalised_distances_are_symmetric_with_a_zero_diagonal_and_mean_one() {
        let mut rng = Rng::new(3);
        for (rows, cols) in [(2, 1), (5, 3), (16, 8)] {
            let embeddings = random(&mut rng, rows, cols).mapv(|v| v as f32);
            let potential = normalised_distances(embeddings.view());
            assert_eq!(potential.dim(), (rows, rows));
            let mut sum = 0.0f64;
            for ((i, j), &value) in potential.indexed_iter() {
                assert_eq!(value, potential[[j, i]]);
                if i == j {
                    assert_eq!(value, 0.0);
                } else {
                    assert!(value > 0.0);
                    sum += f64::from(value);
                }
            }
            let mean = sum / (rows * (rows - 1)) as f64;
            assert!((mean - 1.0).abs() < 1e-6, "{rows} rows: mean {mean}");
        }
        // Distances 3, 4 and 5 have mean 4.
        let triangle = array![[0.0f32, 0.0], [3.0, 0.0], [3.0, 4.0]];
        let expected = array![[0.0f32, 0.75, 1.25], [0.75, 0.0, 1.0], [1.25, 1.0, 0.0]];
        assert_eq!(normalised_distances(triangle.view()), expected);
        assert_eq!(normalised_distances(Array2::<f32>::ones((4, 2)).view()), Array2::<f32>::zeros((4, 4)));
        assert_eq!(normalised_distances(Array2::<f32>::ones((1, 2)).view()), Array2::<f32>::zeros((1, 1)));
        assert_eq!(normalised_distances(Array2::<f32>::zeros((0, 2)).view()).dim(), (0, 0));
    }

    /// The paper's claim: both potentials, and so both terms, are blind to where the embedding
    /// sits, how it is turned and how large it is. A student that is the teacher rotated, scaled,
    /// shifted (and laid into a wider space) has nothing left to learn: L = 0 and dL/ds = 0.
    #[test]
    fn a_rotated_scaled_shifted_teacher_leaves_nothing_to_learn() {
        let mut rng = Rng::new(5);
        for trial in 0..20 {
            let rows = 3 + rng.below(8);
            let teacher = random(&mut rng, rows, 2).mapv(|v| v as f32);
            let (angle, scale) = (rng.uniform(0.0, std::f64::consts::TAU), rng.uniform(0.1, 10.0));
            let (sin, cos) = (crate::math::sin_f64(angle) * scale, crate::math::cos_f64(angle) * scale);
            let shift = [rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)];
            let student = Array2::from_shape_fn((rows, 3), |(i, k)| {
                let (x, y) = (f64::from(teacher[[i, 0]]), f64::from(teacher[[i, 1]]));
                let rotated = [cos * x - sin * y, sin * x + cos * y, 0.0];
                (rotated[k] + shift[k]) as f32
            });
            let mut gradient = Array2::from_elem((rows, 3), f32::NAN);
            let terms = relations_into(student.view(), teacher.view(), 1.0, gradient.view_mut()).unwrap();
            assert!(terms.distance.abs() < 1e-10 && terms.angle.abs() < 1e-10, "trial {trial}: {terms:?}");
            assert!(gradient.iter().all(|g| g.abs() < 1e-4), "trial {trial}: {gradient:?}");
            // The control: a student that is not the teacher's image has something to learn.
            let other = random(&mut rng, rows, 3).mapv(|v| v as f32);
            let terms = relations_into(other.view(), teacher.view(), 1.0, gradient.view_mut()).unwrap();
            assert!(terms.distance > 1e-4 && terms.angle > 1e-4, "trial {trial}: {terms:?}");
        }
    }

    #[test]
    fn small_and_degenerate_batches_give_zeros_not_errors() {
        let mut gradient = Array2::from_elem((1, 2), f32::NAN);
        let one = relations_into(array![[1.0f32, 2.0]].view(), array![[3.0f32]].view(), 1.0, gradient.view_mut());
        assert_eq!(one.unwrap(), RelationTerms { distance: 0.0, angle: 0.0 });
        assert!(gradient.iter().all(|&g| g == 0.0));
        // Two rows: distances but no angles; with two rows ψ_D = 1 for both, so L_D = 0 too.
        let mut gradient = Array2::from_elem((2, 2), f32::NAN);
        let two = array![[1.0f32, 2.0], [0.0, 5.0]];
        let terms = relations_into(two.view(), array![[3.0f32], [7.0]].view(), 1.0, gradient.view_mut()).unwrap();
        assert_eq!(terms, RelationTerms { distance: 0.0, angle: 0.0 });
        assert!(gradient.iter().all(|&g| g == 0.0));
        // A collapsed student (every row the same): ψ_D = 0, every direction 0, finite terms, no
        // gradient.
        let mut rng = Rng::new(9);
        let teacher = random(&mut rng, 5, 3).mapv(|v| v as f32);
        let mut gradient = Array2::from_elem((5, 4), f32::NAN);
        let terms = relations_into(Array2::ones((5, 4)).view(), teacher.view(), 1.0, gradient.view_mut()).unwrap();
        assert!(terms.distance > 0.0 && terms.distance.is_finite() && terms.angle > 0.0 && terms.angle.is_finite());
        assert!(gradient.iter().all(|&g| g == 0.0));
        // The empty batch.
        let terms = relations_into(
            Array2::<f32>::zeros((0, 2)).view(),
            Array2::<f32>::zeros((0, 3)).view(),
            1.0,
            Array2::<f32>::zeros((0, 2)).view_mut(),
        );
        assert_eq!(terms.unwrap(), RelationTerms { distance: 0.0, angle: 0.0 });
    }

    #[test]
    fn mismatched_shapes_are_internal_errors() {
        let student = Array2::<f32>::zeros((4, 3));
        let mut gradient = Array2::<f32>::zeros((4, 3));
        let short_teacher = Array2::<f32>::zeros((3, 5));
        let error = relations_into(student.view(), short_teacher.view(), 1.0, gradient.view_mut());
        assert!(matches!(error, Err(KdError::Internal(_))), "{error:?}");
        let teacher = Array2::<f32>::zeros((4, 5));
        let mut wrong_gradient = Array2::<f32>::zeros((4, 5));
        let error = relations_into(student.view(), teacher.view(), 1.0, wrong_gradient.view_mut());
        assert!(matches!(error, Err(KdError::Internal(_))), "{error:?}");
    }
}
