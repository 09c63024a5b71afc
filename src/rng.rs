//! The one seeded random-number generator behind every random draw: data generation, the
//! train/test split, weight initialisation and batch shuffling. Written out here (xoshiro256**,
//! seeded through SplitMix64) so that the same seed gives the same stream natively and in wasm,
//! independent of any crate's version.

use crate::math;

/// Independent streams derived from one user-visible seed, so that, e.g., changing the number of
/// teacher epochs does not change the data or the students' initial weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Data = 1,
    Split = 2,
    TeacherInit = 3,
    StudentInit = 4,
    TeacherShuffle = 5,
    StudentShuffle = 6,
    TransferSet = 7,
    Validation = 8,
    Bootstrap = 9,
    /// The wrong classes' order in each permuted soft label (the `dkpp` control).
    Permutation = 10,
    /// The second peer of mutual learning, and its twin.
    PeerInit = 11,
    /// FitNets' regressor and BYOT's early exits.
    Heads = 12,
    /// The fine-tuning batches of the compression bench's prunings.
    Pruning = 13,
    /// The calibration samples of int8 quantization.
    Calibration = 14,
    /// The transfer demonstration: its networks' weights, its few labels, its batches.
    Transfer = 15,
    /// The characters a language model writes.
    Sampling = 16,
}

/// xoshiro256** (Blackman & Vigna), seeded with SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
    /// The second value of the last Box–Muller pair, kept for the next `normal` call.
    spare_normal: Option<f64>,
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let state = [splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x)];
        Rng { state, spare_normal: None }
    }

    /// The generator of one named stream of `seed`.
    pub fn stream(seed: u64, stream: Stream) -> Self {
        Rng::new(seed ^ (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [low, high).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// Uniform integer in [0, n); `n` must be positive (0 gives 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift; the tiny bias is irrelevant at our sizes.
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal, by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.next_f64(); // (0, 1]: ln is finite
        let u2 = self.next_f64();
        let radius = (-2.0 * math::ln_f64(u1)).sqrt();
        let angle = 2.0 * std::f64::consts::PI * u2;
        self.spare_normal = Some(radius * math::sin_f64(angle));
        radius * math::cos_f64(angle)
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_streams_differ() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut data = Rng::stream(7, Stream::Data);
        let mut init = Rng::stream(7, Stream::TeacherInit);
        assert_ne!(data.next_u64(), init.next_u64());
    }

    /// Known answers from the algorithms' published definitions, computed independently (Python,
    /// 64-bit arithmetic by hand), so that a change of this file that changed a single draw fails
    /// here: every run's bits, natively and in the page, rest on these streams.
    #[test]
    fn the_generators_give_their_known_answers() {
        // SplitMix64 from 0 (Vigna's reference values).
        let mut x = 0u64;
        let splitmix: Vec<u64> = (0..3).map(|_| splitmix64(&mut x)).collect();
        assert_eq!(splitmix, [0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f]);
        // xoshiro256** from the state {1, 2, 3, 4} (the reference implementation's first outputs).
        let mut rng = Rng { state: [1, 2, 3, 4], spare_normal: None };
        let outputs: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert_eq!(outputs, [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240]);
        // Seeded through SplitMix64, and a named stream.
        let mut rng = Rng::new(0);
        assert_eq!([rng.next_u64(), rng.next_u64()], [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a]);
        let mut data = Rng::stream(1, Stream::Data);
        assert_eq!(data.next_u64(), 0xbaa2_4e21_d05c_2935);
        // The draws built on them: a uniform in [0, 1) and a Fisher–Yates shuffle.
        assert_eq!(Rng::new(42).next_f64(), 0.08386297105988216);
        let mut items: Vec<u32> = (0..10).collect();
        Rng::new(42).shuffle(&mut items);
        assert_eq!(items, [9, 1, 4, 2, 8, 7, 6, 5, 3, 0]);
    }

    #[test]
    fn uniform_and_normal_have_the_right_moments() {
        let mut rng = Rng::new(1);
        let n = 100_000;
        let uniforms: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
        let mean = uniforms.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "uniform mean {mean}");
        assert!(uniforms.iter().all(|u| (0.0..1.0).contains(u)));
        let normals: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = normals.iter().sum::<f64>() / n as f64;
        let var = normals.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02, "normal mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "normal variance {var}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = Rng::new(3);
        let mut items: Vec<usize> = (0..100).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..100).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..100).collect::<Vec<_>>());
    }
}
