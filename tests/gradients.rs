//! Every backward pass checked against central finite differences:
//! `df/dθ ≈ (f(θ + ε) − f(θ − ε)) / 2ε`, computed in f64 over the f32 engine's values.

use kd_playground::losses::{cross_entropy, logit_matching, soft_term};
use kd_playground::methods::{loss_of, Batch, HardLabels, LossTerms, SoftLoss};
use kd_playground::network::{Activation, Dense, Mlp, Passes};
use kd_playground::rng::Rng;
use ndarray::{Array1, Array2};

const EPSILON: f32 = 1e-2;

/// Analytic and numeric derivatives agree to 2e-3 absolute plus 2% relative (f32 forward passes).
fn assert_close(analytic: f32, numeric: f64, what: &str) {
    let tolerance = 2e-3 + 2e-2 * numeric.abs();
    assert!(
        (analytic as f64 - numeric).abs() <= tolerance,
        "{what}: analytic {analytic} vs finite difference {numeric}"
    );
}

/// A method's loss terms and gradient for one batch.
fn method_loss(
    kind: SoftLoss,
    student: &Array2<f32>,
    teacher: &Array2<f32>,
    labels: &[usize],
    temperature: f32,
    alpha: f32,
) -> (LossTerms, Array2<f32>) {
    let batch =
        Batch { student_logits: student.view(), labels, teacher_logits: Some(teacher.view()), temperature, alpha };
    loss_of(kind.method(), &batch).unwrap()
}

fn random_matrix(rows: usize, cols: usize, scale: f64, rng: &mut Rng) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |_| (scale * rng.normal()) as f32)
}

/// Checks `gradient` of `f` at `x` entry by entry.
fn check_matrix(x: &Array2<f32>, gradient: &Array2<f32>, what: &str, f: impl Fn(&Array2<f32>) -> f32) {
    assert_eq!(x.dim(), gradient.dim());
    for index in ndarray::indices(x.dim()) {
        let mut plus = x.clone();
        plus[index] += EPSILON;
        let mut minus = x.clone();
        minus[index] -= EPSILON;
        let numeric = (f(&plus) as f64 - f(&minus) as f64) / (2.0 * EPSILON as f64);
        assert_close(gradient[index], numeric, &format!("{what} at {index:?}"));
    }
}

#[test]
fn cross_entropy_gradient() {
    let mut rng = Rng::new(1);
    let logits = random_matrix(5, 4, 2.0, &mut rng);
    let labels = [0, 3, 1, 1, 2];
    let analytic = cross_entropy(logits.view(), &labels).unwrap().gradient;
    check_matrix(&logits, &analytic, "dCE/dz", |z| cross_entropy(z.view(), &labels).unwrap().loss);
}

#[test]
fn soft_term_gradient_at_several_temperatures() {
    let mut rng = Rng::new(2);
    for temperature in [0.5f32, 1.0, 4.0, 20.0] {
        let student = random_matrix(4, 3, 3.0, &mut rng);
        let teacher = random_matrix(4, 3, 3.0, &mut rng);
        let analytic = soft_term(student.view(), teacher.view(), temperature).unwrap().gradient;
        check_matrix(&student, &analytic, &format!("d(T²KL)/dz_s at T = {temperature}"), |z| {
            soft_term(z.view(), teacher.view(), temperature).unwrap().loss
        });
    }
}

/// The soft term written out in f64 from its definition, independently of the library:
/// `T² · (1/B) Σ_i Σ_k p_ik (ln p_ik − ln q_ik)` with p = softmax(z_t/T), q = softmax(z_s/T), and
/// its gradient `T · (q − p) / B`.
fn soft_term_by_hand(student: &Array2<f32>, teacher: &Array2<f32>, t: f64) -> (f64, Array2<f64>) {
    let softmax = |row: Vec<f64>| {
        let top = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = row.iter().map(|z| ((z - top) / t).exp()).collect();
        let sum: f64 = e.iter().sum();
        e.into_iter().map(|v| v / sum).collect::<Vec<f64>>()
    };
    let batch = student.nrows();
    let mut loss = 0.0;
    let mut gradient = Array2::zeros(student.dim());
    for i in 0..batch {
        let p = softmax(teacher.row(i).iter().map(|&z| z as f64).collect());
        let q = softmax(student.row(i).iter().map(|&z| z as f64).collect());
        for k in 0..p.len() {
            if p[k] > 0.0 {
                loss += p[k] * (p[k].ln() - q[k].ln());
            }
            gradient[(i, k)] = t * (q[k] - p[k]) / batch as f64;
        }
    }
    (t * t * loss / batch as f64, gradient)
}

