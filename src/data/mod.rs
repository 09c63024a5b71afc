//! Data sets: three 2-D sets generated from the seed (spiral, blobs, moons) and two real ones
//! (UCI digits 8×8 and iris; provenance in `src/data/README.md`; how they reach the page in
//! `builtin.rs`). Every set is split into train and test with a seeded, stratified split, and its
//! features are standardised (in f64) with the training split's mean and standard deviation.

pub mod builtin;
pub mod csv;
mod synthetic;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{DataProblem, KdError, Result};
use crate::rng::{Rng, Stream};

/// The built-in data sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DatasetName {
    Spiral,
    Blobs,
    Moons,
    Digits,
    Iris,
    /// The user's own CSV file.
    Csv,
    /// A text for the language task (`crate::language`): the built-in names or the user's file.
    Text,
}

impl DatasetName {
    /// All data sets, in the order the page lists them.
    pub const ALL: [DatasetName; 5] =
        [DatasetName::Spiral, DatasetName::Blobs, DatasetName::Moons, DatasetName::Digits, DatasetName::Iris];

    /// The name the page and the URL use.
    pub fn name(self) -> &'static str {
        match self {
            DatasetName::Spiral => "spiral",
            DatasetName::Blobs => "blobs",
            DatasetName::Moons => "moons",
            DatasetName::Digits => "digits",
            DatasetName::Iris => "iris",
            DatasetName::Csv => "csv",
            DatasetName::Text => "text",
        }
    }

    /// Parses a page name.
    pub fn from_name(name: &str) -> Option<Self> {
        DatasetName::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Whether the set is generated from the seed (and so uses the noise and points settings).
    pub fn is_generated(self) -> bool {
        matches!(self, DatasetName::Spiral | DatasetName::Blobs | DatasetName::Moons)
    }

    /// (features, classes) of a built-in set, for checking a network's size before the set is
    /// built; `None` for a user's CSV file, whose shape is known once it is read.
    pub fn shape(self) -> Option<(usize, usize)> {
        match self {
            DatasetName::Spiral | DatasetName::Blobs => Some((2, 3)),
            DatasetName::Moons => Some((2, 2)),
            DatasetName::Digits => Some((64, 10)),
            DatasetName::Iris => Some((4, 3)),
            DatasetName::Csv | DatasetName::Text => None,
        }
    }
}

/// The choices of the `dataset` setting: the built-in sets (a CSV file comes with its bytes).
impl crate::settings::Choice for DatasetName {
    const ALL: &'static [Self] = &DatasetName::ALL;
    const NAMES: &'static [&'static str] = &["spiral", "blobs", "moons", "digits", "iris"];
}

/// How the page should show the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DataView {
    /// 2-D points, with decision regions.
    Points,
    /// 8×8 grey-scale images.
    Digits,
    /// Tabular features (a scatter of two of them).
    Table,
    /// A text's next-character samples (the language task).
    Text,
}

/// What the models are evaluated on, in the slot the page and `kd` call the test split.
///
/// Settings are chosen by looking at held-out data; if that data is the test split, the test
/// figures stop being an unbiased estimate. With `Validation`, a validation split is cut from the
/// training split (the same fraction of each class as the test split's) and takes the test
/// split's place, and the test split is never seen: the protocol for tuning (`kd … --holdout
/// validation`); the figures reported come from the test split on seeds never used for tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Holdout {
    Test,
    Validation,
}

crate::settings::choices!(Holdout { Test => "test", Validation => "validation" });

/// How the features are scaled for the networks: `Standardise` (each feature to mean 0 and
/// standard deviation 1 over the training split, the engine's) or `UnitRange` (every feature
/// divided by the largest absolute value in the training split, digits' pixels by 16, as the
/// independent PyTorch reference run in ../shared/reference does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scaling {
    Standardise,
    UnitRange,
}

crate::settings::choices!(Scaling { Standardise => "standardise", UnitRange => "unit-range" });

/// How to generate or split a data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataOptions {
    /// Noise level in [0, 1] of the generated sets.
    pub noise: f32,
    /// Number of points of the generated sets.
    pub points: usize,
    /// Fraction of each class held out for testing.
    pub test_fraction: f32,
    /// The seed of the generation and the split.
    pub seed: u64,
    /// The test split, or a validation split cut from the training split in its place.
    pub holdout: Holdout,
    /// How the features are scaled.
    pub scaling: Scaling,
}

