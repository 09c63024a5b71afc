//! The 2-D data sets generated from the seed. `noise` in [0, 1] scales the Gaussian jitter; the
//! classes get equal shares of `points`.

use ndarray::Array2;

use super::RawData;
use crate::math;
use crate::rng::Rng;

fn raw(points: Vec<(f64, f64, usize)>, class_names: &[&str]) -> RawData {
    let features = Array2::from_shape_fn((points.len(), 2), |(i, j)| {
        let (x, y, _) = points[i];
        (if j == 0 { x } else { y }) as f32
    });
    RawData {
        features,
        labels: points.iter().map(|p| p.2).collect(),
        class_names: class_names.iter().map(|s| s.to_string()).collect(),
        feature_names: vec!["x₁".into(), "x₂".into()],
    }
}

/// Class of point `i` of `n` when `classes` share them equally (in blocks).
fn class_of(i: usize, n: usize, classes: usize) -> usize {
    (i * classes / n.max(1)).min(classes - 1)
}

/// Three interleaved spiral arms: arm `k` at angle `2πk/3 + 4r` and radius `r ∈ [0.1, 1]`, with
/// Gaussian jitter of standard deviation `0.35 · noise` radians on the angle.
pub(super) fn spiral(points: usize, noise: f32, rng: &mut Rng) -> RawData {
    let classes = 3;
    let noise = noise as f64;
    let data = (0..points)
        .map(|i| {
            let class = class_of(i, points, classes);
            let r = 0.1 + 0.9 * rng.next_f64();
            let angle = 2.0 * std::f64::consts::PI * class as f64 / 3.0 + 4.0 * r + 0.35 * noise * rng.normal();
            (r * math::cos_f64(angle), r * math::sin_f64(angle), class)
        })
        .collect();
    raw(data, &["arm A", "arm B", "arm C"])
}

/// Three Gaussian blobs centred on a circle of radius 1, each of standard deviation
/// `0.15 + 0.6 · noise`, so that they overlap more as the noise grows.
pub(super) fn blobs(points: usize, noise: f32, rng: &mut Rng) -> RawData {
    let classes = 3;
    let spread = 0.15 + 0.6 * noise as f64;
    let data = (0..points)
        .map(|i| {
            let class = class_of(i, points, classes);
            let angle = 2.0 * std::f64::consts::PI * class as f64 / 3.0 + std::f64::consts::FRAC_PI_2;
            (math::cos_f64(angle) + spread * rng.normal(), math::sin_f64(angle) + spread * rng.normal(), class)
        })
        .collect();
    raw(data, &["blob A", "blob B", "blob C"])
}

/// Two interleaving half circles (as scikit-learn's `make_moons`): the upper `(cos t, sin t)` and
/// the lower `(1 − cos t, 0.5 − sin t)` for `t ∈ [0, π]`, with Gaussian noise of standard
/// deviation `0.3 · noise`.
pub(super) fn moons(points: usize, noise: f32, rng: &mut Rng) -> RawData {
    let sigma = 0.3 * noise as f64;
    let data = (0..points)
        .map(|i| {
            let class = class_of(i, points, 2);
            let t = std::f64::consts::PI * rng.next_f64();
            let (x, y) = if class == 0 {
                (math::cos_f64(t), math::sin_f64(t))
            } else {
                (1.0 - math::cos_f64(t), 0.5 - math::sin_f64(t))
            };
            (x + sigma * rng.normal(), y + sigma * rng.normal(), class)
        })
        .collect();
    raw(data, &["upper moon", "lower moon"])
}
