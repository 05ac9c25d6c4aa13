//! The email function from the outside: batches through the handler, and each provider adapter
//! against a local server that records what it was sent.

mod handler;
mod helpers;
mod providers;
