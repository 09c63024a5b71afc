//! The few functions beyond `+ − × ÷ √` that the engine uses, with the same bits on every
//! platform.
//!
//! IEEE 754 rounds `+ − × ÷ √` exactly, so they agree everywhere; `exp`, `ln`, `tanh`, `sin`
//! and `cos` are only approximated, and the standard library takes them from the platform: glibc
//! natively, a port of musl in wasm. The two differ in the last bit for some inputs, and after a
//! few hundred training steps so do the runs. Here every target uses the same pure-Rust code
//! (the `libm` crate), so a seed gives the same run in the command line and in the page. The
//! matrix products are the other half of that: see [`crate::matmul`].

/// Whether every value is finite (no NaN, no ±∞). It reads every value, with no early exit, so
/// that the loop is vectorised: the divergence guard checks each step's gradients and weights.
pub fn all_finite<'a>(values: impl IntoIterator<Item = &'a f32>) -> bool {
    values.into_iter().fold(true, |finite, v| finite & v.is_finite())
}

/// `e^x`.
pub fn exp(x: f32) -> f32 {
    libm::expf(x)
}

/// The natural logarithm.
pub fn ln(x: f32) -> f32 {
    libm::logf(x)
}

/// `log₂ x`.
pub fn log2(x: f32) -> f32 {
    libm::log2f(x)
}

/// The hyperbolic tangent.
pub fn tanh(x: f32) -> f32 {
    libm::tanhf(x)
}

/// `e^x` in double precision.
pub fn exp_f64(x: f64) -> f64 {
    libm::exp(x)
}

/// The natural logarithm in double precision.
pub fn ln_f64(x: f64) -> f64 {
    libm::log(x)
}

/// The sine in double precision.
pub fn sin_f64(x: f64) -> f64 {
    libm::sin(x)
}

/// The cosine in double precision.
pub fn cos_f64(x: f64) -> f64 {
    libm::cos(x)
}

/// `base^n` for `n ≥ 0` by repeated squaring, the same sequence of products everywhere (the
/// standard `powi` may be lowered differently per target).
pub fn powi(base: f32, n: u32) -> f32 {
    let (mut result, mut square, mut n) = (1.0f32, base, n);
    while n > 0 {
        if n & 1 == 1 {
            result *= square;
        }
        square *= square;
        n >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_finite_finds_any_nan_or_infinity() {
        let mut values = vec![1.0f32; 37];
        assert!(all_finite(&values));
        assert!(all_finite(&[]));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for at in [0, 17, 36] {
                values[at] = bad;
                assert!(!all_finite(&values), "{bad} at {at}");
                values[at] = f32::MAX;
            }
        }
        assert!(all_finite(&values));
    }

    #[test]
    fn agree_with_the_standard_library_to_a_few_ulp() {
        for i in -200..=200 {
            let x = i as f32 * 0.37;
            let close = |a: f32, b: f32| (a - b).abs() <= 4.0 * f32::EPSILON * b.abs().max(f32::MIN_POSITIVE);
            assert!(close(exp(x), x.exp()), "exp({x})");
            assert!(close(tanh(x), x.tanh()), "tanh({x})");
            if x > 0.0 {
                assert!(close(ln(x), x.ln()), "ln({x})");
                assert!(close(log2(x), x.log2()), "log2({x})");
            }
            let y = x as f64;
            assert!((exp_f64(y) - y.exp()).abs() <= 4.0 * f64::EPSILON * y.exp());
            assert!((sin_f64(y) - y.sin()).abs() <= 4.0 * f64::EPSILON);
            assert!((cos_f64(y) - y.cos()).abs() <= 4.0 * f64::EPSILON);
        }
        assert_eq!(powi(0.9, 0), 1.0);
        assert_eq!(powi(0.9, 1), 0.9);
        assert!((powi(0.999, 1000) - 0.999f32.powi(1000)).abs() < 1e-5);
    }
}