#[test]
fn the_soft_term_has_its_t_squared_against_the_closed_form() {
    // A finite-difference check cannot see a T² missing from both the loss and its gradient (they
    // would still agree with each other); the closed form can: at T = 4 a missing T² is off 16×.
    let mut rng = Rng::new(7);
    for temperature in [0.5f32, 2.0, 4.0, 8.0] {
        let student = random_matrix(5, 4, 3.0, &mut rng);
        let teacher = random_matrix(5, 4, 3.0, &mut rng);
        let got = soft_term(student.view(), teacher.view(), temperature).unwrap();
        let (loss, gradient) = soft_term_by_hand(&student, &teacher, temperature as f64);
        assert!(
            (got.loss as f64 - loss).abs() <= 1e-5 * loss.abs().max(1e-3),
            "T = {temperature}: {} vs {loss}",
            got.loss
        );
        for (g, want) in got.gradient.iter().zip(gradient.iter()) {
            assert!((*g as f64 - want).abs() <= 1e-6 + 1e-5 * want.abs(), "T = {temperature}: gradient {g} vs {want}");
        }
    }
}

#[test]
fn distillation_loss_gradient() {
    let mut rng = Rng::new(3);
    let labels = [2, 0, 1, 2, 0, 1];
    for (temperature, alpha) in [(1.0f32, 0.5f32), (4.0, 0.9), (8.0, 0.0), (2.0, 1.0)] {
        let student = random_matrix(6, 3, 2.0, &mut rng);
        let teacher = random_matrix(6, 3, 2.0, &mut rng);
        let (loss, gradient) = method_loss(SoftLoss::Kl, &student, &teacher, &labels, temperature, alpha);
        assert!((loss.total - (alpha * loss.soft + (1.0 - alpha) * loss.hard)).abs() < 1e-6);
        check_matrix(&student, &gradient, &format!("dL/dz_s at T = {temperature}, α = {alpha}"), |z| {
            method_loss(SoftLoss::Kl, z, &teacher, &labels, temperature, alpha).0.total
        });
    }
}

#[test]
fn logit_matching_gradient_and_its_distillation_loss() {
    let mut rng = Rng::new(4);
    let student = random_matrix(5, 4, 3.0, &mut rng);
    let teacher = random_matrix(5, 4, 3.0, &mut rng);
    let analytic = logit_matching(student.view(), teacher.view()).unwrap().gradient;
    check_matrix(&student, &analytic, "d(logit matching)/dz_s", |z| {
        logit_matching(z.view(), teacher.view()).unwrap().loss
    });
    let labels = [0, 1, 2, 3, 0];
    let (_, gradient) = method_loss(SoftLoss::Logits, &student, &teacher, &labels, 4.0, 0.7);
    check_matrix(&student, &gradient, "dL/dz_s with logit matching", |z| {
        method_loss(SoftLoss::Logits, z, &teacher, &labels, 4.0, 0.7).0.total
    });
    // Adding a constant to a row changes nothing: the logits are zero-meaned.
    let shifted = &student + 5.0;
    let again = logit_matching(shifted.view(), teacher.view()).unwrap();
    assert!((again.loss - logit_matching(student.view(), teacher.view()).unwrap().loss).abs() < 1e-4);
}

/// Hinton eq. 4: as T grows, the gradient of T²·KL approaches that of logit matching, and the
/// loss itself approaches it too (both for zero-meaned logits).
#[test]
fn kd_tends_to_logit_matching_at_high_temperature() {
    let mut rng = Rng::new(5);
    let centre = |m: Array2<f32>| {
        let means = m.mean_axis(ndarray::Axis(1)).unwrap().insert_axis(ndarray::Axis(1));
        &m - &means
    };
    let student = centre(random_matrix(6, 5, 2.0, &mut rng));
    let teacher = centre(random_matrix(6, 5, 2.0, &mut rng));
    let matching = logit_matching(student.view(), teacher.view()).unwrap();
    let relative_gap = |t: f32| {
        let kd = soft_term(student.view(), teacher.view(), t).unwrap();
        let difference = (&kd.gradient - &matching.gradient).mapv(|d| d * d).sum().sqrt();
        let loss_gap = ((kd.loss - matching.loss) / matching.loss).abs();
        (difference / matching.gradient.mapv(|g| g * g).sum().sqrt(), loss_gap)
    };
    let gaps: Vec<(f32, f32)> = [1.0f32, 4.0, 20.0, 100.0].iter().map(|&t| relative_gap(t)).collect();
    for pair in gaps.windows(2) {
        assert!(pair[1].0 < pair[0].0, "the gradient gap shrinks as T grows: {gaps:?}");
    }
    assert!(gaps[0].0 > 0.2, "at T = 1 the two differ clearly: {gaps:?}");
    assert!(gaps[3].0 < 0.02, "at T = 100 the gradients agree within 2%: {gaps:?}");
    assert!(gaps[3].1 < 0.05, "at T = 100 the losses agree within 5%: {gaps:?}");
}

