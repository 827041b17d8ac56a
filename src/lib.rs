//! xxgk: government information-disclosure annual reports → Parquet.
//!
//! The modules read as the pipeline: `discover` (files) → `input` (bytes of
//! each format → lines and table cells) → `segment` (lines → cells) →
//! `extract` (cells × `template` → tables, year, org) → `validate` (values, money, checks) → `sink` (Parquet). `report`
//! runs one file through the middle stages; `ingest` runs a corpus into a
//! staging folder; `run` holds a whole run (ingest, `derive`, publishing,
//! the `manifest`), which `main` calls.

pub mod cli;
pub mod derive;
pub mod dictionary;
pub mod digest;
pub mod discover;
pub mod error;
pub mod extract;
pub mod ingest;
pub mod input;
pub mod inspect;
pub mod interrupt;
pub mod manifest;
pub mod memory;
pub mod model;
pub mod org;
pub mod progress;
pub mod publish;
pub mod recorded;
pub mod report;
pub mod run;
pub mod segment;
pub mod settings;
pub mod sink;
pub mod template;
pub mod validate;
