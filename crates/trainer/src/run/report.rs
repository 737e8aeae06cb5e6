//! What a run tells: one line per epoch for the user, one row per epoch in `metrics.csv`, one
//! row per step in `steps.csv`.

use model::StepStats;

use crate::data::Dataset;
use crate::infer::evaluate::{Evaluation, accuracies, pct};

/// One epoch's figures.
#[derive(Clone, Debug)]
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: Vec<f64>,
    /// Per head, correct rows over the rows that had a label for that head (augmentation may
    /// mask a head's label, as a grey image's colour).
    pub train_accuracy: Vec<f64>,
    pub val: Evaluation,
    /// The held-out combinations, when there are any.
    pub unseen: Option<Evaluation>,
    /// With a moving average (which `val` and `unseen` measure), the held-out combinations
    /// measured on the weights themselves: how much the average steadies them.
    pub unseen_weights: Option<Evaluation>,
    pub seconds: f64,
    pub images_per_second: f64,
}

/// The line printed at the end of an epoch.
pub fn epoch_line(r: &EpochReport, epochs: usize, data: &Dataset) -> String {
    let heads = &data.heads;
    let train: Vec<String> = heads.iter().zip(&r.train_loss).map(|(h, l)| format!("{} {l:.3}", h.name)).collect();
    let acc: Vec<String> =
        heads.iter().enumerate().map(|(i, h)| format!("{} {}", h.name, pct(r.val.accuracy(i)))).collect();
    let mut unseen = r.unseen.as_ref().map_or(String::new(), |u| format!("  |  unseen {}", accuracies(u, data)));
    if let Some(w) = &r.unseen_weights {
        unseen += &format!(" (weights themselves: both {})", pct(w.all_accuracy()));
    }
    format!(
        "epoch {:>2}/{epochs}  train loss {}  |  val loss {:.3}  val acc {}  both {}{unseen}  |  {:.1} s, {:.1} img/s",
        r.epoch,
        train.join(" "),
        r.val.total_loss(),
        acc.join(" "),
        pct(r.val.all_accuracy()),
        r.seconds,
        r.images_per_second
    )
}

fn heads_columns(data: &Dataset, prefix: &str) -> Vec<String> {
    data.heads.iter().map(|h| format!("{prefix}_{}", h.name)).collect()
}

/// `metrics.csv`'s header; the unseen columns only when combinations are held out, and the
/// weights' own unseen figure only when a moving average is what the others measure.
pub fn metrics_header(data: &Dataset, held_out: bool, average: bool) -> String {
    let mut cols = vec!["epoch".to_string()];
    for p in ["train_loss", "train_acc", "val_loss", "val_acc"] {
        cols.extend(heads_columns(data, p));
    }
    cols.push("val_acc_all".into());
    if held_out {
        cols.extend(heads_columns(data, "unseen_acc"));
        cols.push("unseen_acc_all".into());
        if average {
            cols.push("unseen_weights_acc_all".into());
        }
    }
    cols.extend(["seconds".into(), "images_per_s".into()]);
    cols.join(",")
}

pub fn metrics_row(r: &EpochReport) -> String {
    let mut v = vec![r.epoch.to_string()];
    v.extend(r.train_loss.iter().map(|x| format!("{x:.6}")));
    v.extend(r.train_accuracy.iter().map(|x| format!("{x:.6}")));
    v.extend(r.val.loss.iter().map(|x| format!("{x:.6}")));
    v.extend((0..r.val.loss.len()).map(|h| format!("{:.6}", r.val.accuracy(h))));
    v.push(format!("{:.6}", r.val.all_accuracy()));
    if let Some(u) = &r.unseen {
        v.extend((0..u.loss.len()).map(|h| format!("{:.6}", u.accuracy(h))));
        v.push(format!("{:.6}", u.all_accuracy()));
    }
    if let Some(w) = &r.unseen_weights {
        v.push(format!("{:.6}", w.all_accuracy()));
    }
    v.push(format!("{:.3}", r.seconds));
    v.push(format!("{:.2}", r.images_per_second));
    v.join(",")
}

pub fn steps_header(data: &Dataset) -> String {
    let mut header = vec!["step".to_string(), "epoch".to_string()];
    header.extend(heads_columns(data, "loss"));
    header.extend(heads_columns(data, "correct"));
    header.join(",")
}

pub fn steps_row(s: &StepStats, epoch: usize) -> String {
    let mut line = vec![s.step.to_string(), epoch.to_string()];
    // Shortest representation that reads back to the same f32: resumed runs compare exactly.
    line.extend(s.loss.iter().map(|l| format!("{l}")));
    line.extend(s.correct.iter().map(|c| c.to_string()));
    line.join(",")
}
