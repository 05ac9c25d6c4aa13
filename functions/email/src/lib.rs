//! The email stage: renders the platform's mails and sends each exactly once through the
//! configured provider.
//!
//! - [`config`]: the environment, parsed once.
//! - [`mails`]: one function per mail, typed data in, subject, HTML and text out; the HTML is
//!   compile-time `maud` markup that escapes every value. [`http_url`]: the only links a mail takes.
//! - [`mail`]: a request becomes a mail (branding, subject, unsubscribe headers and link).
//! - [`providers`]: SMTP, Resend and SendGrid behind one interface.
//! - [`records`]: sent-mail records and the suppression list in DynamoDB, read and written for
//!   the mails under way together (`group`).
//! - [`handler`]: the SQS batch handler of both queues the function consumes.
//!
//! Email flows (welcome series, abandoned cart, post-purchase):
//! - [`flows`]: the rules, pure: steps, delays, template data, what each event does.
//! - [`flow_steps`]: the scheduled steps, their due index and the contacts in DynamoDB.
//! - [`flow_events`]: the `flows` queue's events applied to the steps.
//! - [`flow_edge`]: the store's flow settings from the edge, and the sends reported to it.
//! - [`sweep`]: sends the due steps through the email queue, once each (run by `functions/sweep`).

pub mod config;
pub mod flow_edge;
pub mod flow_events;
pub mod flow_steps;
pub mod flows;
mod group;
pub mod handler;
pub mod http_url;
pub mod mail;
pub mod mails;
pub mod providers;
pub mod records;
pub mod sweep;
