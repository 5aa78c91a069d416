//! The native core of `dedup`, built as the Python extension `dedup._core`.
//!
//! Plain Rust modules mirror the pipeline's stages and are unit-tested with `cargo test`;
//! `python` (behind the `python` feature that maturin enables) is the thin binding layer of
//! `#[pyfunction]`s over them. See `dedup/_core.pyi` for what Python sees.

pub mod codec;
pub mod document;
pub mod minhash;
pub mod normalize;
pub mod pages;
pub mod paragraphs;
pub mod repeats;
pub mod shingle;
pub mod verify;

#[cfg(feature = "python")]
mod python;
