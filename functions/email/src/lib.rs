//! The email stage: renders the platform's mails from template files and sends each exactly once
//! through the configured provider.
//!
//! - [`config`]: the environment, parsed once.
//! - [`templates`] and [`render`]: the template files and `{{placeholder}}` substitution.
//! - [`mail`]: a request becomes a mail (branding, subject, unsubscribe headers and link).
//! - [`providers`]: SMTP, Resend and SendGrid behind one interface.
//! - [`records`]: sent-mail records and the suppression list in DynamoDB.
//! - [`handler`]: the SQS batch handler.

pub mod config;
pub mod handler;
pub mod mail;
pub mod providers;
pub mod records;
pub mod render;
pub mod templates;
