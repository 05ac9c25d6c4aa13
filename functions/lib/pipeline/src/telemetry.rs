//! Logging: JSON lines in AWS (CloudWatch), readable text locally; level from `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Call once, first thing in `main`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).without_time();
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        && std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
        && std::env::var_os("DROPSHIP_LOCAL").is_none()
    {
        builder.json().init();
    } else {
        builder.init();
    }
}
