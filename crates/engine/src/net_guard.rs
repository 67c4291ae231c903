//! The guard on addresses a workflow controls (server-side request forgery): HTTP request
//! nodes may not reach private, loopback, link-local, cloud-metadata and other non-public
//! addresses unless the workspace's network policy allows them.
//!
//! Checked in three places, because each misses what the others see:
//! - at name resolution ([`GuardedResolver`]): the addresses a host name resolves to;
//! - before a request whose host is an address (the resolver is not called for those):
//!   [`Guard::check_url`];
//! - on every redirect ([`Guard::redirect_policy`]), for address hosts; names reached by a
//!   redirect go through the resolver again.
//!
//! The policy is read at each check, so a workspace change applies to the next connection.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use switchyard_core::workspace::{AllowedHost, NetworkPolicy};

/// Redirects followed before giving up.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Why `ip` is not a public address, or `None` when it is one.
pub(crate) fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let n = u32::from(ip);
    let within = |net: [u8; 4], bits: u32| (n ^ u32::from_be_bytes(net)) >> (32 - bits) == 0;
    Some(if within([169, 254, 169, 254], 32) {
        "the cloud metadata address"
    } else if within([0, 0, 0, 0], 8) {
        "a reserved address (\"this network\")"
    } else if within([10, 0, 0, 0], 8)
        || within([172, 16, 0, 0], 12)
        || within([192, 168, 0, 0], 16)
    {
        "a private address"
    } else if within([100, 64, 0, 0], 10) {
        "a shared address (carrier-grade NAT)"
    } else if within([127, 0, 0, 0], 8) {
        "a loopback address"
    } else if within([169, 254, 0, 0], 16) {
        "a link-local address"
    } else if within([192, 0, 0, 0], 24) {
        "a reserved protocol address"
    } else if within([192, 0, 2, 0], 24)
        || within([198, 51, 100, 0], 24)
        || within([203, 0, 113, 0], 24)
    {
        "a documentation address"
    } else if within([198, 18, 0, 0], 15) {
        "a benchmarking address"
    } else if within([224, 0, 0, 0], 4) {
        "a multicast address"
    } else if n == u32::MAX {
        "the broadcast address"
    } else if within([240, 0, 0, 0], 4) {
        "a reserved address"
    } else {
        return None;
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
    // addresses reach the IPv4 address inside them.
    if (s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0)) || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded());
    }
    // 6to4 (2002:a.b.c.d::/48) carries an IPv4 address in bits 16 to 48.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return classify_v4(v4);
    }
    Some(
        if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
            "the cloud metadata address"
        } else if s[0] & 0xfe00 == 0xfc00 || s[..3] == [0x64, 0xff9b, 1] {
            "a private address"
        } else if s[0] & 0xffc0 == 0xfe80 {
            "a link-local address"
        } else if s[0] & 0xff00 == 0xff00 {
            "a multicast address"
        } else if s[..2] == [0x2001, 0xdb8] {
            "a documentation address"
        } else {
            return None;
        },
    )
}

/// A refused address. Its text is the reason, for the end of "refused to call URL: ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blocked {
    /// The host as written in the URL (a name, or the address itself).
    pub host: String,
    pub ip: IpAddr,
    pub reason: &'static str,
    /// The refused URL, when known where it was refused (not in the resolver).
    pub url: Option<String>,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if bare_ip(&self.host).is_some() {
            write!(f, "{} is {}", self.ip, self.reason)?;
        } else {
            write!(f, "{} is at {}, {}", self.host, self.ip, self.reason)?;
        }
        f.write_str("; workflows may not reach private networks (allow it in Settings → Network)")
    }
}

impl StdError for Blocked {}

impl Blocked {
    /// The refusal among the causes of an error (a resolver or redirect error inside reqwest's).
    pub fn find<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a Blocked> {
        let mut current = Some(e);
        while let Some(e) = current {
            if let Some(b) = e.downcast_ref::<Blocked>() {
                return Some(b);
            }
            current = e.source();
        }
        None
    }
}

