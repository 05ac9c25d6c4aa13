//! DNS resolution that checks what it resolves: the fetcher's HTTP client connects only to the
//! addresses returned here, after each has passed the [`AddressPolicy`]. Checking and connecting
//! to the same answer is what defeats DNS rebinding (a name that resolves to a public address
//! when checked and to a private one when connected).

use crate::address::{check_host_name, AddressPolicy, Refusal};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, so that ports can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Turns a host name into addresses.
pub trait Lookup: Send + Sync {
    /// The addresses of `host`.
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>>;
}

/// The system resolver, through tokio's `lookup_host`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host, 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// A fixed table of names: for tests, which must never ask a real resolver.
#[derive(Debug, Clone, Default)]
pub struct StaticLookup {
    names: HashMap<String, Vec<IpAddr>>,
}

impl StaticLookup {
    /// An empty table: every name fails to resolve.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name`, resolving to `addrs`.
    pub fn with(mut self, name: &str, addrs: &[IpAddr]) -> Self {
        self.names.insert(name.to_ascii_lowercase(), addrs.to_vec());
        self
    }
}

impl Lookup for StaticLookup {
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        let found = self.names.get(&host.to_ascii_lowercase()).cloned();
        Box::pin(async move {
            found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "name not in the static table"))
        })
    }
}

/// Resolves `host` and checks every address it names; one refused address refuses the host,
/// since a name that mixes public and private answers is not to be trusted with either.
pub async fn resolve_checked(
    lookup: &dyn Lookup,
    policy: AddressPolicy,
    host: &str,
) -> Result<Vec<IpAddr>, ResolveError> {
    check_host_name(host)?;
    let addrs = lookup.lookup(host).await.map_err(ResolveError::Lookup)?;
    if addrs.is_empty() {
        return Err(Refusal::Unresolved(host.chars().take(253).collect()).into());
    }
    for ip in &addrs {
        policy.check_ip(*ip)?;
    }
    Ok(addrs)
}

/// Why a host could not be resolved to addresses the scraper may use.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The host, or an address it resolves to, is refused.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The resolver failed.
    #[error("DNS lookup failed: {0}")]
    Lookup(io::Error),
}

/// The HTTP client's resolver: every name the client connects to goes through
/// [`resolve_checked`]. The proxy's own host, configured by the operator, is the one name
/// resolved without the check (a proxy on a private network is normal).
pub(crate) struct CheckedResolver {
    pub(crate) lookup: Arc<dyn Lookup>,
    pub(crate) policy: AddressPolicy,
    pub(crate) trusted_host: Option<String>,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = Arc::clone(&self.lookup);
        let policy = self.policy;
        let host = name.as_str().to_ascii_lowercase();
        let trusted = self.trusted_host.as_deref() == Some(host.as_str());
        Box::pin(async move {
            let addrs = if trusted {
                lookup.lookup(&host).await?
            } else {
                resolve_checked(lookup.as_ref(), policy, &host).await?
            };
            // Port 0 is replaced by the URL's port.
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::AddressClass;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_private_address_is_refused() {
        let lookup = StaticLookup::new().with("intranet.test", &[ip("10.1.2.3")]);
        let error = resolve_checked(&lookup, AddressPolicy::PUBLIC, "intranet.test").await.unwrap_err();
        assert!(matches!(
            error,
            ResolveError::Refused(Refusal::Address { class: AddressClass::Private, .. })
        ));
    }

    #[tokio::test]
    async fn one_private_answer_among_public_ones_refuses_the_name() {
        let lookup = StaticLookup::new().with("mixed.test", &[ip("93.184.216.34"), ip("169.254.169.254")]);
        let error = resolve_checked(&lookup, AddressPolicy::LOCAL, "mixed.test").await.unwrap_err();
        assert!(matches!(
            error,
            ResolveError::Refused(Refusal::Address { class: AddressClass::Metadata, .. })
        ));
    }

    #[tokio::test]
    async fn a_public_name_resolves_to_its_addresses() {
        let lookup = StaticLookup::new().with("shop.test", &[ip("93.184.216.34"), ip("2606:2800:220:1::1")]);
        let addrs = resolve_checked(&lookup, AddressPolicy::PUBLIC, "SHOP.test").await.unwrap();
        assert_eq!(addrs.len(), 2);
    }

    #[tokio::test]
    async fn loopback_names_resolve_only_in_local_mode() {
        let lookup = StaticLookup::new().with("localhost", &[ip("127.0.0.1"), ip("::1")]);
        assert!(resolve_checked(&lookup, AddressPolicy::PUBLIC, "localhost").await.is_err());
        assert!(resolve_checked(&lookup, AddressPolicy::LOCAL, "localhost").await.is_ok());
    }

    #[tokio::test]
    async fn metadata_host_names_are_refused_before_any_lookup() {
        let lookup = StaticLookup::new();
        let error =
            resolve_checked(&lookup, AddressPolicy::LOCAL, "metadata.google.internal").await.unwrap_err();
        assert!(matches!(error, ResolveError::Refused(Refusal::MetadataHost(_))));
    }
}