/// A fixed random projection makes any layer output into a scalar: `f = Σ out ⊙ R`.
fn projection(out: &Array2<f32>, weights: &Array2<f32>) -> f32 {
    (out * weights).sum()
}

#[test]
fn dense_layer_gradients() {
    let mut rng = Rng::new(4);
    let layer = Dense::new(3, 4, Activation::Tanh, kd_playground::network::Init::He, &mut rng);
    let layer = Dense { bias: Array1::from_shape_fn(4, |_| rng.normal() as f32), ..layer };
    let input = random_matrix(5, 3, 1.0, &mut rng);
    let r = random_matrix(5, 4, 1.0, &mut rng);
    let (gradient, grad_input) = layer.backward(input.view(), &r);
    check_matrix(&layer.weights, &gradient.weights, "dW", |w| {
        projection(&Dense { weights: w.clone(), bias: layer.bias.clone() }.forward(input.view()), &r)
    });
    let bias_as_row = layer.bias.clone().insert_axis(ndarray::Axis(0));
    let bias_gradient = gradient.bias.clone().insert_axis(ndarray::Axis(0));
    check_matrix(&bias_as_row, &bias_gradient, "db", |b| {
        projection(&Dense { weights: layer.weights.clone(), bias: b.row(0).to_owned() }.forward(input.view()), &r)
    });
    check_matrix(&input, &grad_input, "dx", |x| projection(&layer.forward(x.view()), &r));
}

#[test]
fn activation_gradients() {
    let mut rng = Rng::new(5);
    // Keep ReLU inputs away from the kink at 0, where the derivative is undefined.
    let z = random_matrix(4, 5, 1.0, &mut rng).mapv(|v| if v.abs() < 0.05 { v + 0.1 } else { v });
    let r = random_matrix(4, 5, 1.0, &mut rng);
    for activation in [Activation::Relu, Activation::Tanh] {
        let apply = |z: &Array2<f32>| {
            let mut h = z.clone();
            activation.apply(&mut h);
            h
        };
        let mut gradient = r.clone();
        activation.backward(&apply(&z), &mut gradient);
        check_matrix(&z, &gradient, &format!("{activation:?}'"), |z| projection(&apply(z), &r));
    }
}

/// Checks every parameter gradient of `mlp` for the scalar loss `loss(logits)` whose gradient
/// with respect to the logits is `loss_gradient(logits)`.
fn check_mlp(mlp: &Mlp, input: &Array2<f32>, loss: impl Fn(&Array2<f32>) -> (f32, Array2<f32>), what: &str) {
    let cache = mlp.forward_cached(input.view()).unwrap();
    let (_, grad_logits) = loss(cache.logits());
    let gradients = mlp.backward(&cache, grad_logits).unwrap();
    let loss_of = |net: &Mlp| loss(&net.forward(input.view()).unwrap()).0;
    for (l, gradient) in gradients.iter().enumerate() {
        check_matrix(&mlp.layers[l].weights, &gradient.weights, &format!("{what}: layer {l} dW"), |w| {
            let mut net = mlp.clone();
            net.layers[l].weights = w.clone();
            loss_of(&net)
        });
        let bias_row = mlp.layers[l].bias.clone().insert_axis(ndarray::Axis(0));
        let bias_gradient = gradient.bias.clone().insert_axis(ndarray::Axis(0));
        check_matrix(&bias_row, &bias_gradient, &format!("{what}: layer {l} db"), |b| {
            let mut net = mlp.clone();
            net.layers[l].bias = b.row(0).to_owned();
            loss_of(&net)
        });
    }
}

