//! [`Recorder`]: dispatches go into compute passes of one command encoder, and a copy a dispatch
//! needs first (a texel mirror's fill) ends the pass it would interrupt: copies are recorded on
//! the encoder, between passes. Everything one submit does goes through one recorder.

use tensor::{Gpu, Result};

use crate::Dispatch;

/// Records dispatches, and the copies they need, into one command encoder.
pub struct Recorder<'e> {
    // Declared first, so dropped before the encoder borrow ends.
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: &'e mut wgpu::CommandEncoder,
    label: &'e str,
}

impl<'e> Recorder<'e> {
    pub fn new(label: &'e str, encoder: &'e mut wgpu::CommandEncoder) -> Self {
        Recorder { pass: None, encoder, label }
    }

    /// The open compute pass, begun where none is.
    pub fn pass(&mut self) -> &mut wgpu::ComputePass<'static> {
        let (encoder, label) = (&mut *self.encoder, self.label);
        self.pass.get_or_insert_with(|| {
            let desc = wgpu::ComputePassDescriptor { label: Some(label), timestamp_writes: None };
            encoder.begin_compute_pass(&desc).forget_lifetime()
        })
    }

    /// Records `d`'s copies, if any, then `d`.
    pub fn dispatch(&mut self, d: &Dispatch) {
        self.copy_for(d);
        d.record(self.pass());
    }

    /// Records `d`'s copies, if any, then about `groups` of `d`'s workgroups (see
    /// [`Dispatch::record_part`]); returns the fraction of the workgroups recorded.
    pub fn dispatch_part(&mut self, d: &Dispatch, groups: u64) -> f64 {
        self.copy_for(d);
        d.record_part(self.pass(), groups)
    }

    fn copy_for(&mut self, d: &Dispatch) {
        if !d.copies_before().is_empty() {
            self.pass = None; // a copy cannot be recorded inside a compute pass
        }
        for copy in d.copies_before() {
            copy.record(self.encoder);
        }
    }
}

/// Records `record` into one encoder, submits it and waits; device errors come back labelled.
pub fn run(gpu: &Gpu, label: &str, record: impl FnOnce(&mut Recorder<'_>)) -> Result<()> {
    gpu.run_encoded(label, |encoder| record(&mut Recorder::new(label, encoder)))
}

/// Records `record` into one encoder and submits it without waiting.
pub fn submit(gpu: &Gpu, label: &str, record: impl FnOnce(&mut Recorder<'_>)) -> wgpu::SubmissionIndex {
    gpu.submit_encoded(label, |encoder| record(&mut Recorder::new(label, encoder)))
}