/// The address a URL host names directly (`127.0.0.1`, `[::1]`).
fn bare_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// A network policy, parsed for checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Policy {
    allow_private: bool,
    names: Vec<String>,
    nets: Vec<(IpAddr, u8)>,
}

impl Policy {
    pub fn new(policy: &NetworkPolicy) -> Policy {
        let mut p = Policy {
            allow_private: policy.allow_private_networks,
            ..Policy::default()
        };
        // Entries were checked when the workspace was loaded; one that does not parse allows
        // nothing.
        for entry in &policy.allowed_hosts {
            match AllowedHost::parse(entry) {
                Ok(AllowedHost::Name(name)) => p.names.push(name),
                Ok(AllowedHost::Net { addr, prefix }) => p.nets.push((addr, prefix)),
                Err(_) => {}
            }
        }
        p
    }

    fn allows_name(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        self.names.iter().any(|n| n.eq_ignore_ascii_case(host))
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets
            .iter()
            .any(|&(net, prefix)| match (net.to_canonical(), ip) {
                (IpAddr::V4(n), IpAddr::V4(a)) => {
                    prefix == 0 || (u32::from(n) ^ u32::from(a)) >> (32 - u32::from(prefix)) == 0
                }
                (IpAddr::V6(n), IpAddr::V6(a)) => {
                    prefix == 0 || (u128::from(n) ^ u128::from(a)) >> (128 - u32::from(prefix)) == 0
                }
                _ => false,
            })
    }

    /// Whether `host` (as written in the URL) may be reached at `ip`.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Blocked> {
        if self.allow_private || self.allows_name(host) || self.allows_ip(ip) {
            return Ok(());
        }
        match classify(ip) {
            None => Ok(()),
            Some(reason) => Err(Blocked {
                host: host.to_string(),
                ip,
                reason,
                url: None,
            }),
        }
    }
}

/// The current policy, shared by the engine (which replaces it) and the HTTP client's resolver
/// and redirect policy (which read it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Guard {
    policy: Arc<RwLock<Arc<Policy>>>,
}

impl Guard {
    pub fn new(policy: &NetworkPolicy) -> Guard {
        Guard {
            policy: Arc::new(RwLock::new(Arc::new(Policy::new(policy)))),
        }
    }

    /// Replaces the policy; whether it changed.
    pub fn set(&self, policy: &NetworkPolicy) -> bool {
        let new = Policy::new(policy);
        let mut current = self.policy.write().expect("network policy lock");
        if **current == new {
            return false;
        }
        *current = Arc::new(new);
        true
    }

    pub fn current(&self) -> Arc<Policy> {
        self.policy.read().expect("network policy lock").clone()
    }

    /// Checks a URL whose host is an address; names are checked when they are resolved.
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Blocked> {
        let host = url.host_str().unwrap_or_default();
        match bare_ip(host) {
            Some(ip) => self.current().check(host, ip).map_err(|b| Blocked {
                url: Some(url.to_string()),
                ..b
            }),
            None => Ok(()),
        }
    }

    /// The redirect policy of a guarded client: at most [`MAX_REDIRECTS`], each target
    /// checked, and with [`Redirects::SameSite`] none to another site.
    fn redirect_policy(&self, redirects: Redirects) -> reqwest::redirect::Policy {
        let guard = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                let e = format!("it redirected more than {MAX_REDIRECTS} times");
                return attempt.error(e);
            }
            if redirects == Redirects::SameSite {
                let first = &attempt.previous()[0];
                let next = attempt.url();
                if (
                    first.scheme(),
                    first.host_str(),
                    first.port_or_known_default(),
                ) != (next.scheme(), next.host_str(), next.port_or_known_default())
                {
                    let e = format!("it redirected to another site ({next}); requests that send an API key only follow redirects within the same site, so the key is not given away");
                    return attempt.error(e);
                }
            }
            match guard.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(blocked) => attempt.error(blocked),
            }
        })
    }

    fn client(&self, user_agent: &str, redirects: Redirects) -> reqwest::Client {
        reqwest::Client::builder()
            .user_agent(user_agent)
            .dns_resolver(Arc::new(GuardedResolver {
                guard: self.clone(),
            }))
            .redirect(self.redirect_policy(redirects))
            // A proxy would resolve the names itself, out of the guard's sight.
            .no_proxy()
            .build()
            .expect("the HTTP client configuration is valid")
    }
}

