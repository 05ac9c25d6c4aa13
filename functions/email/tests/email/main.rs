//! The email function from the outside: batches through the handler, each provider adapter
//! against a local server that records what it was sent, and the email flows against DynamoDB in
//! moto.

mod dynamo;
mod flows;
mod handler;
mod helpers;
mod providers;
