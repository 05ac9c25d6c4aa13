//! What every pipeline function shares.
//!
//! - [`config`]: typed configuration from the environment; a missing variable fails with its name.
//! - [`edge`]: the client of the edge's signed internal API, the functions' only way to write D1.
//! - [`telemetry`]: structured logging set up once in `main`.

pub mod config;
pub mod edge;
pub mod telemetry;
