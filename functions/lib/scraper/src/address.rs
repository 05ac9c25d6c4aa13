//! Which addresses and URLs the scraper may reach: the guard against server-side request forgery.
//!
//! Supplier URLs come from merchants, feeds and redirects, so any of them may point inside the
//! platform's network (a metadata service, a database, the local stack). Every address the
//! fetcher connects to is classified here first, after DNS resolution and on every redirect;
//! only public unicast addresses pass, plus loopback in local mode.
//!
//! URL parsing follows the WHATWG rules (the `url` crate), so the alternative spellings of an
//! IPv4 address (`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`) arrive here as the address
//! they name, and IPv6 addresses that embed an IPv4 one (`::ffff:127.0.0.1`, NAT64, 6to4) are
//! judged by the address they embed.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// What kind of address an IP address is, for deciding whether the scraper may connect to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// A globally routable unicast address.
    Public,
    /// Loopback: `127.0.0.0/8`, `::1`.
    Loopback,
    /// Private networks: `10/8`, `172.16/12`, `192.168/16`.
    Private,
    /// Shared address space of carrier-grade NAT: `100.64/10`.
    SharedCgnat,
    /// Link-local: `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// Unique-local (and the deprecated site-local) IPv6: `fc00::/7`, `fec0::/10`.
    UniqueLocal,
    /// Cloud instance metadata and platform services: `169.254.169.254`, `169.254.170.2`,
    /// `fd00:ec2::254`, `100.100.100.200`, `168.63.129.16`.
    Metadata,
    /// Multicast: `224/4`, `ff00::/8`.
    Multicast,
    /// The unspecified address and "this network": `0/8`, `::`.
    Unspecified,
    /// Documentation ranges: `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`,
    /// `3fff::/20`.
    Documentation,
    /// Benchmarking: `198.18/15`, `2001:2::/48`.
    Benchmarking,
    /// Broadcast: `255.255.255.255`.
    Broadcast,
    /// Reserved or special-purpose ranges that are not publicly routable: `192.0.0/24`, `240/4`,
    /// `192.88.99/24`, Teredo, ORCHID, discard-only and local-use NAT64 prefixes.
    Reserved,
}

impl AddressClass {
    /// A short name for logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::SharedCgnat => "carrier-grade NAT",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::Metadata => "cloud metadata",
            AddressClass::Multicast => "multicast",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Documentation => "documentation",
            AddressClass::Benchmarking => "benchmarking",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Reserved => "reserved",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Metadata and platform-service addresses, checked before the ranges that contain them.
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254), // AWS, GCP, Azure, OCI, DigitalOcean
    Ipv4Addr::new(169, 254, 170, 2),   // ECS task metadata and credentials
    Ipv4Addr::new(169, 254, 170, 23),  // EKS Pod Identity agent
    Ipv4Addr::new(100, 100, 100, 200), // Alibaba Cloud
    Ipv4Addr::new(168, 63, 129, 16),   // Azure WireServer: inside public space, so listed by name
];

/// `fd00:ec2::254`, the IPv6 instance metadata endpoint of EC2 (and `fd00:ec2::23`, EKS Pod
/// Identity).
const METADATA_V6: [Ipv6Addr; 2] =
    [Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254), Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)];

/// Host names of metadata services, refused before they are even resolved.
const METADATA_HOSTS: [&str; 4] =
    ["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"];

