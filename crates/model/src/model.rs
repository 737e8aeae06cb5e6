//! The model on the GPU: its construction, a plan per batch size, the training step and
//! inference. Choosing kernels is `tune/`'s, reading and writing parameters by name
//! `weights.rs`'s, the moving average `ema.rs`'s.

use std::collections::HashMap;
use std::sync::Arc;

use kernels::{AdamHyper, Kernels, Op, Pick, Tensor, Variant};
use tensor::{Gpu, GpuError};

use crate::ema::Ema;
use crate::parameters::Parameters;
use crate::plan::{Plan, STATS_WINDOW};
use crate::tune::limits::TuneLimits;
use crate::{ModelError, ModelSpec, Result};

/// One parameter's Adam moments: its name, m and v.
pub type NamedMoments = (String, Vec<f32>, Vec<f32>);

/// How the model trains.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub lr: f64,
    /// Weight of each head's loss in the sum (1 each by default).
    pub loss_weights: Vec<f32>,
    pub seed: u64,
    /// Which matrix-product kernels run.
    pub kernels: KernelChoice,
}

/// How the model picks the kernel variant of each matrix-product pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum KernelChoice {
    /// One variant everywhere: `TWINHEAD_KERNELS` if set, else a first guess from the device
    /// type (blocked on CPU adapters, tiled on GPUs). What tests and tools that do not tune use.
    #[default]
    Guess,
    /// One variant for every pass.
    Fixed(Variant),
    /// Time every variant (and register block) at each pass's shape on this adapter and run the fastest (the trainer;
    /// see `tune.rs`), remembering the choice in `cache` when given and reading it from there.
    Measure { cache: Option<std::path::PathBuf> },
    /// The choices a run made before (pass key → variant and block), so a resumed run computes
    /// exactly as it did; passes not listed are measured.
    Recorded { choices: HashMap<String, Pick>, cache: Option<std::path::PathBuf> },
}

/// What one training step reported: per head, the batch-mean loss and the rows it got right.
#[derive(Clone, Debug, PartialEq)]
pub struct StepStats {
    /// The Adam step this was (1-based).
    pub step: u32,
    pub loss: Vec<f32>,
    pub correct: Vec<u32>,
}

impl StepStats {
    /// Whether every head's loss is a finite number.
    pub fn is_finite(&self) -> bool {
        self.loss.iter().all(|l| l.is_finite())
    }
}

/// A batch's images as they come: floats in [0, 1], or bytes the device makes floats.
#[derive(Clone, Copy)]
enum Images<'a> {
    Floats(&'a [f32]),
    Bytes(&'a [u8]),
}

impl Images<'_> {
    fn len(&self) -> usize {
        match self {
            Images::Floats(x) => x.len(),
            Images::Bytes(b) => b.len(),
        }
    }
}

/// A label that masks its row out of its head's loss (PyTorch's `ignore_index`): the row adds
/// no loss and no gradient to that head, and the head's mean is over the other rows.
pub const IGNORE: u32 = u32::MAX;

pub struct Model {
    pub spec: ModelSpec,
    pub(crate) gpu: Arc<Gpu>,
    pub(crate) kernels: Kernels,
    pub(crate) params: Parameters,
    pub(crate) hyper: AdamHyper,
    pub(crate) adam_params: wgpu::Buffer,
    /// One Adam pass over every parameter (they share flat buffers).
    pub(crate) adam: Op,
    /// Adam steps taken (PyTorch's `state["step"]`).
    pub step: u32,
    pub(crate) loss_weights: Vec<f32>,
    /// `[STATS_WINDOW, heads, 2]`: each recent step's loss and correct count per head.
    pub(crate) stats: Tensor,
    /// The 256 values b / 255 that turn a batch of bytes into floats on the device.
    pub(crate) unit: Tensor,
    /// Slots of `stats` filled since the last read, and the steps read but not yet taken.
    pub(crate) pending: usize,
    pub(crate) finished: Vec<StepStats>,
    pub(crate) plans: HashMap<usize, Plan>,
    pub(crate) in_flight: Option<wgpu::SubmissionIndex>,
    /// Whether a step is submitted while the one before still runs (a GPU then never waits on
    /// the host between steps), or only after it has run: on a CPU adapter (lavapipe) a second
    /// queued step made each step 1.5× slower (533 against 352 ms at batch 32, step_breakdown,
    /// 2-core AMD EPYC), its workers sharing the cores with the one submitting.
    pub(crate) queue_two_steps: bool,
    pub(crate) choice: KernelChoice,
    /// The batch size whose passes were measured, and their keys in recording order.
    pub(crate) tuned: Option<(usize, Vec<String>)>,
    /// See [`Model::limit_bindings`].
    pub(crate) binding_limit: Option<u64>,
    /// The moving average of the weights, when on ([`Model::enable_ema`]).
    pub(crate) ema: Option<Ema>,
    /// How long measuring kernels may take, who hears of its progress, and what it had to
    /// leave unmeasured ([`Model::limit_tuning`]).
    pub(crate) tune_limits: TuneLimits,
    /// Each matrix-product pass's key and what a person calls it, in recording order (for the
    /// summary).
    pub(crate) pass_names: Vec<(String, String)>,
}

