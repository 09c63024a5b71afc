//! The students' transfer set: the samples they learn from. The teacher trains on the whole
//! training split; the students on its rows without the omitted class, subsampled to the
//! transfer-set fraction (Hinton §3 and §6).

use crate::data::Dataset;
use crate::error::{KdError, Result, SettingProblem};
use crate::rng::{Rng, Stream};
use crate::settings::Settings;

/// The rows of the training split in the transfer set, sorted: every row but the omitted class's,
/// keeping `round(n_c · fraction)` (at least one) rows of each remaining class `c`, chosen by the
/// seed.
pub fn transfer_set(data: &Dataset, settings: &Settings) -> Result<Vec<usize>> {
    if let Some(class) = settings.omit_class {
        if class >= data.classes() {
            return Err(KdError::setting("omitClass", SettingProblem::NoSuchClass { classes: data.classes() }));
        }
    }
    let mut rng = Rng::stream(settings.seed, Stream::TransferSet);
    let mut rows = Vec::new();
    for class in (0..data.classes()).filter(|&c| Some(c) != settings.omit_class) {
        let mut of_class: Vec<usize> = (0..data.train.len()).filter(|&r| data.train.labels[r] == class).collect();
        if of_class.is_empty() {
            continue;
        }
        rng.shuffle(&mut of_class);
        let keep = ((of_class.len() as f32 * settings.train_fraction).round() as usize).clamp(1, of_class.len());
        rows.extend_from_slice(&of_class[..keep]);
    }
    rows.sort_unstable();
    if rows.is_empty() {
        return Err(KdError::setting("trainFraction", SettingProblem::EmptyTransferSet));
    }
    Ok(rows)
}
