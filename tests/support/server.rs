//! `smes serve` as the end-to-end tests run it: the real binary on a port the system picks,
//! stopped when the value is dropped, and tokens made with `smes token create`.

// Shared by several test binaries; not all of them use every item.
#![allow(dead_code, reason = "each test file that includes this module uses only some of it")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::{smes, smes_binary, stderr, stdout};

/// A running `smes serve` on the log in a directory, stopped when dropped.
pub struct Server {
    child: Child,
    /// `host:port`, as the server printed it.
    pub address: String,
}

impl Server {
    /// Starts `smes serve --listen 127.0.0.1:0` in `dir` and reads the address it listens on.
    pub fn start(dir: &Path) -> Server {
        Self::start_with(dir, &[])
    }

    /// Starts `smes serve --listen 127.0.0.1:0` with more arguments (such as `--plain-http`).
    pub fn start_with(dir: &Path, arguments: &[&str]) -> Server {
        let mut child = Command::new(smes_binary())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(arguments)
            .current_dir(dir)
            .env_remove("SMES_DATABASE_URL")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("smes serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server { child, address }
    }

    /// `http://host:port`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// One HTTP/1.1 request; the status and the body as JSON.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let (_, body) = response.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new token made with `smes token create` in `dir`, as printed once.
pub fn token(dir: &Path, role: &str, name: &str) -> String {
    let output = smes(dir, &["token", "create", "--role", role, "--name", name]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).lines().next().unwrap().to_owned()
}