impl Model {
    /// A freshly initialised model (PyTorch's default init, seeded).
    pub fn new(gpu: Arc<Gpu>, spec: ModelSpec, config: &TrainConfig) -> Result<Model> {
        spec.validate()?;
        if config.loss_weights.len() != spec.heads.len() {
            return Err(ModelError::Spec(format!(
                "{} loss weights for {} heads",
                config.loss_weights.len(),
                spec.heads.len()
            )));
        }
        let kernels = match &config.kernels {
            KernelChoice::Fixed(v) => Kernels::with_variant(&gpu, *v)?,
            _ => Kernels::new(&gpu)?,
        };
        if let KernelChoice::Recorded { choices, .. } = &config.kernels {
            for (key, &v) in choices {
                kernels.set_choice(key.clone(), v);
            }
        }
        let params = Parameters::new(&gpu, &spec, config.seed)?;
        let hyper = AdamHyper::new(config.lr);
        let adam_params = kernels.adam_params_buffer(&gpu);
        let flat = &params.flat;
        let adam = kernels.adam(&gpu, &adam_params, &flat.value, &flat.grad, &flat.m, &flat.v)?;
        let stats = Tensor::zeros(&gpu, "per-step losses and correct counts", &[STATS_WINDOW, spec.heads.len(), 2])?;
        let unit = Tensor::zeros(&gpu, "b / 255 for every byte b", &[256])?;
        unit.write(&gpu, &kernels::unit_table())?;
        let queue_two_steps = gpu.adapter.get_info().device_type != wgpu::DeviceType::Cpu;
        Ok(Model {
            spec,
            gpu,
            kernels,
            params,
            hyper,
            adam_params,
            adam,
            step: 0,
            loss_weights: config.loss_weights.clone(),
            stats,
            unit,
            pending: 0,
            finished: Vec::new(),
            plans: HashMap::new(),
            in_flight: None,
            queue_two_steps,
            choice: config.kernels.clone(),
            tuned: None,
            binding_limit: None,
            ema: None,
            tune_limits: TuneLimits::default(),
            pass_names: Default::default(),
        })
    }

    pub fn gpu(&self) -> &Arc<Gpu> {
        &self.gpu
    }

    /// Builds (once) the plan for `batch` and says how much memory it holds.
    pub fn prepare(&mut self, batch: usize) -> Result<u64> {
        if batch == 0 {
            return Err(ModelError::Input("the batch size must be at least 1".into()));
        }
        self.spec.check_batch_fits(&self.gpu.limits(), batch)?;
        if !self.plans.contains_key(&batch) {
            match self.choice.clone() {
                KernelChoice::Measure { cache } | KernelChoice::Recorded { cache, .. } => {
                    self.tune(batch, cache.as_deref())?
                }
                KernelChoice::Guess | KernelChoice::Fixed(_) => {}
            }
            let plan = self.build_plan(batch)?;
            self.name_passes(&plan);
            self.plans.insert(batch, plan);
        }
        Ok(self.plans[&batch].bytes())
    }

    pub(crate) fn build_plan(&self, batch: usize) -> Result<Plan> {
        self.build_plan_with(&self.kernels, batch)
    }

    /// The plan of `batch` with the kernels of `k` (the model's own, or a candidate's).
    pub(crate) fn build_plan_with(&self, k: &Kernels, batch: usize) -> Result<Plan> {
        let (spec, params) = (&self.spec, &self.params);
        Plan::new(&self.gpu, k, spec, params, &self.loss_weights, &self.stats, &self.unit, batch, self.binding_limit)
    }

    /// Binds the trunk's tensors at most `bytes` at a time, as an adapter with smaller storage
    /// bindings would (the batch then runs through the trunk in chunks of images). For tests of
    /// the chunked path on any adapter; plans already built keep theirs.
    pub fn limit_bindings(&mut self, bytes: u64) {
        self.binding_limit = Some(bytes);
    }

