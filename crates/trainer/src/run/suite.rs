//! The unseen-combinations suite (`trainer suite`): the hold-out protocol over several pairs of
//! held-out combinations and several seeds, one run each, and one table of what each pair's
//! runs did — mean and worst seed, seen and unseen — with how much the held-out figure swings
//! from one epoch to the next.
//!
//! Each pair tests one direction a two-head model must generalise in (on the tutorial's photos):
//! - `blue_shirt,black_jeans`: colour → colour (shirts then exist in red only, jeans in blue);
//! - `blue_jeans,red_dress`: black-only item → colour (jeans then exist in black only, dresses
//!   in blue only) — the direction of every shoe in the photos being black;
//! - `blue_dress,red_shirt`: every item in one colour only (dresses red, shirts blue, shoes
//!   black), each moved to the other.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use tensor::Gpu;

use super::config::RunConfig;
use super::folder;
use super::options::defaults;
use super::report::EpochReport;
use super::session::{self, Ending, TrainControl};
use super::start::{self, NewRun, Start, TrainRequest};
use crate::data::source::check_head_names;

/// The suite's pairs, as `--hold-out` values.
pub const PAIRS: [&str; 3] = ["blue_shirt,black_jeans", "blue_jeans,red_dress", "blue_dress,red_shirt"];

/// How many of a run's last epochs the swing is measured over.
const SWING_EPOCHS: usize = 6;

/// One run's figures at its best epoch (chosen by ordinary validation, never by the held-out
/// photos), and its swing.
#[derive(Clone, Debug, PartialEq)]
pub struct SuiteRun {
    pub pair: String,
    pub seed: u64,
    pub best_epoch: usize,
    /// Validation both-correct (the combinations trained on).
    pub seen: f64,
    /// Held-out both-correct, and per head (colour, item for the tutorial's photos).
    pub unseen: f64,
    pub unseen_heads: Vec<f64>,
    /// Mean absolute change of held-out both-correct between consecutive epochs over the last
    /// epochs: of what validation measures (the moving average when on), and of the weights
    /// themselves when an average was what validation measured.
    /// `None` where the run has too few epochs to measure it.
    pub swing: Option<f64>,
    pub swing_weights: Option<f64>,
}