#[test]
fn mlp_backward_with_cross_entropy_and_with_the_distillation_loss() {
    let mut rng = Rng::new(6);
    let input = random_matrix(6, 3, 1.0, &mut rng);
    let labels = [0, 1, 2, 1, 0, 2];
    let teacher_logits = random_matrix(6, 3, 2.0, &mut rng);
    for activation in [Activation::Tanh, Activation::Relu] {
        let mlp = Mlp::new(&[3, 5, 4, 3], activation, &mut rng).unwrap();
        check_mlp(
            &mlp,
            &input,
            |z| {
                let ce = cross_entropy(z.view(), &labels).unwrap();
                (ce.loss, ce.gradient)
            },
            &format!("{activation:?} MLP, CE"),
        );
        check_mlp(
            &mlp,
            &input,
            |z| {
                let (kd, gradient) = method_loss(SoftLoss::Kl, z, &teacher_logits, &labels, 3.0, 0.7);
                (kd.total, gradient)
            },
            &format!("{activation:?} MLP, KD loss"),
        );
    }
}

/// The training steps run through `Passes`' reused buffers; they must give exactly the bits of the
/// forward and backward passes checked above, for full and for short (last) batches.
#[test]
fn the_passes_give_the_same_bits_as_the_checked_ones() {
    let mut rng = Rng::new(6);
    for activation in [Activation::Relu, Activation::Tanh] {
        let mlp = Mlp::new(&[5, 7, 6, 3], activation, &mut rng).unwrap();
        let features = random_matrix(11, 5, 1.0, &mut rng);
        let labels: Vec<usize> = (0..11).map(|i| i % 3).collect();
        let mut trainer = Passes::new(&mlp, 4);
        for rows in [&[3usize, 0, 7, 10][..], &[5, 1][..], &[2, 4, 6, 8, 9][..]] {
            trainer.forward(&mlp, features.view(), &labels, rows).unwrap();
            let batch = features.select(ndarray::Axis(0), rows);
            let batch_labels: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
            let cache = mlp.forward_cached(batch.view()).unwrap();
            assert_eq!(trainer.logits(), cache.logits().view(), "{activation:?} {rows:?}: logits");
            assert_eq!(trainer.labels(), &batch_labels[..]);
            let loss = trainer.loss(&HardLabels, None, 1.0, 0.0).unwrap().total;
            let expected = cross_entropy(cache.logits().view(), &batch_labels).unwrap();
            assert_eq!(loss, expected.loss);
            let gradients = trainer.backward(&mlp).unwrap().to_vec();
            let checked = mlp.backward(&cache, expected.gradient).unwrap();
            for (mine, theirs) in gradients.iter().zip(&checked) {
                assert_eq!(mine.weights, theirs.weights, "{activation:?} {rows:?}: weight gradients");
                assert_eq!(mine.bias, theirs.bias, "{activation:?} {rows:?}: bias gradients");
            }
        }
    }
}

/// Each method's loss is computed once, into reused buffers; it must give, bit for bit,
/// `α · soft + (1 − α) · CE` built from the separately checked soft term and cross-entropy, for
/// both soft terms and the whole range of T and α, whatever the buffers held before.
#[test]
fn the_loss_into_reused_buffers_gives_the_same_bits() {
    let mut rng = Rng::new(7);
    let labels = [2, 0, 1, 2, 0];
    for kind in [SoftLoss::Kl, SoftLoss::Logits] {
        for (t, alpha) in [(0.25f32, 0.5f32), (1.0, 0.0), (4.0, 0.9), (20.0, 1.0), (50.0, 0.3)] {
            let student = random_matrix(5, 3, 4.0, &mut rng);
            let teacher = random_matrix(5, 3, 4.0, &mut rng);
            let soft = kind.soft_term(student.view(), teacher.view(), t).unwrap();
            let hard = cross_entropy(student.view(), &labels).unwrap();
            let expected_gradient = soft.gradient * alpha + hard.gradient * (1.0 - alpha);
            let expected = (alpha * soft.loss + (1.0 - alpha) * hard.loss, soft.loss, hard.loss);
            let mut gradient = Array2::from_elem((5, 3), f32::NAN); // whatever the buffers held before
            let mut scratch = Array2::from_elem((5, 3), 7.0f32);
            let batch = Batch {
                student_logits: student.view(),
                labels: &labels,
                teacher_logits: Some(teacher.view()),
                temperature: t,
                alpha,
            };
            let terms = kind.method().loss_into(&batch, gradient.view_mut(), scratch.view_mut()).unwrap();
            assert_eq!((terms.total, terms.soft, terms.hard), expected, "{kind:?} T = {t}, α = {alpha}");
            assert_eq!(gradient, expected_gradient, "{kind:?} T = {t}, α = {alpha}: gradient");
            let (_, allocating) = method_loss(kind, &student, &teacher, &labels, t, alpha);
            assert_eq!(allocating, expected_gradient);
        }
    }
}