    /// The plan of `batch` with `images` and `labels` uploaded; whether its first pass must make
    /// the images floats (they came as bytes).
    fn plan_for(&mut self, batch: usize, images: Images<'_>, labels: &[&[u32]]) -> Result<(&Plan, bool)> {
        let want = batch * self.spec.image_len();
        if images.len() != want {
            return Err(ModelError::Input(format!(
                "{} image values for a batch of {batch} images of {}×{}×3 ({want})",
                images.len(),
                self.spec.image_size,
                self.spec.image_size
            )));
        }
        self.prepare(batch)?;
        // A step (with labels) needs the pools' argmax for its backward, inference does not.
        self.keep_argmax(batch, !labels.is_empty());
        let plan = &self.plans[&batch];
        let convert = match (images, &plan.from_bytes) {
            (Images::Floats(x), _) => {
                plan.input.write(&self.gpu, x)?;
                false
            }
            (Images::Bytes(b), Some((bytes, _))) => {
                bytes.write_bytes(&self.gpu, b)?;
                true
            }
            // A batch the trunk takes in pieces: made floats here, as the device would.
            (Images::Bytes(b), None) => {
                let unit = kernels::unit_table();
                plan.input.write(&self.gpu, &b.iter().map(|&v| unit[v as usize]).collect::<Vec<f32>>())?;
                false
            }
        };
        let mut joined = Vec::with_capacity(labels.len() * batch);
        for (h, lab) in labels.iter().enumerate() {
            let classes = self.spec.heads[h].classes.len() as u32;
            if lab.len() != batch || lab.iter().any(|&l| l >= classes && l != IGNORE) {
                return Err(ModelError::Input(format!(
                    "labels of head {} must be {batch} values below {classes} (or IGNORE)",
                    self.spec.heads[h].name
                )));
            }
            joined.extend_from_slice(lab);
        }
        if !labels.is_empty() {
            plan.labels.write_u32(&self.gpu, &joined)?;
        }
        Ok((plan, convert))
    }

    /// Whether the fused pools of `batch`'s plan (built already) write where each maximum came
    /// from in the submits that follow: on for a training step's backward, off for inference,
    /// whose fused pools then store half as many values (a parameter write through the
    /// queue, only when it changes).
    fn keep_argmax(&mut self, batch: usize, keep: bool) {
        let plan = self.plans.get_mut(&batch).expect("the plan is built");
        if plan.argmax_kept != keep {
            plan.forward.iter().for_each(|op| op.keep_argmax(&self.gpu, keep));
            plan.argmax_kept = keep;
        }
    }

    /// Sets Adam's learning rate for the steps that follow (a schedule calls it before each step).
    pub fn set_lr(&mut self, lr: f64) {
        self.hyper.lr = lr;
    }

    /// One training step on a batch: forward, the heads' losses, backward and Adam, recorded
    /// into one command encoder and submitted at once. `images` is `[batch, 3, S, S]` in [0, 1];
    /// `labels[h]` are head h's class indices. Nothing is read back: the losses and correct
    /// counts stay on the GPU, one slot per step, and are read back every [`STATS_WINDOW`]
    /// steps or by [`Model::take_step_stats`]. Returns once the previous step has finished, so
    /// at most two steps are queued (one on a CPU adapter, where a second one slows both).
    pub fn train_step(&mut self, images: &[f32], labels: &[&[u32]]) -> Result<()> {
        self.step_on(Images::Floats(images), labels)
    }

    /// [`Model::train_step`] on images as bytes `[batch, 3, S, S]` (0–255): they cross to the
    /// device at a quarter of the size and the step's first pass makes them floats (b / 255).
    pub fn train_step_bytes(&mut self, images: &[u8], labels: &[&[u32]]) -> Result<()> {
        self.step_on(Images::Bytes(images), labels)
    }

    /// Waits until the step submitted before, if any, has run.
    fn wait_for_previous_step(&mut self) -> Result<()> {
        if let Some(previous) = self.in_flight.take() {
            self.gpu
                .device
                .poll(wgpu::PollType::Wait { submission_index: Some(previous), timeout: None })
                .map_err(|e| GpuError::Device { during: "training step".into(), message: e.to_string() })?;
        }
        Ok(())
    }

    fn step_on(&mut self, images: Images<'_>, labels: &[&[u32]]) -> Result<()> {
        let batch = labels.first().map_or(0, |l| l.len());
        if labels.len() != self.spec.heads.len() {
            return Err(ModelError::Input(format!("{} label sets for {} heads", labels.len(), self.spec.heads.len())));
        }
        if self.ema.as_ref().is_some_and(|e| e.swapped) {
            return Err(ModelError::Input("a training step while the moving average stands in for the weights".into()));
        }
        let (_, convert) = self.plan_for(batch, images, labels)?;
        if !self.queue_two_steps {
            self.wait_for_previous_step()?;
        }
        self.step += 1;
        let mut hyper = self.hyper.at_step(self.step);
        hyper.average_rate = self.ema.as_ref().map_or(0.0, |e| Ema::rate(e.decay, self.step));
        self.gpu.queue.write_buffer(&self.adam_params, 0, bytemuck::bytes_of(&hyper));
        let plan = &self.plans[&batch];
        let slot = self.pending;
        let conversion = plan.from_bytes.as_ref().map(|f| &f.1).filter(|_| convert);
        let submission = kernels::record::submit(&self.gpu, "training step", |r| {
            for op in conversion.into_iter().chain(plan.step(slot)) {
                op.record(r);
            }
            self.adam.record(r);
        });
        self.wait_for_previous_step()?;
        self.in_flight = Some(submission);
        self.pending += 1;
        if self.pending == STATS_WINDOW {
            self.read_stats()?;
        }
        Ok(())
    }