/// Which redirects a guarded client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redirects {
    /// Any (checked) target.
    AnySite,
    /// Only targets with the first request's scheme, host and port: for requests carrying
    /// credentials in headers that the HTTP client does not know to drop on the way (API keys).
    SameSite,
}

/// The HTTP clients for addresses a workflow controls, and the policy they read. A policy
/// change replaces the clients, so connections opened under a looser policy are not reused.
pub(crate) struct GuardedHttp {
    guard: Guard,
    user_agent: String,
    /// The `AnySite` and `SameSite` clients.
    clients: RwLock<(reqwest::Client, reqwest::Client)>,
}

impl GuardedHttp {
    pub fn new(policy: &NetworkPolicy, user_agent: &str) -> GuardedHttp {
        let guard = Guard::new(policy);
        let clients = RwLock::new(Self::build(&guard, user_agent));
        GuardedHttp {
            guard,
            user_agent: user_agent.to_string(),
            clients,
        }
    }

    fn build(guard: &Guard, user_agent: &str) -> (reqwest::Client, reqwest::Client) {
        (
            guard.client(user_agent, Redirects::AnySite),
            guard.client(user_agent, Redirects::SameSite),
        )
    }

    pub fn set_policy(&self, policy: &NetworkPolicy) {
        if self.guard.set(policy) {
            *self.clients.write().expect("clients lock") =
                Self::build(&self.guard, &self.user_agent);
        }
    }

    /// A client (cheap: clones share the connection pool).
    pub fn client(&self, redirects: Redirects) -> reqwest::Client {
        let clients = self.clients.read().expect("clients lock");
        match redirects {
            Redirects::AnySite => clients.0.clone(),
            Redirects::SameSite => clients.1.clone(),
        }
    }

    /// See [`Guard::check_url`].
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Blocked> {
        self.guard.check_url(url)
    }
}

/// Resolves names with the system resolver and drops the addresses the policy refuses.
struct GuardedResolver {
    guard: Guard,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let policy = guard.current();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check(&host, a.ip()) {
                    Ok(()) => true,
                    Err(b) => {
                        refused.get_or_insert(b);
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refused) {
                (true, Some(blocked)) => Err(Box::new(blocked) as Box<dyn StdError + Send + Sync>),
                _ => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(ip: &str) -> Option<&'static str> {
        classify(ip.parse().unwrap())
    }

    #[test]
    fn every_non_public_ipv4_range_is_refused() {
        let cases = [
            ("0.0.0.0", "reserved"),
            ("0.255.255.255", "reserved"),
            ("10.0.0.1", "private"),
            ("10.255.255.255", "private"),
            ("100.64.0.1", "carrier-grade"),
            ("100.127.255.254", "carrier-grade"),
            ("127.0.0.1", "loopback"),
            ("127.255.0.2", "loopback"),
            ("169.254.0.1", "link-local"),
            ("169.254.169.254", "metadata"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.8", "protocol"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("192.0.2.1", "documentation"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.255", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.254", "reserved"),
            ("255.255.255.255", "broadcast"),
        ];
        for (ip, why) in cases {
            let got = reason(ip).unwrap_or_else(|| panic!("{ip} was allowed"));
            assert!(got.contains(why), "{ip}: {got}");
        }
    }

    #[test]
    fn the_edges_of_the_ranges_are_public() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "2001:db9::1",
            "fbff::1",
            "fe00::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(reason(ip), None, "{ip}");
        }
    }