/// Classifies an address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if METADATA_V4.contains(&ip) {
        return AddressClass::Metadata;
    }
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (10, _, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedCgnat,
        (127, _, _) => AddressClass::Loopback,
        (169, 254, _) => AddressClass::LinkLocal,
        (172, 16..=31, _) => AddressClass::Private,
        (192, 0, 0) => AddressClass::Reserved,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressClass::Documentation,
        (192, 88, 99) => AddressClass::Reserved,
        (192, 168, _) => AddressClass::Private,
        (198, 18..=19, _) => AddressClass::Benchmarking,
        (224..=239, _, _) => AddressClass::Multicast,
        (255, 255, 255) if ip == Ipv4Addr::BROADCAST => AddressClass::Broadcast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if METADATA_V6.contains(&ip) {
        return AddressClass::Metadata;
    }
    let s = ip.segments();
    let embedded_low = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    match s {
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and the deprecated
        // IPv4-compatible (::a.b.c.d) forms reach, or name, the IPv4 address they embed.
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] | [0, 0, 0, 0, 0, 0, _, _] => {
            classify_v4(embedded_low())
        }
        // NAT64 well-known prefix: a gateway translates to the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => classify_v4(embedded_low()),
        // 6to4: the relay forwards to the IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => {
            classify_v4(Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8))
        }
        [0x64, 0xff9b, 1, ..] => AddressClass::Reserved, // local-use NAT64
        [0x100, 0, 0, 0, ..] => AddressClass::Reserved,  // discard-only
        [0x2001, 0, ..] => AddressClass::Reserved,       // Teredo: hides an IPv4 address
        [0x2001, 2, 0, ..] => AddressClass::Benchmarking,
        [0x2001, 0x10..=0x2f, ..] => AddressClass::Reserved, // ORCHID and ORCHIDv2
        [0x2001, 0xdb8, ..] => AddressClass::Documentation,
        [a, ..] if a & 0xfff0 == 0x3ff0 => AddressClass::Documentation,
        [a, ..] if a & 0xfe00 == 0xfc00 => AddressClass::UniqueLocal,
        [a, ..] if a & 0xffc0 == 0xfe80 => AddressClass::LinkLocal,
        [a, ..] if a & 0xffc0 == 0xfec0 => AddressClass::UniqueLocal,
        [a, ..] if a & 0xff00 == 0xff00 => AddressClass::Multicast,
        // Only 2000::/3 is allocated as global unicast.
        [a, ..] if a & 0xe000 == 0x2000 => AddressClass::Public,
        _ => AddressClass::Reserved,
    }
}

/// Why a URL or address was refused. No connection was made to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Only `http` and `https` are fetched.
    #[error("scheme `{0}` is not http or https")]
    Scheme(String),
    /// Only ports 80 and 443 are fetched outside local mode.
    #[error("port {0} is not 80 or 443")]
    Port(u16),
    /// URLs carrying a user name or password are refused.
    #[error("the URL carries credentials")]
    Credentials,
    /// The URL has no host.
    #[error("the URL has no host")]
    NoHost,
    /// The host name belongs to a metadata service.
    #[error("host `{0}` is a cloud metadata service")]
    MetadataHost(String),
    /// The host is, or resolves to, an address the scraper must not reach.
    #[error("address {ip} is {class}")]
    Address {
        /// The address.
        ip: IpAddr,
        /// What it is.
        class: AddressClass,
    },
    /// The host resolved to no address.
    #[error("host `{0}` resolved to no address")]
    Unresolved(String),
}

/// What the scraper may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressPolicy {
    /// Local mode (`SCRAPER_ALLOW_LOOPBACK=1`, set only by the local stack and tests): loopback
    /// addresses and any port are allowed as well. Private ranges and metadata never are.
    pub local_mode: bool,
}

impl AddressPolicy {
    /// The policy of production: public addresses on ports 80 and 443 only.
    pub const PUBLIC: AddressPolicy = AddressPolicy { local_mode: false };
    /// The policy of the local stack and tests: loopback is allowed too.
    pub const LOCAL: AddressPolicy = AddressPolicy { local_mode: true };

    /// Whether `ip` may be connected to.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Loopback if self.local_mode => Ok(()),
            class => Err(Refusal::Address { ip, class }),
        }
    }

    /// Checks everything about `url` that can be known without DNS: scheme, credentials, port,
    /// metadata host names, and the address when the host is an IP literal. A host name must
    /// still have each address it resolves to checked with [`AddressPolicy::check_ip`].
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.scheme().chars().take(16).collect()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let port = url.port_or_known_default().ok_or(Refusal::NoHost)?;
        if !self.local_mode && port != 80 && port != 443 {
            return Err(Refusal::Port(port));
        }
        match url.host().ok_or(Refusal::NoHost)? {
            Host::Ipv4(ip) => self.check_ip(IpAddr::V4(ip)),
            Host::Ipv6(ip) => self.check_ip(IpAddr::V6(ip)),
            Host::Domain(name) => check_host_name(name),
        }
    }
}

