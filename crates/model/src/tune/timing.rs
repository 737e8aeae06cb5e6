//! Timing one pass's candidates on the device, and keeping the fastest.
//!
//! Tuning stays short even where one variant is far slower (the tiled kernels on lavapipe):
//! each candidate after the first is probed on a 64th of its workgroups, and dropped when
//! that part alone takes more than twice the best full time so far.

use std::time::Instant;

use kernels::{Op, Pick};
use tensor::Gpu;

use crate::Result;

/// The smaller probe runs a 64th of each dispatch's workgroups but at least this many (so that
/// both probes keep every thread of a CPU adapter busy and the time they add is the work's);
/// the larger probe twice as many.
const PROBE_MIN_GROUPS: u64 = 8;
/// Full timings per candidate; the fastest counts (the first run also pays first-touch costs,
/// which the second does not).
const REPEATS: usize = 2;
/// How much faster than the holder a candidate must be to take a pass: a CPU adapter's timings
/// move by several percent from run to run, and with a dozen candidates one of equals would
/// otherwise win by luck. The first guess (a variant's own shapes come first) keeps ties.
const WIN_MARGIN: f64 = 0.04;
/// Rounds of the holder and a challenger timed in alternation before a challenger takes a pass.
const CONFIRM_ROUNDS: usize = 3;

fn seconds(gpu: &Gpu, op: &Op) -> Result<f64> {
    let start = Instant::now();
    kernels::record::run(gpu, &op.name, |r| op.record(r))?;
    Ok(start.elapsed().as_secs_f64())
}

/// Runs `scale` times a 64th of each dispatch's workgroups (at least `scale` ×
/// [`PROBE_MIN_GROUPS`]): (seconds, the largest fraction of a dispatch's work run).
fn probe(gpu: &Gpu, op: &Op, scale: u64) -> Result<(f64, f64)> {
    let mut fraction = 0.0f64;
    let start = Instant::now();
    kernels::record::run(gpu, &op.name, |r| {
        for d in &op.dispatches {
            let groups = scale * (d.workgroups() / 64).max(PROBE_MIN_GROUPS);
            fraction = fraction.max(r.dispatch_part(d, groups));
        }
    })?;
    Ok((start.elapsed().as_secs_f64(), fraction))
}

/// A low estimate of a full run from two probes, one twice the other: the time added per unit
/// of work, carried to the whole. A device that the probes do not fill (a big GPU) shows little
/// added time, so the estimate stays low and the candidate is measured in full: a probe can
/// only spare the time of a candidate, never lose one that would win.
fn estimate(gpu: &Gpu, op: &Op) -> Result<f64> {
    let (t1, f1) = probe(gpu, op, 1)?;
    let (t2, f2) = probe(gpu, op, 2)?;
    if f2 <= f1 {
        return Ok(t2.max(t1));
    }
    let per_work = ((t2 - t1) / (f2 - f1)).max(0.0);
    Ok(t2 + per_work * (1.0 - f2))
}

fn fastest_of_runs(gpu: &Gpu, op: &Op) -> Result<f64> {
    (0..REPEATS).map(|_| seconds(gpu, op)).try_fold(f64::INFINITY, |best, t| Ok(best.min(t?)))
}

/// The fastest pick of one pass: `candidates[i]` is the pass built with `picks[i]`, the first
/// being the first guess.
/// Candidates not yet tried when `deadline` passes are left out (the best so far wins).
pub(crate) fn fastest(gpu: &Gpu, picks: &[Pick], candidates: &[&Op], deadline: Instant) -> Result<Pick> {
    let mut best = (fastest_of_runs(gpu, candidates[0])?, picks[0]);
    let mut best_op = candidates[0];
    for (&pick, op) in picks.iter().zip(candidates).skip(1) {
        if Instant::now() >= deadline {
            break;
        }
        if estimate(gpu, op)? > 2.0 * best.0 {
            continue;
        }
        let t = fastest_of_runs(gpu, op)?;
        if t < best.0 * (1.0 - WIN_MARGIN) {
            // A win is timed again in alternation with the holder: a few slow seconds of a busy
            // machine during the holder's runs (or fast ones during the candidate's) must not
            // hand the pass to a slower kernel; alternating, both see the same seconds.
            let (holder, challenger) = alternating_medians(gpu, best_op, op)?;
            if challenger < holder * (1.0 - WIN_MARGIN) {
                (best, best_op) = ((t.min(challenger), pick), op);
            }
        }
    }
    Ok(best.1)
}

/// [`CONFIRM_ROUNDS`] rounds of `a` then `b`: the median time of each.
fn alternating_medians(gpu: &Gpu, a: &Op, b: &Op) -> Result<(f64, f64)> {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..CONFIRM_ROUNDS {
        ta.push(seconds(gpu, a)?);
        tb.push(seconds(gpu, b)?);
    }
    let median = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    Ok((median(ta), median(tb)))
}

/// The pick that occurs most often (of equals, the first by name).
pub(crate) fn most_common(choices: impl Iterator<Item = Pick>) -> Option<Pick> {
    let mut counts: Vec<(Pick, usize)> = Vec::new();
    for p in choices {
        match counts.iter_mut().find(|c| c.0 == p) {
            Some(c) => c.1 += 1,
            None => counts.push((p, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name().cmp(&b.0.name())));
    counts.first().map(|c| c.0)
}
