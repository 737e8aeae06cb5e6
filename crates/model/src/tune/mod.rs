//! Choosing kernels by measurement: for each matrix-product pass of a training step at the
//! run's shapes, every variant — and every register block, workgroup size and split width a
//! variant's kernels offer — is timed on this adapter and the fastest runs. A candidate step is
//! built from a kernel set that runs the pick under test everywhere
//! ([`kernels::Kernels::trying`]); the model's own set only ever receives the choices. What was
//! chosen is remembered per adapter ([`cache`]) and said per layer ([`summary`]).

mod adam;
mod cache;
pub(crate) mod limits;
mod summary;
mod timing;

pub use limits::TuneLimits;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use kernels::{Kernel, Op, Pick, Splits, Variant};

use crate::Result;
use crate::model::Model;
use crate::plan::Plan;

/// The passes one measurement must still choose for: (place in the step, pass key).
type Missing = Vec<(usize, String)>;

impl Model {
    /// Chooses the variant of every matrix-product pass at `batch` that has no choice yet: from
    /// the cache when it knows this adapter, else by timing each variant (and caching it). The
    /// first batch size prepared is the one measured; other sizes (an epoch's last, smaller
    /// batch, validation) take the choice of the same pass at that size.
    pub(crate) fn tune(&mut self, batch: usize, cache: Option<&Path>) -> Result<()> {
        let plan = self.build_plan(batch)?;
        self.name_passes(&plan);
        let keys: Vec<String> = plan.ops().filter_map(|op| op.key.clone()).collect();
        if let Some((_, measured)) = &self.tuned {
            let chosen = self.kernels.choices();
            for (key, main) in keys.iter().zip(measured) {
                if !chosen.contains_key(key) {
                    self.kernels.set_choice(key.clone(), self.kernels.pick_by_key(main));
                }
            }
            return Ok(());
        }
        self.measure(batch, &keys, cache)?;
        self.tuned = Some((batch, keys));
        Ok(())
    }

    /// Measures (or reads from the cache) the variant of each of `keys`, the passes of `batch`.
    fn measure(&mut self, batch: usize, keys: &[String], cache: Option<&Path>) -> Result<()> {
        let adapter = cache::adapter_key(&self.gpu);
        let known = cache.map(|p| cache::cached_choices(p, &adapter)).unwrap_or_default();
        let missing = self.take_known(keys, &known);
        let first_guess = Pick::from(self.kernels.variant);
        let adam_chosen = self.take_known_adam(&known)?;
        if missing.is_empty() && adam_chosen {
            return Ok(());
        }
        let deadline = Instant::now() + self.tune_limits.budget;
        let (mut measured, mut unmeasured) = (HashMap::new(), Vec::new());
        if !missing.is_empty() {
            // The same step once per pick (the first guess first), its passes in the same order.
            let picks = candidates(&self.gpu, first_guess.variant);
            let plans = picks
                .iter()
                .map(|&p| self.build_plan_with(&self.kernels.trying(p), batch))
                .collect::<Result<Vec<_>>>()?;
            (measured, unmeasured) = self.time_each(&picks, &plans, missing, deadline)?;
        }
        self.guess_unmeasured(&measured, unmeasured, first_guess);
        if let Some(adam) = self.choose_adam(first_guess, deadline)? {
            measured.insert(kernels::ADAM_KEY.to_string(), adam);
        }
        if let Some(path) = cache {
            cache::remember(path, &adapter, &measured);
        }
        Ok(())
    }

