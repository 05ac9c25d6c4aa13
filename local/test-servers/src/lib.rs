//! Local servers that speak real wire formats, for tests: each is spawned on a free loopback port,
//! waited for until its health URL answers, and killed when dropped. The PyPI tools (moto,
//! claude-local) come from the project's venv, installed by `local/tools.sh`.

use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A spawned server, killed on drop.
pub struct Server {
    child: Child,
    log: PathBuf,
    /// Its base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free loopback port").local_addr().unwrap().port()
}

/// A tool from the project's venv (`local/tools.sh`), or from `PATH`.
pub fn venv_tool(name: &str) -> Option<PathBuf> {
    let tools = std::env::var_os("DROPSHIP_TOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache/dropship/tools")));
    let in_venv = tools.map(|t| t.join("venv/bin").join(name)).filter(|p| p.is_file());
    in_venv.or_else(|| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
    })
}

impl Server {
    /// Spawns `command` (which must listen on `port`) and waits until `health` answers 200.
    pub fn spawn(mut command: Command, what: &str, health: &str, port: u16) -> Server {
        let log = std::env::temp_dir().join(format!("test-server-{port}.log"));
        let file = std::fs::File::create(&log).expect("a log file in the temp dir");
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {what}: {e}; install the tools with local/tools.sh"));
        Server {
            child,
            log,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap(),
        }
        .ready(what, health)
    }

    fn ready(mut self, what: &str, health: &str) -> Server {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}{health}", self.url);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("{what} exited with {status} before it was ready:\n{log}");
            }
            if answers_200(&url) {
                return self;
            }
            assert!(Instant::now() < deadline, "{what} did not answer {url} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `GET` a control endpoint's JSON.
    pub async fn get(&self, path: &str) -> Value {
        self.http.get(format!("{}{path}", self.url)).send().await.unwrap().json().await.unwrap()
    }

    /// `POST` JSON to a control endpoint.
    pub async fn post(&self, path: &str, body: &Value) {
        let response = self.http.post(format!("{}{path}", self.url)).json(body).send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }
}

/// A blocking health check over a raw HTTP/1.0 request, so readiness needs no async runtime.
fn answers_200(url: &str) -> bool {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let Ok(mut stream) = std::net::TcpStream::connect(host) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
}

/// moto's server on a free port, for DynamoDB.
pub fn moto() -> Server {
    let Some(binary) = venv_tool("moto_server") else {
        panic!("`moto_server` is not installed (PyPI moto[server]): run local/tools.sh");
    };
    let port = free_port();
    let mut command = Command::new(binary);
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    Server::spawn(command, "moto", "/moto-api/", port)
}

impl Server {
    /// A DynamoDB client of this moto, with a fresh table shaped like the pipelines' (hash key
    /// `pk`, range key `sk`).
    pub async fn dynamodb(&self, table: &str) -> aws_sdk_dynamodb::Client {
        use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap()
        };
        let key = |name: &str, kind| {
            KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap()
        };
        client
            .create_table()
            .table_name(table)
            .attribute_definitions(attribute("pk"))
            .attribute_definitions(attribute("sk"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("creating the table in moto");
        client
    }

    /// An S3 client of this moto (path-style, as against any emulator) with a fresh bucket.
    pub async fn s3(&self, bucket: &str) -> aws_sdk_s3::Client {
        use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .force_path_style(true)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        client.create_bucket().bucket(bucket).send().await.expect("creating the bucket in moto");
        client
    }
}