    #[test]
    fn every_non_public_ipv6_range_is_refused() {
        let cases = [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fc00::1", "private"),
            ("fdff:ffff::1", "private"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("fd00:ec2::254", "metadata"),
            ("64:ff9b:1::1", "private"),
        ];
        for (ip, why) in cases {
            let got = reason(ip).unwrap_or_else(|| panic!("{ip} was allowed"));
            assert!(got.contains(why), "{ip}: {got}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_checked_as_ipv4() {
        let cases = [
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "metadata"),
            ("::ffff:10.1.2.3", "private"),
            ("::127.0.0.1", "loopback"),
            ("::10.0.0.1", "private"),
            ("64:ff9b::127.0.0.1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "metadata"),
            ("64:ff9b::192.168.0.1", "private"),
            ("2002:7f00:1::", "loopback"),
            ("2002:a9fe:a9fe::1", "metadata"),
        ];
        for (ip, why) in cases {
            let got = reason(ip).unwrap_or_else(|| panic!("{ip} was allowed"));
            assert!(got.contains(why), "{ip}: {got}");
        }
    }

    fn policy(allow_private: bool, hosts: &[&str]) -> Policy {
        Policy::new(&NetworkPolicy {
            allow_private_networks: allow_private,
            allowed_hosts: hosts.iter().map(|h| h.to_string()).collect(),
        })
    }

    #[test]
    fn the_policy_allows_named_hosts_addresses_and_ranges() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let p = policy(
            false,
            &["crm.office.lan", "10.1.0.0/16", "127.0.0.1", "fd00::/8"],
        );
        assert!(p.check("crm.office.lan", ip("10.9.9.9")).is_ok());
        assert!(p.check("CRM.office.lan.", ip("10.9.9.9")).is_ok());
        assert!(p.check("other.office.lan", ip("10.1.200.3")).is_ok());
        assert!(p.check("other.office.lan", ip("10.2.0.1")).is_err());
        assert!(p.check("127.0.0.1", ip("127.0.0.1")).is_ok());
        assert!(p.check("::ffff:127.0.0.1", ip("::ffff:127.0.0.1")).is_ok());
        assert!(p.check("127.0.0.2", ip("127.0.0.2")).is_err());
        assert!(p.check("x", ip("fd12::1")).is_ok());
        assert!(p.check("x", ip("fe80::1")).is_err());
        assert!(p.check("example.com", ip("93.184.215.14")).is_ok());
        assert!(policy(true, &[]).check("x", ip("169.254.169.254")).is_ok());
        assert!(policy(false, &["0.0.0.0/0"])
            .check("x", ip("10.0.0.1"))
            .is_ok());
    }

    #[test]
    fn refusals_say_what_the_address_is_and_where_to_allow_it() {
        let p = policy(false, &[]);
        let e = p
            .check("127.0.0.1", "127.0.0.1".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "127.0.0.1 is a loopback address; workflows may not reach private networks (allow it in Settings → Network)"
        );
        let e = p.check("[::1]", "::1".parse().unwrap()).unwrap_err();
        assert!(
            e.to_string().starts_with("::1 is a loopback address;"),
            "{e}"
        );
        let e = p
            .check("localhost", "127.0.0.1".parse().unwrap())
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("localhost is at 127.0.0.1, a loopback address;"),
            "{e}"
        );
        let wrapped: Box<dyn StdError + Send + Sync> = Box::new(e.clone());
        assert_eq!(Blocked::find(wrapped.as_ref()), Some(&e));
    }

    #[test]
    fn a_policy_change_applies_to_the_next_check() {
        let guard = Guard::new(&NetworkPolicy::default());
        let url = reqwest::Url::parse("http://[::ffff:127.0.0.1]:8080/").unwrap();
        let e = guard.check_url(&url).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("::ffff:127.0.0.1 is a loopback address"),
            "{e}"
        );
        assert!(guard
            .check_url(&reqwest::Url::parse("http://localhost:8080/").unwrap())
            .is_ok());
        let open = NetworkPolicy {
            allow_private_networks: true,
            allowed_hosts: vec![],
        };
        assert!(guard.set(&open));
        assert!(!guard.set(&open), "unchanged");
        assert!(guard.check_url(&url).is_ok());
    }
}