/// Refuses the host names of metadata services (`metadata.google.internal` and the like); any
/// other name is judged by the addresses it resolves to.
pub fn check_host_name(name: &str) -> Result<(), Refusal> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if METADATA_HOSTS.contains(&name.as_str()) {
        return Err(Refusal::MetadataHost(name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn class(text: &str) -> AddressClass {
        classify(text.parse().expect("an address"))
    }

    #[test]
    fn private_link_local_metadata_and_special_addresses_are_classified_as_such() {
        let table = [
            ("10.0.0.1", AddressClass::Private),
            ("10.255.255.255", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.254", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::SharedCgnat),
            ("100.127.255.254", AddressClass::SharedCgnat),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.255.255.254", AddressClass::Loopback),
            ("169.254.0.1", AddressClass::LinkLocal),
            ("169.254.169.254", AddressClass::Metadata),
            ("169.254.170.2", AddressClass::Metadata),
            ("100.100.100.200", AddressClass::Metadata),
            ("168.63.129.16", AddressClass::Metadata),
            ("0.0.0.0", AddressClass::Unspecified),
            ("0.1.2.3", AddressClass::Unspecified),
            ("192.0.0.8", AddressClass::Reserved),
            ("192.0.2.10", AddressClass::Documentation),
            ("198.51.100.7", AddressClass::Documentation),
            ("203.0.113.99", AddressClass::Documentation),
            ("198.18.0.1", AddressClass::Benchmarking),
            ("224.0.0.1", AddressClass::Multicast),
            ("239.255.255.250", AddressClass::Multicast),
            ("240.0.0.1", AddressClass::Reserved),
            ("255.255.255.255", AddressClass::Broadcast),
            ("::", AddressClass::Unspecified),
            ("::1", AddressClass::Loopback),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("::ffff:10.0.0.1", AddressClass::Private),
            ("::ffff:169.254.169.254", AddressClass::Metadata),
            ("::ffff:0:192.168.0.1", AddressClass::Private),
            ("::127.0.0.1", AddressClass::Loopback),
            ("64:ff9b::a9fe:a9fe", AddressClass::Metadata),
            ("64:ff9b::10.1.2.3", AddressClass::Private),
            ("64:ff9b:1::1", AddressClass::Reserved),
            ("2002:7f00:1::", AddressClass::Loopback),
            ("2002:a9fe:a9fe::1", AddressClass::Metadata),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressClass::Reserved),
            ("2001:db8::1", AddressClass::Documentation),
            ("3fff:123::1", AddressClass::Documentation),
            ("fc00::1", AddressClass::UniqueLocal),
            ("fd12:3456:789a::1", AddressClass::UniqueLocal),
            ("fd00:ec2::254", AddressClass::Metadata),
            ("fe80::1", AddressClass::LinkLocal),
            ("febf::1", AddressClass::LinkLocal),
            ("fec0::1", AddressClass::UniqueLocal),
            ("ff02::1", AddressClass::Multicast),
            ("100::1", AddressClass::Reserved),
            ("::2", AddressClass::Unspecified),
        ];
        for (address, expected) in table {
            assert_eq!(class(address), expected, "{address}");
            assert!(AddressPolicy::PUBLIC.check_ip(address.parse().unwrap()).is_err(), "{address}");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "23.45.67.89",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "192.169.0.1",
            "169.253.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82a::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(class(address), AddressClass::Public, "{address}");
            assert_eq!(AddressPolicy::PUBLIC.check_ip(address.parse().unwrap()), Ok(()), "{address}");
        }
    }

    #[test]
    fn local_mode_allows_loopback_but_never_private_or_metadata_addresses() {
        for allowed in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "8.8.8.8"] {
            assert_eq!(AddressPolicy::LOCAL.check_ip(allowed.parse().unwrap()), Ok(()), "{allowed}");
        }
        for refused in ["10.0.0.1", "192.168.0.1", "169.254.169.254", "fd00:ec2::254", "fe80::1", "0.0.0.0"] {
            assert!(AddressPolicy::LOCAL.check_ip(refused.parse().unwrap()).is_err(), "{refused}");
        }
    }

    fn check(policy: AddressPolicy, url: &str) -> Result<(), Refusal> {
        policy.check_url(&Url::parse(url).expect("a URL"))
    }

    #[test]
    fn alternative_spellings_of_loopback_are_refused_outside_local_mode() {
        for url in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://017700000001/",
            "http://127.0.0.1./",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/",
            "https://127.000.000.001/",
        ] {
            assert!(
                matches!(
                    check(AddressPolicy::PUBLIC, url),
                    Err(Refusal::Address { class: AddressClass::Loopback, .. })
                ),
                "{url}: {:?}",
                check(AddressPolicy::PUBLIC, url)
            );
            assert_eq!(check(AddressPolicy::LOCAL, url), Ok(()), "{url}");
        }
    }

    #[test]
    fn metadata_urls_are_refused_in_every_mode() {
        for policy in [AddressPolicy::PUBLIC, AddressPolicy::LOCAL] {
            for url in [
                "http://169.254.169.254/latest/meta-data/",
                "http://0xa9fea9fe/",
                "http://2852039166/",
                "http://[::ffff:169.254.169.254]/",
                "http://[fd00:ec2::254]/",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://METADATA.google.internal./",
                "http://100.100.100.200/latest/meta-data/",
            ] {
                assert!(check(policy, url).is_err(), "{url}");
            }
        }
    }

    #[test]
    fn only_http_and_https_on_ports_80_and_443_pass_outside_local_mode() {
        assert_eq!(check(AddressPolicy::PUBLIC, "https://shop.example/products/a"), Ok(()));
        assert_eq!(check(AddressPolicy::PUBLIC, "http://shop.example:80/"), Ok(()));
        assert_eq!(check(AddressPolicy::PUBLIC, "http://shop.example:443/"), Ok(()));
        assert_eq!(check(AddressPolicy::PUBLIC, "https://shop.example:8443/"), Err(Refusal::Port(8443)));
        assert_eq!(check(AddressPolicy::PUBLIC, "http://8.8.8.8:22/"), Err(Refusal::Port(22)));
        assert_eq!(check(AddressPolicy::LOCAL, "http://127.0.0.1:8080/"), Ok(()));
        assert_eq!(check(AddressPolicy::PUBLIC, "ftp://shop.example/"), Err(Refusal::Scheme("ftp".into())));
        assert_eq!(check(AddressPolicy::LOCAL, "file:///etc/passwd"), Err(Refusal::Scheme("file".into())));
        assert_eq!(
            check(AddressPolicy::LOCAL, "gopher://127.0.0.1:6379/_"),
            Err(Refusal::Scheme("gopher".into()))
        );
        assert_eq!(check(AddressPolicy::PUBLIC, "https://user:pw@shop.example/"), Err(Refusal::Credentials));
    }

    proptest! {
        #[test]
        fn every_ipv4_address_is_judged_the_same_when_mapped_into_ipv6(bits: u32) {
            let v4 = Ipv4Addr::from(bits);
            prop_assert_eq!(classify(IpAddr::V6(v4.to_ipv6_mapped())), classify(IpAddr::V4(v4)));
        }

        #[test]
        fn an_ipv4_address_is_public_only_outside_every_special_range(bits: u32) {
            let v4 = Ipv4Addr::from(bits);
            let special = v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_multicast()
                || v4.is_broadcast() || v4.is_documentation() || v4.is_unspecified() || v4.octets()[0] == 0
                || v4.octets()[0] >= 240 || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]));
            if special {
                prop_assert_ne!(classify(IpAddr::V4(v4)), AddressClass::Public);
            }
        }
    }
}