/// One split's samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Features in original units (batch, features), for display.
    pub raw: Array2<f32>,
    /// Standardised features (batch, features), what the networks see.
    pub features: Array2<f32>,
    /// Class index of each sample.
    pub labels: Vec<usize>,
}

impl Split {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// A data set, split and standardised.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: DatasetName,
    pub view: DataView,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
    pub train: Split,
    pub test: Split,
    /// The training split's per-feature mean (features), in f64: a user's file may hold values
    /// whose squares overflow f32.
    pub mean: Array1<f64>,
    /// The training split's per-feature standard deviation, 1 where it is 0 (features).
    pub std: Array1<f64>,
}

/// Samples before splitting: features in original units and labels.
pub(crate) struct RawData {
    pub features: Array2<f32>,
    pub labels: Vec<usize>,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
}

/// `(x − mean) / std` of each column, computed in f64: finite for any finite f32 input, since the
/// result is at most √n in size.
fn standardised(raw: ArrayView2<f32>, mean: &Array1<f64>, std: &Array1<f64>) -> Array2<f32> {
    let mut out = Array2::zeros(raw.dim());
    for (mut row, raw_row) in out.rows_mut().into_iter().zip(raw.rows()) {
        for (((o, &x), &m), &s) in row.iter_mut().zip(raw_row).zip(mean).zip(std) {
            *o = ((f64::from(x) - m) / s) as f32;
        }
    }
    out
}

impl Dataset {
    /// Builds data set `name` with `options`.
    pub fn load(name: DatasetName, options: &DataOptions) -> Result<Self> {
        let mut rng = Rng::stream(options.seed, Stream::Data);
        let (raw, view) = match name {
            DatasetName::Spiral => (synthetic::spiral(options.points, options.noise, &mut rng), DataView::Points),
            DatasetName::Blobs => (synthetic::blobs(options.points, options.noise, &mut rng), DataView::Points),
            DatasetName::Moons => (synthetic::moons(options.points, options.noise, &mut rng), DataView::Points),
            DatasetName::Digits => (builtin::digits()?, DataView::Digits),
            DatasetName::Iris => (builtin::iris()?, DataView::Table),
            DatasetName::Csv => {
                return Err(KdError::Internal("a CSV data set is built from its file (Dataset::from_csv)".into()))
            }
            DatasetName::Text => {
                return Err(KdError::Internal("a text is built from its corpus (language::Corpus::dataset)".into()))
            }
        };
        Dataset::from_raw(name, view, raw, options)
    }

    /// Builds a data set from a user's CSV file (see [`csv`] for the format and limits), split
    /// and standardised like the built-in ones. `name` labels messages; the set is shown as 2-D
    /// points when it has two features and as a table otherwise.
    pub fn from_csv(bytes: &[u8], file_name: &str, options: &DataOptions) -> Result<Self> {
        let raw = csv::parse(bytes, file_name)?;
        let view = if raw.features.ncols() == 2 { DataView::Points } else { DataView::Table };
        Dataset::from_raw(DatasetName::Csv, view, raw, options)
    }