impl SuiteRun {
    /// The figures of a finished run: its epochs' reports and the best epoch.
    pub fn new(pair: &str, seed: u64, epochs: &[EpochReport], best_epoch: usize) -> Option<SuiteRun> {
        let best = epochs.iter().find(|r| r.epoch == best_epoch)?;
        let unseen = best.unseen.as_ref()?;
        let swing_of = |f: &dyn Fn(&EpochReport) -> Option<f64>| -> Option<f64> {
            let values: Vec<f64> = epochs.iter().filter_map(f).collect();
            let last = &values[values.len().saturating_sub(SWING_EPOCHS)..];
            (last.len() >= 2)
                .then(|| last.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (last.len() - 1) as f64)
        };
        Some(SuiteRun {
            pair: pair.to_string(),
            seed,
            best_epoch,
            seen: best.val.all_accuracy(),
            unseen: unseen.all_accuracy(),
            unseen_heads: (0..unseen.loss.len()).map(|h| unseen.accuracy(h)).collect(),
            swing: swing_of(&|r| Some(r.unseen.as_ref()?.all_accuracy())),
            swing_weights: swing_of(&|r| Some(r.unseen_weights.as_ref()?.all_accuracy())),
        })
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    sum / n.max(1) as f64
}

/// The suite's table (markdown): a row per run, then per pair the mean over its seeds and its
/// worst seed (by unseen both-correct). `heads` names the per-head columns.
pub fn table(runs: &[SuiteRun], heads: &[String]) -> String {
    let head_cols: Vec<String> = heads.iter().map(|h| format!("unseen {h}")).collect();
    let mut out = format!(
        "| pair | seed | best epoch | seen both | unseen both | {} | swing | swing, weights |\n|---|---|---:|---:|---:|{}---:|---:|\n",
        head_cols.join(" | "),
        "---:|".repeat(heads.len())
    );
    let row = |pair: &str, seed: &str, epoch: &str, r: &SuiteRun| {
        let heads: Vec<String> = r.unseen_heads.iter().map(|&a| pct(a)).collect();
        // "–" where a run had too few epochs to measure a swing.
        let points = |s: Option<f64>| s.map_or("–".to_string(), |s| format!("{:.1} pts", 100.0 * s));
        format!(
            "| {pair} | {seed} | {epoch} | {} | {} | {} | {} | {} |\n",
            pct(r.seen),
            pct(r.unseen),
            heads.join(" | "),
            points(r.swing),
            points(r.swing_weights)
        )
    };
    let mut pairs: Vec<&str> = runs.iter().map(|r| r.pair.as_str()).collect();
    pairs.dedup();
    for pair in pairs {
        let mine: Vec<&SuiteRun> = runs.iter().filter(|r| r.pair == pair).collect();
        for r in &mine {
            out += &row(pair, &r.seed.to_string(), &r.best_epoch.to_string(), r);
        }
        let avg = SuiteRun {
            pair: pair.to_string(),
            seed: 0,
            best_epoch: 0,
            seen: mean(mine.iter().map(|r| r.seen)),
            unseen: mean(mine.iter().map(|r| r.unseen)),
            unseen_heads: (0..heads.len()).map(|h| mean(mine.iter().map(|r| r.unseen_heads[h]))).collect(),
            swing: mine.iter().map(|r| r.swing).collect::<Option<Vec<f64>>>().map(|s| mean(s.into_iter())),
            swing_weights: mine
                .iter()
                .map(|r| r.swing_weights)
                .collect::<Option<Vec<f64>>>()
                .map(|s| mean(s.into_iter())),
        };
        out += &row(&format!("**{pair}**"), &format!("mean of {}", mine.len()), "", &avg);
        if let Some(worst) = mine.iter().min_by(|a, b| a.unseen.total_cmp(&b.unseen)) {
            out +=
                &row(&format!("**{pair}**"), &format!("worst: {}", worst.seed), &worst.best_epoch.to_string(), worst);
        }
    }
    out
}

/// How a suite ended: every run finished, or one was stopped (Ctrl-C) and the suite with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteEnd {
    Finished,
    Stopped,
}

/// `trainer suite`: every pair × seed as a training run of its own in one suite folder, the
/// table printed after each run and kept in the folder's suite.md. `request` is a new run's
/// (each run sets its own hold-out, seed and name); `pairs` None runs [`PAIRS`].
pub fn run_suite(
    gpu: Arc<Gpu>,
    request: &TrainRequest,
    pairs: Option<Vec<String>>,
    seeds: &[u64],
    control: TrainControl,
) -> Result<SuiteEnd> {
    let Start::New(base) = &request.start else { bail!(REFUSED) };
    if !base.options.hold_out.is_empty() {
        bail!(REFUSED);
    }
    let pairs = pairs.unwrap_or_else(|| PAIRS.iter().map(|p| p.to_string()).collect());
    check_suite(base, &pairs, seeds)?;
    folder::check_runs_dir(&base.runs_dir)?;
    let dir = (1..).map(|i| base.runs_dir.join(format!("suite-{i:03}"))).find(|p| !p.exists()).unwrap();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let total = pairs.len() * seeds.len();
    eprintln!("suite: {total} runs ({} pairs × seeds {seeds:?}) in {}", pairs.len(), dir.display());
    let (mut runs, mut heads) = (Vec::new(), Vec::new());
    for (pair, &seed) in pairs.iter().flat_map(|p| seeds.iter().map(move |s| (p, s))) {
        let start = std::time::Instant::now();
        let one = TrainRequest { start: Start::New(Box::new(one_run(base, pair, seed, &dir))), ..request.clone() };
        eprintln!("suite: run {} of {total}: --hold-out {pair} --seed {seed}", runs.len() + 1);
        let summary = start::check_location(&one).and_then(|_| start::train(gpu.clone(), &one, control.clone()));
        let summary = summary.inspect_err(|_| {
            // A suite folder that holds nothing yet is not left behind.
            let _ = std::fs::remove_dir(&dir);
        })?;
        let Ending::Finished { best_epoch } = summary.ending else { return Ok(SuiteEnd::Stopped) };
        if heads.is_empty() {
            heads = RunConfig::read(&summary.dir)?.heads.into_iter().map(|h| h.0).collect();
        }
        let run = SuiteRun::new(pair, seed, &summary.epochs, best_epoch)
            .context("a suite run ended without held-out figures")?;
        runs.push(run);
        let table = table(&runs, &heads);
        folder::write(&dir, "suite.md", &table)?;
        crate::stdout::training_line(&table);
        eprintln!("suite: that run took {:.1} min", start.elapsed().as_secs_f64() / 60.0);
    }
    Ok(SuiteEnd::Finished)
}

