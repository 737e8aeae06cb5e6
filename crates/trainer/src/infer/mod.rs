//! Using a trained model: a checkpoint loaded and its classes named ([`checkpoint`]), the
//! measures of a model on a set of images ([`evaluate`], which validation during training uses
//! too), `trainer eval`'s report on a whole folder ([`eval`]) and `trainer predict`'s answers in
//! text, JSON or CSV ([`predict`]).

pub mod checkpoint;
pub mod eval;
pub mod evaluate;
pub mod predict;
