//! Local servers that speak real wire formats, each spawned on a free loopback port and killed
//! when dropped: `claude-local` (PyPI `localstack-claude`) for Anthropic, `openai_stub.py`
//! (stdlib Python) for OpenAI-compatible chat completions, and moto for DynamoDB; the PyPI
//! tools are installed by `local/tools.sh`.

use std::path::Path;
use std::process::Command;
use test_servers::{free_port, venv_tool};
pub use test_servers::{moto, Server};

/// `claude-local` on a free port, with the static backend.
pub fn claude_local() -> Server {
    let Some(binary) = venv_tool("claude-local") else {
        panic!(
            "`claude-local` is not installed (PyPI localstack-claude==0.1.0): run local/tools.sh, \
             or ~/.cache/dropship/tools/venv/bin/pip install localstack-claude==0.1.0"
        );
    };
    let port = free_port();
    let mut command = Command::new(binary);
    command
        .env("CLAUDE_HOST", "127.0.0.1")
        .env("CLAUDE_PORT", port.to_string())
        .env("CLAUDE_LOCAL_BACKEND", "static")
        .env_remove("CLAUDE_LOCAL_RESPONSE");
    Server::spawn(command, "claude-local", "/_claude/health", port)
}

/// The OpenAI-compatible stub on a free port.
pub fn openai_stub() -> Server {
    let script = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("tests/wire/openai_stub.py");
    let python = venv_tool("python3").unwrap_or_else(|| {
        panic!("python3 is needed for the OpenAI-compatible stub: install Python 3, then run local/tools.sh")
    });
    let port = free_port();
    let mut command = Command::new(python);
    command.arg(script).arg(port.to_string());
    Server::spawn(command, "the OpenAI stub", "/_stub/health", port)
}