    /// Takes the choices the cache knows for `keys`; returns the passes still to measure.
    fn take_known(&self, keys: &[String], known: &HashMap<String, Pick>) -> Missing {
        let chosen = self.kernels.choices();
        let mut missing = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            match known.get(key) {
                _ if chosen.contains_key(key) => {}
                Some(&v) => self.kernels.set_choice(key.clone(), v),
                None => missing.push((i, key.clone())),
            }
        }
        missing
    }

    /// Times every missing pass in each pick's plan (`plans[i]` runs `picks[i]`) until the time
    /// limit; returns the choices made and the passes the limit left unmeasured.
    fn time_each(
        &mut self,
        picks: &[Pick],
        plans: &[Plan],
        missing: Missing,
        deadline: Instant,
    ) -> Result<(HashMap<String, Pick>, Vec<String>)> {
        let ops: Vec<Vec<&Op>> = plans.iter().map(|p| p.ops().filter(|op| op.key.is_some()).collect()).collect();
        let total = missing.len();
        let (mut measured, mut unmeasured) = (HashMap::new(), Vec::new());
        for (n, (i, key)) in missing.into_iter().enumerate() {
            if Instant::now() >= deadline {
                unmeasured.push(key);
                continue;
            }
            // A pick that runs another's kernel over the same invocations in the same workgroups
            // for this pass (a block, split width or size the pass does not have) is not timed twice.
            // (Every dispatch counts: a split pass's reduce as well as its product.)
            let mut seen = Vec::new();
            let (mut offered, mut candidates) = (Vec::new(), Vec::new());
            for (&v, o) in picks.iter().zip(&ops) {
                let launch: Vec<_> =
                    o[i].dispatches.iter().map(|d| (d.label, d.workgroup_size, d.work.invocations)).collect();
                if !seen.contains(&launch) {
                    seen.push(launch);
                    offered.push(v);
                    candidates.push(o[i]);
                }
            }
            let about = ops[0][i].about.as_deref().unwrap_or(&key);
            (self.tune_limits.progress)(&format!("choosing kernels: pass {}/{total}, {about}", n + 1));
            let best = timing::fastest(&self.gpu, &offered, &candidates, deadline)?;
            self.kernels.set_choice(key.clone(), best);
            measured.insert(key, best);
        }
        Ok((measured, unmeasured))
    }

    /// Gives the passes the time limit left unmeasured the variant that won most of the passes
    /// measured, else the first guess; they are not cached, so the next run measures them.
    fn guess_unmeasured(&mut self, measured: &HashMap<String, Pick>, unmeasured: Vec<String>, first: Pick) {
        if unmeasured.is_empty() {
            return;
        }
        let guess = timing::most_common(measured.values().copied()).unwrap_or(first);
        for key in &unmeasured {
            self.kernels.set_choice(key.clone(), guess);
        }
        let total = measured.len() + unmeasured.len();
        self.tune_limits.note = Some(format!(
            "the {:.0} s limit on choosing kernels ran out with {} of {total} passes measured; \
             the other {} run {} (the best guess so far) and are measured again next run",
            self.tune_limits.budget.as_secs_f64(),
            measured.len(),
            unmeasured.len(),
            guess.name()
        ));
    }

    /// Caps the time kernel measurement may take (what is left unmeasured runs the best guess so
    /// far) and sends its progress lines to `progress`.
    pub fn limit_tuning(&mut self, budget: Duration, progress: Box<dyn FnMut(&str) + Send>) {
        self.tune_limits.budget = budget;
        self.tune_limits.progress = progress;
    }

    /// Why the kernel choice is incomplete, when its time limit ran out.
    pub fn tuning_note(&self) -> Option<&str> {
        self.tune_limits.note.as_deref()
    }
}

/// What the tuner tries, the first guess first: every variant the adapter runs, each in its
/// kernels' own shapes, then each register block the variant's kernels offer beside them, then
/// its own shapes and each of those blocks with the split passes cut narrow (the shared layer's
/// forward at batch 32 ran 9.4–11.7 ms in 32-row blocks cut narrow against 13.1–14.2 in its own
/// 16-row blocks cut narrow, on one AVX-512 EPYC), then its own shapes in each other workgroup
/// size its kernels offer, then each of those shapes with the input gathered from a texel mirror.
/// (A pass whose kernel lacks a block, size or texel reader runs the same launch as its own
/// shape, and is not timed twice.)
pub fn candidates(gpu: &tensor::Gpu, first: Variant) -> Vec<Pick> {
    let variants = std::iter::once(first).chain(Variant::available(gpu).into_iter().filter(|&v| v != first));
    let mut picks = Vec::new();
    for v in variants {
        picks.push(Pick::from(v));
        picks.extend(Kernel::alternative_blocks(v).into_iter().map(|b| Pick::shaped(v, b)));
        picks.push(Pick { splits: Splits::Narrow, ..Pick::from(v) });
        let narrow_blocks =
            Kernel::alternative_blocks(v).into_iter().map(|b| Pick { splits: Splits::Narrow, ..Pick::shaped(v, b) });
        picks.extend(narrow_blocks);
        picks.extend(Kernel::alternative_workgroups(v).into_iter().map(|wg| Pick::grouped(v, wg)));
        let texels: Vec<Pick> = picks.iter().filter(|p| p.variant == v).map(|&p| Pick { texels: true, ..p }).collect();
        picks.extend(texels);
    }
    picks
}
