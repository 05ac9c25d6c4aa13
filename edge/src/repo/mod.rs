//! D1 access shared by the handlers: each resource's statements and typed rows.

pub mod audit_log;
pub mod products;
pub mod stores;
