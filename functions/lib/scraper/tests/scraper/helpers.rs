//! A tiny HTTP/1.1 server on 127.0.0.1 for the fetcher's tests (one thread per connection, one
//! request per connection), and fetchers configured for it. Nothing here reaches beyond
//! loopback: host names are answered by a static table, never by a real resolver.

use scraper::{Fetcher, MemoryCache, ScraperConfig, StaticLookup};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send `Content-Length` (otherwise the body runs until the connection closes).
    pub with_length: bool,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self { status: 200, headers: Vec::new(), body: body.into(), with_length: true }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Self {
        Self::ok(body).header("content-type", "text/html; charset=utf-8")
    }

    pub fn status(status: u16) -> Self {
        Self { status, headers: Vec::new(), body: Vec::new(), with_length: true }
    }

    /// Closes the connection without answering.
    pub fn hang_up() -> Self {
        Self::status(0)
    }

    pub fn redirect(location: &str) -> Self {
        Self::status(302).header("location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn without_length(mut self) -> Self {
        self.with_length = false;
        self
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

/// A server on a random port of 127.0.0.1. The handler gets the path (with query) and how many
/// times that path was asked for before.
pub struct TestServer {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    pub fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port on 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("a clonable stream"));
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let mut headers = HashMap::new();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                        }
                    }
                    let before = {
                        let mut log = log.lock().unwrap();
                        let before = log.iter().filter(|s| s.path == path).count();
                        log.push(Seen { path: path.clone(), headers });
                        before
                    };
                    let reply = handler(&path, before);
                    if reply.status == 0 {
                        return;
                    }
                    let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", reply.status);
                    for (name, value) in &reply.headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    if reply.with_length {
                        head.push_str(&format!("content-length: {}\r\n", reply.body.len()));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&reply.body);
                    let _ = stream.flush();
                });
            }
        });
        Self { port, seen }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many times `path` was asked for.
    pub fn hits(&self, path: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).count()
    }

    /// Every request, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The paths asked for, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.path).collect()
    }
}

/// Names the tests resolve: `shop.test` is this machine; `intranet.test` is a private address
/// (refused before any connection); `mixed.test` has a public and a metadata address.
pub fn lookup() -> Arc<StaticLookup> {
    let ip = |text: &str| text.parse::<IpAddr>().unwrap();
    Arc::new(
        StaticLookup::new()
            .with("shop.test", &[ip("127.0.0.1")])
            .with("intranet.test", &[ip("10.20.30.40")])
            .with("mixed.test", &[ip("127.0.0.1"), ip("169.254.169.254")]),
    )
}

/// A fetcher in local mode with fast retries and no spacing.
pub fn fetcher() -> Fetcher {
    fetcher_with(ScraperConfig::for_local_tests())
}

pub fn fetcher_with(config: ScraperConfig) -> Fetcher {
    Fetcher::builder(config).lookup(lookup()).build().expect("a fetcher")
}

pub fn cached_fetcher(cache: Arc<MemoryCache>) -> Fetcher {
    Fetcher::builder(ScraperConfig::for_local_tests())
        .lookup(lookup())
        .cache(cache)
        .build()
        .expect("a fetcher")
}

/// A robots.txt that allows everything.
pub fn no_robots(path: &str) -> Option<Reply> {
    (path == "/robots.txt").then(|| Reply::status(404))
}

/// A recorded page from `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", std::env::var("CARGO_MANIFEST_DIR").unwrap());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
