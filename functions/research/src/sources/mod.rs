//! Research sources, each an adapter that speaks its service's wire format.

pub mod aliexpress;
