//! Dark knowledge with permuted predictions, the second "is it really dark knowledge?" control
//! (Furlanello et al. 2018, "DKPP"). The student learns exactly as by [`super::SoftLabels`], from
//! the teacher's soft label with its largest probability left in place and the others shuffled
//! among the wrong classes, once per training sample, from the seed:
//!
//! ```text
//! p = [0.70, 0.20, 0.06, 0.04]  (a "3" that looks like an "8")   →   [0.70, 0.04, 0.20, 0.06]
//! ```
//!
//! The amount of wrong-class mass, its spread and the teacher's confidence all stay; only which
//! wrong class gets what is lost. If the distilled student still beats this one, the similarities
//! between classes carried the gain. A softmax commutes with a permutation, so the teacher's
//! logits are permuted, and the soft label at any T is the permuted one.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::losses::argmax_rows;
use crate::rng::{Rng, Stream};

/// For each row of the teacher's logits on the training split, the order its classes are read in:
/// `order[row · K + k]` is the class whose logit goes to class `k`. The argmax (at T = 1) keeps
/// its place; the others are shuffled among themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Permutations {
    classes: usize,
    order: Vec<usize>,
}

impl Permutations {
    /// One permutation per row of `teacher_logits` (training split, classes), drawn from `seed`.
    pub fn draw(teacher_logits: ArrayView2<f32>, seed: u64) -> Self {
        let classes = teacher_logits.ncols();
        let mut rng = Rng::stream(seed, Stream::Permutation);
        let mut order = Vec::with_capacity(teacher_logits.len());
        for top in argmax_rows(teacher_logits) {
            let mut wrong: Vec<usize> = (0..classes).filter(|&k| k != top).collect();
            rng.shuffle(&mut wrong);
            let mut shuffled = wrong.into_iter();
            order.extend((0..classes).map(|k| if k == top { top } else { shuffled.next().unwrap_or(k) }));
        }
        Permutations { classes, order }
    }

    /// Permutes `logits` (batch, classes) in place, row `i` being training row `rows[i]`.
    pub fn apply(&self, rows: &[usize], mut logits: ArrayViewMut2<f32>) {
        let mut original = vec![0.0f32; self.classes];
        for (mut row, &r) in logits.rows_mut().into_iter().zip(rows) {
            let Some(order) = self.order.get(r * self.classes..(r + 1) * self.classes) else { continue };
            original.iter_mut().zip(row.iter()).for_each(|(o, &v)| *o = v);
            for (k, &from) in order.iter().enumerate() {
                row[k] = original[from];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_top_class_stays_and_the_others_are_a_permutation_of_themselves() {
        let teacher = array![[0.1f32, 3.0, -1.0, 0.5, 2.0], [5.0, 0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 9.0, 1.0]];
        let permutations = Permutations::draw(teacher.view(), 7);
        let mut permuted = teacher.clone();
        permutations.apply(&[0, 1, 2], permuted.view_mut());
        let mut moved = 0;
        for (before, after) in teacher.rows().into_iter().zip(permuted.rows()) {
            let top = argmax_rows(before.insert_axis(ndarray::Axis(0)))[0];
            assert_eq!(before[top], after[top]);
            let (mut a, mut b): (Vec<f32>, Vec<f32>) = (before.to_vec(), after.to_vec());
            a.sort_by(f32::total_cmp);
            b.sort_by(f32::total_cmp);
            assert_eq!(a, b);
            moved += before.iter().zip(after).filter(|(x, y)| x != y).count();
        }
        assert!(moved > 0, "nothing was shuffled");
        // the same seed, the same shuffle; another seed, another
        assert_eq!(Permutations::draw(teacher.view(), 7), permutations);
        assert_ne!(Permutations::draw(teacher.view(), 8), permutations);
    }
}
