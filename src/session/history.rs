//! What a session records as it trains: the teacher's metrics per epoch, the students' per epoch
//! (epoch 0: before training), and the losses of the last mini-batch.

use serde::{Deserialize, Serialize};

/// The teacher's metrics after an epoch (epoch 0: before training).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeacherEpoch {
    pub epoch: usize,
    /// CE on the training split.
    pub train_loss: f32,
    pub train_accuracy: f32,
    pub test_accuracy: f32,
    /// The language task: the next character's cross-entropy on the held-out split, in bits per
    /// character (absent for the other tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_bits: Option<f32>,
}

/// The students' metrics after an epoch (epoch 0: the shared initial weights), evaluated on the
/// whole transfer set at the temperature and α in force then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentEpoch {
    pub epoch: usize,
    /// Distilled student: the mean soft term (`T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))`).
    pub soft_loss: f32,
    /// Distilled student: mean `CE(y, softmax(z_s))`.
    pub hard_loss: f32,
    /// Distilled student: `α·soft + (1 − α)·hard`.
    pub total_loss: f32,
    /// Control student: mean CE, the loss it is trained on.
    pub control_hard_loss: f32,
    pub kd_train_accuracy: f32,
    pub kd_test_accuracy: f32,
    pub control_train_accuracy: f32,
    pub control_test_accuracy: f32,
    /// The language task: each student's bits per character on the held-out split (absent for
    /// the other tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kd_test_bits: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_test_bits: Option<f32>,
    pub temperature: f32,
    pub alpha: f32,
    /// What the method's own view draws (null when the method has no such thing; absent in run
    /// files written before the methods).
    #[serde(default)]
    pub method: MethodEpoch,
}

/// A method's own measurements after an epoch, each null where the method has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodEpoch {
    /// FitNets: the regressor's mean squared error to the teacher's hint on the transfer set.
    #[serde(default)]
    pub hint_loss: Option<f32>,
    /// FitNets: linear CKA between the teacher's hint layer and each student's guided layer on
    /// the test split (the control's layer was never guided: it is the baseline).
    #[serde(default)]
    pub kd_cka: Option<f32>,
    #[serde(default)]
    pub control_cka: Option<f32>,
    /// BYOT: the test accuracy of the early exit, self-distilled and the control's.
    #[serde(default)]
    pub exit_test_accuracy: Option<f32>,
    #[serde(default)]
    pub control_exit_test_accuracy: Option<f32>,
    /// DML: the second peer's test accuracy, and its twin's.
    #[serde(default)]
    pub peer_test_accuracy: Option<f32>,
    #[serde(default)]
    pub peer_twin_test_accuracy: Option<f32>,
    /// DML: the second peer's and its twin's mean CE on the transfer set.
    #[serde(default)]
    pub peer_hard_loss: Option<f32>,
    #[serde(default)]
    pub peer_twin_hard_loss: Option<f32>,
}

/// Everything recorded so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub teacher: Vec<TeacherEpoch>,
    pub students: Vec<StudentEpoch>,
}

impl History {
    /// The curves as CSV, one row per recorded epoch: the teacher's rows first (student columns
    /// empty), then the students' (teacher columns empty).
    pub fn to_csv(&self) -> String {
        let mut csv = String::from(
            "phase,epoch,teacher_train_loss,teacher_train_accuracy,teacher_test_accuracy,\
             soft_loss,hard_loss,total_loss,control_hard_loss,kd_train_accuracy,kd_test_accuracy,\
             control_train_accuracy,control_test_accuracy,temperature,alpha\n",
        );
        for e in &self.teacher {
            csv.push_str(&format!(
                "teacher,{},{},{},{},,,,,,,,,,\n",
                e.epoch, e.train_loss, e.train_accuracy, e.test_accuracy
            ));
        }
        for e in &self.students {
            csv.push_str(&format!(
                "students,{},,,,{},{},{},{},{},{},{},{},{},{}\n",
                e.epoch,
                e.soft_loss,
                e.hard_loss,
                e.total_loss,
                e.control_hard_loss,
                e.kd_train_accuracy,
                e.kd_test_accuracy,
                e.control_train_accuracy,
                e.control_test_accuracy,
                e.temperature,
                e.alpha
            ));
        }
        csv
    }
}

/// The losses of the last distillation mini-batch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchLosses {
    pub soft_loss: f32,
    pub hard_loss: f32,
    pub total_loss: f32,
    pub control_hard_loss: f32,
    /// The temperature and α this batch was trained with.
    pub temperature: f32,
    pub alpha: f32,
    /// FitNets: the hint's loss, in the hint stage.
    pub hint_loss: Option<f32>,
}
