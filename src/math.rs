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

/// `a.max(b)` (`f32::max`) as each target computes it, NaN payloads aside. In WebAssembly `max` is
/// a call of libm's `fmaxf`, which returns `b` when `a` is NaN or less than `b`, and `a` otherwise;
/// that comparison, written out here, is inlined into the softmax's row maximum. Natively `max` is
/// one instruction, so it stays.
#[inline(always)]
pub fn max(a: f32, b: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        if a.is_nan() || a < b {
            b
        } else {
            a
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.max(b)
    }
}

/// [`max`] in double precision (libm's `fmax` in WebAssembly).
#[inline(always)]
pub fn max_f64(a: f64, b: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        if a.is_nan() || a < b {
            b
        } else {
            a
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.max(b)
    }
}

/// `e^x`: libm's `expf` (FreeBSD's `e_expf.c`), bit for bit. Its arithmetic for |x| < 87.34 is
/// written out here so that it is inlined into the softmax loops: in WebAssembly, the calls of
/// `libm::expf` (with its general `scalbnf`) and of `libm::exp` were 44% of a Node CPU profile of
/// the students' phase of the digits run. Every step is one of IEEE 754's exactly rounded
/// operations, in libm's order, and `y · 2ᵏ` is `scalbnf(y, k)` for −126 ≤ k ≤ 127; overflow,
/// underflow and NaN go to libm itself. The two were compared on every f32 once; the tests
/// compare them on a sample, natively and in WebAssembly (tests/web.rs).
#[inline]
pub fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = f32::from_bits(0x3f31_7200); // 6.9314575195e-01
    const LN2_LO: f32 = f32::from_bits(0x35bf_be8e); // 1.4286067653e-06
    const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b); // 1.4426950216e+00
    const P1: f32 = f32::from_bits(0x3e2a_aa8f); // 1.6666625440e-1
    const P2: f32 = f32::from_bits(0xbb35_5215); // -2.7667332906e-3
    let bits = x.to_bits();
    let negative = bits >> 31 == 1;
    let hx = bits & 0x7fff_ffff; // |x|
    if hx >= 0x42ae_ac50 {
        return libm::expf(x); // |x| ≥ 87.34: overflow, underflow, NaN
    }
    // x = k·ln 2 + (hi − lo), |hi − lo| ≤ ln 2 / 2
    let (k, hi, lo) = if hx > 0x3eb1_7218 {
        // |x| > ln 2 / 2
        let k = if hx > 0x3f85_1592 {
            // |x| > 1.5 ln 2
            (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32
        } else if negative {
            -1
        } else {
            1
        };
        let kf = k as f32;
        (k, x - kf * LN2_HI, kf * LN2_LO)
    } else if hx > 0x3900_0000 {
        // |x| > 2⁻¹⁴
        (0, x, 0.0)
    } else {
        return 1.0 + x;
    };
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * P2);
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    if k == 0 {
        y
    } else {
        y * f32::from_bits(((0x7f + k) as u32) << 23) // 2ᵏ, −126 ≤ k ≤ 126 here
    }
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

/// `e^x` in double precision: libm's `exp` (FreeBSD's `e_exp.c`), bit for bit, its arithmetic for
/// |x| < 708.39 written out to be inlined, as [`exp`]'s; `y · 2ᵏ` is `scalbn(y, k)` for
/// −1022 ≤ k ≤ 1023, and the rest goes to libm.
#[inline]
pub fn exp_f64(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-01
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10
    const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe); // 1.44269504088896338700e+00
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e); // 1.66666666666666019037e-01
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93); // -2.77777777770155933842e-03
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c); // 6.61375632143793436117e-05
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1); // -1.65339022054652515390e-06
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0); // 4.13813679705723846039e-08
    let high = (x.to_bits() >> 32) as u32;
    let negative = high >> 31 == 1;
    let hx = high & 0x7fff_ffff; // the high word of |x|
    if hx >= 0x4086_232b {
        return libm::exp(x); // |x| ≥ 708.39: overflow, underflow, NaN
    }
    let (k, hi, lo) = if hx > 0x3fd6_2e42 {
        // |x| > ln 2 / 2
        let k = if hx >= 0x3ff0_a2b2 {
            // |x| ≥ 1.5 ln 2
            (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32
        } else if negative {
            -1
        } else {
            1
        };
        let kf = k as f64;
        (k, x - kf * LN2_HI, kf * LN2_LO)
    } else if hx > 0x3e30_0000 {
        // |x| > 2⁻²⁸
        (0, x, 0.0)
    } else {
        return 1.0 + x;
    };
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    if k == 0 {
        y
    } else {
        y * f64::from_bits(((0x3ff + k as i64) as u64) << 52) // 2ᵏ, −1022 ≤ k ≤ 1022 here
    }
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

    /// The f32 values next to each of the branch points of libm's `expf` (in |x|), both signs.
    fn around(thresholds: &[u32]) -> Vec<f32> {
        let mut values = Vec::new();
        for &t in thresholds {
            for bits in t - 2..=t + 2 {
                values.extend([f32::from_bits(bits), -f32::from_bits(bits)]);
            }
        }
        values
    }

    #[test]
    fn exp_has_the_bits_of_libm_on_a_sixteen_millionth_of_every_f32_and_at_each_branch() {
        // Every f32 was compared once (all 2³² of them, in a release build): no difference. Here
        // every 257th bit pattern, which crosses every exponent and both signs.
        let mut values: Vec<f32> = (0..=u32::MAX).step_by(257).map(f32::from_bits).collect();
        values.extend(around(&[0x42ae_ac50, 0x42b1_7218, 0x42cf_f1b5, 0x3eb1_7218, 0x3f85_1592, 0x3900_0000]));
        values.extend([0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, f32::MIN_POSITIVE, 1e-45]);
        for x in values {
            assert_eq!(
                exp(x).to_bits(),
                libm::expf(x).to_bits(),
                "exp({x:e}) = {:e}, libm {:e}",
                exp(x),
                libm::expf(x)
            );
        }
    }

    #[test]
    fn exp_f64_has_the_bits_of_libm_across_every_exponent_and_at_each_branch() {
        let mut rng = crate::rng::Rng::new(3);
        let mut values: Vec<f64> = Vec::new();
        for exponent in 0..2048u64 {
            for sign in [0u64, 1 << 63] {
                for _ in 0..64 {
                    let mantissa = rng.next_u64() & ((1 << 52) - 1);
                    values.push(f64::from_bits(sign | exponent << 52 | mantissa));
                }
            }
        }
        // what the soft term feeds it: f32 logits, widened, shifted and divided by T
        values.extend((0..=u32::MAX).step_by(65_537).map(|bits| f64::from(f32::from_bits(bits)) / 3.0));
        for high in [0x4086_232bu64, 0x3fd6_2e42, 0x3ff0_a2b2, 0x3e30_0000] {
            for bits in (high << 32) - 3..=(high << 32) + 3 {
                values.extend([f64::from_bits(bits), -f64::from_bits(bits)]);
            }
        }
        values.extend([709.782712893384, 709.79, -708.3964185322641, -745.1332191019411, -745.2, f64::NAN]);
        for x in values {
            assert_eq!(exp_f64(x).to_bits(), libm::exp(x).to_bits(), "exp_f64({x:e})");
        }
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