    fn from_raw(name: DatasetName, view: DataView, raw: RawData, options: &DataOptions) -> Result<Self> {
        let classes = raw.class_names.len();
        let (mut train_rows, mut test_rows) =
            stratified_split(&raw.labels, classes, options.test_fraction, options.seed, Stream::Split)?;
        if options.holdout == Holdout::Validation {
            // the training rows' labels, split again; the test rows are dropped unseen
            let train_labels: Vec<usize> = train_rows.iter().map(|&r| raw.labels[r]).collect();
            let (fit, validation) =
                stratified_split(&train_labels, classes, options.test_fraction, options.seed, Stream::Validation)?;
            let rows = |picked: Vec<usize>| picked.into_iter().map(|i| train_rows[i]).collect::<Vec<_>>();
            (train_rows, test_rows) = (rows(fit), rows(validation));
        }
        let take = |rows: &[usize]| raw.features.select(Axis(0), rows);
        let train_raw = take(&train_rows);
        let test_raw = take(&test_rows);
        let train_f64 = train_raw.mapv(f64::from);
        let mut mean =
            train_f64.mean_axis(Axis(0)).ok_or_else(|| KdError::Internal("the training split is empty".into()))?;
        let mut std = train_f64.std_axis(Axis(0), 0.0).mapv(|s| if s > 1e-6 { s } else { 1.0 });
        if options.scaling == Scaling::UnitRange {
            // x / max|x|: the same divisor for every feature, nothing subtracted
            let largest = train_f64.iter().fold(0.0_f64, |m, &v| m.max(v.abs()));
            mean.fill(0.0);
            std.fill(if largest > 1e-12 { largest } else { 1.0 });
        }
        let standardise = |x: &Array2<f32>| standardised(x.view(), &mean, &std);
        let labels = |rows: &[usize]| rows.iter().map(|&r| raw.labels[r]).collect::<Vec<_>>();
        Ok(Dataset {
            name,
            view,
            train: Split { features: standardise(&train_raw), raw: train_raw, labels: labels(&train_rows) },
            test: Split { features: standardise(&test_raw), raw: test_raw, labels: labels(&test_rows) },
            class_names: raw.class_names,
            feature_names: raw.feature_names,
            mean,
            std,
        })
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// Number of input features.
    pub fn feature_count(&self) -> usize {
        self.mean.len()
    }

    /// Feature `j` of every sample, train then test, in original units: what a chart's axis spans.
    pub fn raw_column(&self, j: usize) -> Vec<f64> {
        self.train.raw.column(j).iter().chain(self.test.raw.column(j).iter()).map(|&v| f64::from(v)).collect()
    }

    /// Standardises features given in original units with the training split's statistics.
    pub fn standardise(&self, raw: ArrayView2<f32>) -> Result<Array2<f32>> {
        if raw.ncols() != self.feature_count() {
            return Err(KdError::Internal(format!(
                "{} features given, the data set has {}",
                raw.ncols(),
                self.feature_count()
            )));
        }
        Ok(standardised(raw, &self.mean, &self.std))
    }

    /// The split `train` or `test`.
    pub fn split(&self, which: SplitName) -> &Split {
        match which {
            SplitName::Train => &self.train,
            SplitName::Test => &self.test,
        }
    }
}

/// Which split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SplitName {
    Train,
    Test,
}

impl SplitName {
    /// The name the page uses.
    pub fn name(self) -> &'static str {
        match self {
            SplitName::Train => "train",
            SplitName::Test => "test",
        }
    }

    /// Parses a page name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "train" => Some(SplitName::Train),
            "test" => Some(SplitName::Test),
            _ => None,
        }
    }
}