const REFUSED: &str =
    "trainer suite chooses --hold-out per run (--pairs) and starts fresh runs: leave --hold-out and --resume out";

/// One run of the suite: the base run with this pair held out, this seed, in the suite folder.
fn one_run(base: &NewRun, pair: &str, seed: u64, dir: &std::path::Path) -> NewRun {
    let mut one = base.clone();
    one.options.hold_out = pair.split(',').map(|s| s.trim().to_string()).collect();
    one.options.seed = seed;
    one.runs_dir = dir.to_path_buf();
    one.run_name = Some(format!("{}-seed{seed}", pair.replace(',', "-")));
    one
}

/// Everything a suite's runs would refuse, checked before the first of them: seeds given twice,
/// pairs the data lacks, options no run can use.
fn check_suite(base: &NewRun, pairs: &[String], seeds: &[u64]) -> Result<()> {
    if let Some((i, seed)) = seeds.iter().enumerate().find(|(i, s)| seeds[..*i].contains(s)) {
        bail!("--seeds names seed {seed} twice (at place {}): each run of a pair needs its own seed", i + 1);
    }
    if let Some(pair) = pairs.iter().find(|p| pairs.iter().filter(|q| q == p).count() > 1) {
        bail!("--pairs names {pair} twice");
    }
    if let Some(heads) = &base.source.heads {
        check_head_names(heads)?;
    }
    let (data, _) = base.source.load(defaults::IMAGE_SIZE)?;
    for pair in pairs {
        let mut opts = one_run(base, pair, base.options.seed, &base.runs_dir).options;
        if opts.loss_weights.is_empty() {
            opts.loss_weights = vec![1.0; data.heads.len()];
        }
        session::check(&data, &opts).with_context(|| format!("--pairs {pair}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pair: &str, seed: u64, seen: f64, unseen: f64, swing: f64) -> SuiteRun {
        SuiteRun {
            pair: pair.into(),
            seed,
            best_epoch: 10,
            seen,
            unseen,
            unseen_heads: vec![unseen + 0.1, unseen + 0.05],
            swing: Some(swing),
            swing_weights: Some(2.0 * swing),
        }
    }

    #[test]
    fn the_table_has_each_run_then_each_pairs_mean_and_worst_seed() {
        let runs = [run("a,b", 0, 0.9, 0.8, 0.02), run("a,b", 1, 0.94, 0.6, 0.04), run("c,d", 0, 0.95, 0.7, 0.01)];
        let t = table(&runs, &["color".into(), "item".into()]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2 + 3 + 2 * 2, "{t}");
        assert!(lines[0].contains("unseen color | unseen item"), "{t}");
        let mean = lines.iter().find(|l| l.contains("**a,b**") && l.contains("mean of 2")).unwrap();
        assert!(mean.contains("| 92.0% | 70.0% | 80.0% | 75.0% | 3.0 pts | 6.0 pts |"), "{mean}");
        let worst = lines.iter().find(|l| l.contains("**a,b**") && l.contains("worst: 1")).unwrap();
        assert!(worst.contains("| 60.0% |"), "{worst}");
        assert!(t.contains("| **c,d** | worst: 0 |"), "{t}");
    }

    #[test]
    fn a_swing_that_cannot_be_measured_reads_as_a_dash() {
        let one_epoch = SuiteRun { swing: None, swing_weights: None, ..run("a,b", 0, 0.9, 0.8, 0.0) };
        let t = table(&[one_epoch], &["color".into(), "item".into()]);
        assert!(t.lines().nth(2).unwrap().ends_with("| – | – |"), "{t}");
        assert!(!t.contains("0.0 pts"), "{t}");
    }
}