    /// Forward, losses and backward without the optimizer step: fills every gradient (for tests
    /// and gradient inspection) and returns the losses. The step count does not change.
    pub fn compute_gradients(&mut self, images: &[f32], labels: &[&[u32]]) -> Result<StepStats> {
        let batch = labels.first().map_or(0, |l| l.len());
        let earlier = self.take_step_stats()?;
        self.plan_for(batch, Images::Floats(images), labels)?;
        let plan = &self.plans[&batch];
        kernels::record::submit(&self.gpu, "gradients", |r| {
            for op in plan.step(0) {
                op.record(r);
            }
        });
        // Read slot 0 as if it were a step, then put the earlier steps back.
        self.step += 1;
        self.pending = 1;
        let stats = self.take_step_stats()?.pop().expect("one step");
        self.step -= 1;
        self.finished = earlier;
        Ok(StepStats { step: self.step, ..stats })
    }

    /// Every operation of one training step at `batch`, in recording order (forward, losses,
    /// backward, Adam), for profiling one kernel at a time.
    pub fn step_ops(&mut self, batch: usize) -> Result<Vec<&Op>> {
        self.prepare(batch)?;
        self.keep_argmax(batch, true);
        let plan = &self.plans[&batch];
        Ok(plan.step(0).chain([&self.adam]).collect())
    }

    /// The pass that makes a batch of bytes floats at `batch`, when the plan has one (see
    /// [`Model::train_step_bytes`]); it runs before [`Model::step_ops`].
    pub fn input_op(&mut self, batch: usize) -> Result<Option<&Op>> {
        self.prepare(batch)?;
        Ok(self.plans[&batch].from_bytes.as_ref().map(|f| &f.1))
    }

    /// Reads the filled slots of the stats window into `finished` (waits for queued steps).
    fn read_stats(&mut self) -> Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        let heads = self.spec.heads.len();
        let raw = self.stats.to_vec(&self.gpu)?;
        let first = self.step + 1 - self.pending as u32;
        for (i, slot) in raw.chunks(2 * heads).take(self.pending).enumerate() {
            self.finished.push(StepStats {
                step: first + i as u32,
                loss: slot.chunks(2).map(|c| c[0]).collect(),
                correct: slot.chunks(2).map(|c| c[1] as u32).collect(),
            });
        }
        self.pending = 0;
        self.in_flight = None;
        Ok(())
    }

    /// Every training step's losses and correct counts since the last call, oldest first
    /// (waits for queued steps).
    pub fn take_step_stats(&mut self) -> Result<Vec<StepStats>> {
        self.read_stats()?;
        Ok(std::mem::take(&mut self.finished))
    }

    /// The logits of every head for a batch of images (`[batch, 3, S, S]`): per head,
    /// `[batch, classes]` row-major.
    pub fn logits(&mut self, images: &[f32], batch: usize) -> Result<Vec<Vec<f32>>> {
        self.logits_of(Images::Floats(images), batch)
    }

    /// [`Model::logits`] of images as bytes `[batch, 3, S, S]` (0–255), made floats on the
    /// device as in [`Model::train_step_bytes`].
    pub fn logits_bytes(&mut self, images: &[u8], batch: usize) -> Result<Vec<Vec<f32>>> {
        self.logits_of(Images::Bytes(images), batch)
    }

    fn logits_of(&mut self, images: Images<'_>, batch: usize) -> Result<Vec<Vec<f32>>> {
        let (_, convert) = self.plan_for(batch, images, &[])?;
        let plan = &self.plans[&batch];
        let conversion = plan.from_bytes.as_ref().map(|f| &f.1).filter(|_| convert);
        kernels::record::submit(&self.gpu, "inference", |r| {
            for op in conversion.into_iter().chain(&plan.forward) {
                op.record(r);
            }
        });
        let joint = plan.logits.to_vec(&self.gpu)?;
        let stride = joint.len() / batch;
        // Head h's columns of every row, in head order.
        let mut first = 0;
        let mut out = Vec::new();
        for head in &self.spec.heads {
            let classes = head.classes.len();
            out.push(joint.chunks(stride).flat_map(|row| &row[first..first + classes]).copied().collect());
            first += classes;
        }
        Ok(out)
    }
}
