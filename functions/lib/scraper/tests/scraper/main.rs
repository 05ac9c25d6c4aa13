//! The scraper end to end on this machine: the fetcher against a server on 127.0.0.1 (local
//! mode), and extraction from recorded pages. No test sends traffic anywhere but loopback; the
//! SSRF guard's refusals of private and metadata addresses happen before any connection.

mod extraction;
mod fetching;
mod helpers;