/// Splits row indices into (train, test), holding out `round(n_c · test_fraction)` samples of each
/// class `c` (at least one of a class with two or more samples), chosen by the seed.
fn stratified_split(
    labels: &[usize],
    classes: usize,
    test_fraction: f32,
    seed: u64,
    stream: Stream,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let mut rng = Rng::stream(seed, stream);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for class in 0..classes {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&r| labels[r] == class).collect();
        rng.shuffle(&mut rows);
        let held_out = ((rows.len() as f32 * test_fraction).round() as usize)
            .clamp(usize::from(rows.len() >= 2), rows.len().saturating_sub(1));
        test.extend_from_slice(&rows[..held_out]);
        train.extend_from_slice(&rows[held_out..]);
    }
    if train.is_empty() || test.is_empty() {
        return Err(KdError::Data(DataProblem::CannotSplit { samples: labels.len() }));
    }
    // Interleave the classes: sort by row so that a split is not grouped by class.
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> DataOptions {
        DataOptions { noise: 0.2, points: 300, test_fraction: 0.2, seed: 5, ..Default::default() }
    }

    #[test]
    fn every_set_loads_with_standardised_train_features() {
        for name in DatasetName::ALL {
            let data = Dataset::load(name, &options()).unwrap();
            assert_eq!(data.train.features.ncols(), data.feature_count());
            assert!(data.train.labels.iter().chain(&data.test.labels).all(|&y| y < data.classes()));
            let mean = data.train.features.mean_axis(Axis(0)).unwrap();
            assert!(mean.iter().all(|m| m.abs() < 1e-4), "{name:?} train mean {mean}");
            let test_share = data.test.len() as f32 / (data.train.len() + data.test.len()) as f32;
            assert!((test_share - 0.2).abs() < 0.03, "{name:?} test share {test_share}");
        }
    }

    #[test]
    fn every_set_has_the_shape_it_declares() {
        for name in DatasetName::ALL {
            let data = Dataset::load(name, &options()).unwrap();
            assert_eq!(name.shape(), Some((data.feature_count(), data.classes())), "{name:?}");
        }
    }

    #[test]
    fn real_sets_have_their_known_sizes() {
        let digits = Dataset::load(DatasetName::Digits, &options()).unwrap();
        assert_eq!(digits.train.len() + digits.test.len(), 1797);
        assert_eq!((digits.feature_count(), digits.classes()), (64, 10));
        let iris = Dataset::load(DatasetName::Iris, &options()).unwrap();
        assert_eq!(iris.train.len() + iris.test.len(), 150);
        assert_eq!(iris.class_names, vec!["setosa", "versicolor", "virginica"]);
    }

    #[test]
    fn a_users_csv_becomes_a_split_standardised_data_set() {
        let text: String =
            (0..40).map(|i| format!("{},{},{}\n", i, (i * 7) % 13, if i % 2 == 0 { "even" } else { "odd" })).collect();
        let data = Dataset::from_csv(format!("x,y,parity\n{text}").as_bytes(), "parity.csv", &options()).unwrap();
        assert_eq!((data.name, data.view), (DatasetName::Csv, DataView::Points));
        assert_eq!(data.class_names, vec!["even", "odd"]);
        assert_eq!(data.feature_names, vec!["x", "y"]);
        assert_eq!((data.train.len(), data.test.len()), (32, 8));
        let mean = data.train.features.mean_axis(Axis(0)).unwrap();
        assert!(mean.iter().all(|m| m.abs() < 1e-5));
        assert!(Dataset::from_csv(b"1,2,0\n3,4,0\n", "one.csv", &options()).is_err());
    }

    #[test]
    fn a_validation_split_comes_from_the_training_split_and_the_test_split_is_never_seen() {
        let rows = |split: &Split| -> Vec<Vec<u32>> {
            split.raw.rows().into_iter().map(|r| r.iter().map(|x| x.to_bits()).collect()).collect()
        };
        let tested = Dataset::load(DatasetName::Digits, &options()).unwrap();
        let validated =
            Dataset::load(DatasetName::Digits, &DataOptions { holdout: Holdout::Validation, ..options() }).unwrap();
        let (train, test) = (rows(&tested.train), rows(&tested.test));
        let (fit, validation) = (rows(&validated.train), rows(&validated.test));
        // every row of the validation run comes from the test run's training split, none from its test split
        let seen = |r: &Vec<u32>| train.contains(r);
        assert!(fit.iter().chain(&validation).all(seen));
        assert!(!fit.iter().chain(&validation).any(|r| test.contains(r)));
        assert_eq!(fit.len() + validation.len(), train.len());
        // the same share of each class as the test split's (stratified), and every class present
        for class in 0..10 {
            let of = |labels: &[usize]| labels.iter().filter(|&&l| l == class).count() as f32;
            let share = of(&validated.test.labels) / of(&tested.train.labels);
            assert!((share - 0.2).abs() < 0.03, "class {class}: {share}");
        }
        // standardised on what it trains on
        let mean = validated.train.features.mean_axis(Axis(0)).unwrap();
        assert!(mean.iter().all(|m| m.abs() < 1e-4));
        assert_eq!(
            Dataset::load(DatasetName::Digits, &DataOptions { holdout: Holdout::Validation, ..options() }).unwrap(),
            validated
        );
    }

    #[test]
    fn unit_range_scaling_divides_digits_pixels_by_16() {
        let data =
            Dataset::load(DatasetName::Digits, &DataOptions { scaling: Scaling::UnitRange, ..options() }).unwrap();
        for split in [&data.train, &data.test] {
            for (x, raw) in split.features.iter().zip(&split.raw) {
                assert_eq!(*x, (f64::from(*raw) / 16.0) as f32);
            }
        }
        assert_eq!(data.standardise(data.test.raw.view()).unwrap(), data.test.features);
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = Dataset::load(DatasetName::Spiral, &options()).unwrap();
        let b = Dataset::load(DatasetName::Spiral, &options()).unwrap();
        assert_eq!(a, b);
        let c = Dataset::load(DatasetName::Spiral, &DataOptions { seed: 6, ..options() }).unwrap();
        assert_ne!(a.train.raw, c.train.raw);
    }
}
