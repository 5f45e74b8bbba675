//! The HTTP transport as a client sees it: an in-process server on a free
//! port spoken to over raw HTTP/1.1 (std `TcpStream`), and the real `cairn
//! serve` binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use cairn::Value;
use cairn::server::{RunningServer, Server, ServerOptions};

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
    fn kind(&self) -> String {
        self.json()["kind"].as_str().unwrap_or("").to_string()
    }
}

/// Sends one request (raw bytes after the headers) and reads the answer.
fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and stop reading) before the body is sent.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_string(),
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    raw(addr, &head, body.as_bytes())
}

fn post(addr: SocketAddr, op: &str, body: &str) -> Resp {
    request(addr, "POST", &format!("/v1/{op}"), &[], body)
}

/// Posts and expects 200; the JSON answer.
fn ok(addr: SocketAddr, op: &str, body: &str) -> serde_json::Value {
    let r = post(addr, op, body);
    assert_eq!(r.status, 200, "{op} {body}: {}", r.body);
    r.json()
}

fn start(opts: ServerOptions) -> RunningServer {
    Server::bind(opts).unwrap().spawn()
}

fn cfg(id: &str) -> String {
    format!(r#"{{"store": {{"backend": ":memory", "id": "{id}"}}}}"#)
}

const SCHEMA: &str = r#"[{"db/ident": ":name", "db/valueType": ":db.type/string", "db/cardinality": ":db.cardinality/one", "db/unique": ":db.unique/identity"},
  {"db/ident": ":email", "db/valueType": ":db.type/string", "db/cardinality": ":db.cardinality/one", "db/unique": ":db.unique/value"},
  {"db/ident": ":age", "db/valueType": ":db.type/long", "db/cardinality": ":db.cardinality/one"}]"#;

/// A fresh database with the schema; its connection handle as JSON text.
fn fresh(addr: SocketAddr, id: &str) -> String {
    ok(addr, "create-database", &format!("[{}]", cfg(id)));
    let conn = ok(addr, "connect", &format!("[{}]", cfg(id))).to_string();
    ok(
        addr,
        "transact",
        &format!(r#"{{"conn": {conn}, "tx-input": {SCHEMA}}}"#),
    );
    conn
}

#[test]
fn json_round_trip_with_handles() {
    let server = start(ServerOptions::default());
    let addr = server.addr();
    assert_eq!(
        ok(addr, "database-exists", &format!("[{}]", cfg("http-rt"))),
        false
    );
    let conn = fresh(addr, "http-rt");
    assert_eq!(
        ok(
            addr,
            "database-exists",
            &format!(r#"{{"config": {}}}"#, cfg("http-rt"))
        ),
        true
    );
    let report = ok(
        addr,
        "transact",
        &format!(r#"[{conn}, [{{"db/id": "ivan", "name": "Ivan", "age": 9007199254740993}}]]"#),
    );
    let ivan = report["tempids"]["ivan"].as_i64().unwrap();
    let db = ok(addr, "db", &format!("[{conn}]")).to_string();
    let q = ok(
        addr,
        "q",
        &format!(
            r#"{{"query": "[:find ?a . :in $ ?n :where [?e :name ?n] [?e :age ?a]]", "args": [{db}, "Ivan"]}}"#
        ),
    );
    // Beyond 2^53: exact in both directions.
    assert_eq!(q.to_string(), "9007199254740993");
    let pulled = ok(
        addr,
        "pull",
        &format!(r#"[{db}, [":name", ":age"], {ivan}]"#),
    );
    assert_eq!(pulled["name"], "Ivan");
    assert_eq!(pulled["age"].as_u64(), Some(9007199254740993));
    let r = post(
        addr,
        "pull",
        &format!(r#"[{db}, [":name", ":age"], {ivan}]"#),
    );
    assert!(r.body.contains("9007199254740993"), "{}", r.body);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    // No arguments at all is a usage error, not a crash.
    let r = post(addr, "q", "");
    assert_eq!(r.status, 400, "{}", r.body);
    ok(addr, "release", &format!("[{conn}]"));
    assert!(ok(addr, "delete-database", &format!("[{}]", cfg("http-rt"))).is_null());
    server.shutdown();
}

#[test]
fn edn_requests_and_answers() {
    let server = start(ServerOptions::default());
    let addr = server.addr();
    let edn = [("Content-Type", "application/edn")];
    let c = r#"{:store {:backend :memory :id "http-edn"}}"#;
    let r = request(addr, "POST", "/v1/create-database", &edn, &format!("[{c}]"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Content-Type"), Some("application/edn"));
    let r = request(addr, "POST", "/v1/connect", &edn, &format!("[{c}]"));
    let conn = r.body.clone();
    assert!(conn.starts_with("{:cairn/connection"), "{conn}");
    let r = request(
        addr,
        "POST",
        "/v1/transact",
        &edn,
        &format!(
            "[{conn} [{{:db/ident :color :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}}]]"
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = request(
        addr,
        "POST",
        "/v1/transact",
        &edn,
        &format!("{{:conn {conn} :tx-input [{{:color :red}}]}}"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = request(
        addr,
        "POST",
        "/v1/q",
        &edn,
        &format!("[[:find [?c ...] :where [_ :color ?c]] [{conn}]]"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        cairn::edn::read(&r.body).unwrap(),
        cairn::edn::read("[:red]").unwrap()
    );
    // JSON in, EDN out when asked.
    let r = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Accept", "application/edn")],
        &format!("[{}]", cfg("http-edn")),
    );
    assert_eq!((r.status, r.body.as_str()), (200, "true"));
    // An EDN error answer.
    let r = request(addr, "POST", "/v1/q", &edn, "[:find");
    assert_eq!(r.status, 400);
    let e = cairn::edn::read(&r.body).unwrap();
    assert_eq!(e.get_kw("kind"), Some(&Value::str("syntax")));
    server.shutdown();
}

#[test]
fn every_error_status() {
    let server = start(ServerOptions {
        max_body: 4096,
        ..ServerOptions::default()
    });
    let addr = server.addr();
    let conn = fresh(addr, "http-errors");
    // syntax: bad JSON, bad query, garbage, wrong arguments.
    for body in [
        "[1,",
        "{",
        "garbage",
        "\u{0}\u{1}",
        "[\"[:find ?x :where\"]",
    ] {
        let r = post(addr, "q", body);
        assert_eq!(
            (r.status, r.kind()),
            (400, "syntax".into()),
            "{body}: {}",
            r.body
        );
    }
    let r = raw(
        addr,
        "POST /v1/q HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 4\r\n\r\n",
        &[0xff, 0xfe, 0x00, 0x80],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = post(addr, "transact", r#"{"tx-input": []}"#);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("missing argument conn"), "{}", r.body);
    let r = post(addr, "q", "42");
    assert_eq!(r.status, 400, "{}", r.body);
    // schema: an unknown attribute; type: a value of the wrong type.
    let r = post(addr, "transact", &format!(r#"[{conn}, [{{"nope": 1}}]]"#));
    assert_eq!((r.status, r.kind()), (422, "schema".into()), "{}", r.body);
    let r = post(
        addr,
        "transact",
        &format!(r#"[{conn}, [{{"age": "old"}}]]"#),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    // unique: a second entity with a unique value.
    ok(
        addr,
        "transact",
        &format!(r#"[{conn}, [{{"email": "a@x"}}]]"#),
    );
    let r = post(
        addr,
        "transact",
        &format!(r#"[{conn}, [{{"email": "a@x"}}]]"#),
    );
    assert_eq!((r.status, r.kind()), (409, "unique".into()), "{}", r.body);
    // not-found: a database that does not exist; unknown and non-remote ops.
    let r = post(addr, "connect", &format!("[{}]", cfg("http-missing")));
    assert_eq!(
        (r.status, r.kind()),
        (404, "not-found".into()),
        "{}",
        r.body
    );
    for path in [
        "/v1/nope",
        "/v1/with",
        "/v1/db-with",
        "/v1/listen",
        "/v1/unlisten",
        "/nope",
        "/",
    ] {
        let r = request(addr, "POST", path, &[], "[]");
        assert_eq!(
            (r.status, r.kind()),
            (404, "not-found".into()),
            "{path}: {}",
            r.body
        );
    }
    // Wrong method.
    for m in ["GET", "PUT", "DELETE"] {
        let r = request(addr, m, "/v1/q", &[], "");
        assert_eq!(r.status, 405, "{m}");
        assert_eq!(r.header("Allow"), Some("POST, OPTIONS"));
    }
    // Too large: by Content-Length, and while reading a chunked body.
    let big = format!("[\"{}\"]", "x".repeat(5000));
    let r = post(addr, "q", &big);
    assert_eq!(
        (r.status, r.kind()),
        (413, "payload-too-large".into()),
        "{}",
        r.body
    );
    let chunk = "y".repeat(3000);
    let chunked = format!(
        "{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        3000, 3000
    );
    let r = raw(
        addr,
        "POST /v1/q HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked.as_bytes(),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // The server is still up.
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    server.shutdown();
}

#[test]
fn bearer_token() {
    let server = start(ServerOptions {
        token: Some("s3cret".into()),
        ..ServerOptions::default()
    });
    let addr = server.addr();
    let body = format!("[{}]", cfg("http-auth"));
    let r = request(addr, "POST", "/v1/database-exists", &[], &body);
    assert_eq!((r.status, r.kind()), (401, "unauthorized".into()));
    assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"));
    let r = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Authorization", "Bearer nope")],
        &body,
    );
    assert_eq!((r.status, r.kind()), (403, "forbidden".into()));
    let r = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Authorization", "Bearer s3cret")],
        &body,
    );
    assert_eq!((r.status, r.body.as_str()), (200, "false"));
    // Open endpoints.
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    assert_eq!(request(addr, "GET", "/openapi.json", &[], "").status, 200);
    server.shutdown();
}

#[test]
fn cors() {
    let server = start(ServerOptions {
        cors_origins: vec!["https://app.example".into()],
        ..ServerOptions::default()
    });
    let addr = server.addr();
    let pre = request(
        addr,
        "OPTIONS",
        "/v1/q",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        "",
    );
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("Access-Control-Allow-Origin"),
        Some("https://app.example")
    );
    assert_eq!(
        pre.header("Access-Control-Allow-Methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        pre.header("Access-Control-Allow-Headers"),
        Some("Content-Type, Authorization, Accept")
    );
    let r = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Origin", "https://app.example")],
        &format!("[{}]", cfg("http-cors")),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Access-Control-Allow-Origin"),
        Some("https://app.example")
    );
    let other = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Origin", "https://evil.example")],
        &format!("[{}]", cfg("http-cors")),
    );
    assert_eq!(other.header("Access-Control-Allow-Origin"), None);
    server.shutdown();

    // Without --cors-origin there are no CORS headers; with * any origin.
    let plain = start(ServerOptions::default());
    let r = request(
        plain.addr(),
        "OPTIONS",
        "/v1/q",
        &[("Origin", "https://app.example")],
        "",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("Access-Control-Allow-Origin"), None);
    assert_eq!(r.header("Access-Control-Allow-Methods"), None);
    plain.shutdown();
    let any = start(ServerOptions {
        cors_origins: vec!["*".into()],
        ..ServerOptions::default()
    });
    let r = request(
        any.addr(),
        "GET",
        "/health",
        &[("Origin", "https://x.example")],
        "",
    );
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"));
    any.shutdown();
}

#[test]
fn openapi_and_health() {
    let server = start(ServerOptions::default());
    let addr = server.addr();
    let r = request(addr, "GET", "/openapi.json", &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), cairn::api::spec().openapi());
    let h = request(addr, "GET", "/health", &[], "").json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["spec-hash"], cairn::api::spec().hash());
    assert_eq!(request(addr, "POST", "/health", &[], "").status, 405);
    server.shutdown();
}

#[test]
fn garbage_requests_do_not_stop_the_server() {
    let server = start(ServerOptions::default());
    let addr = server.addr();
    for junk in [
        &b"\x00\x01\x02\r\n\r\n"[..],
        b"GARBAGE\r\n\r\n",
        b"POST /v1/q HTTP/1.1\r\nContent-Length: nope\r\n\r\n[]",
        b"POST /v1/q HTTP/9.9\r\n\r\n",
        b"POST /v1/q HTTP/1.1\r\nContent-Length: 10\r\n\r\n[1",
    ] {
        if let Ok(mut s) = TcpStream::connect(addr) {
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let _ = s.write_all(junk);
            let _ = s.shutdown(std::net::Shutdown::Write);
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
    }
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    server.shutdown();
}

#[test]
fn the_cairn_serve_binary() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn-under-test"))
        .args([
            "serve",
            "--port",
            "0",
            "--threads",
            "2",
            "--header-timeout",
            "0.5",
            "--max-connections",
            "8",
        ])
        .env("CAIRN_SERVER_TOKEN", "tok")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cairn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr: SocketAddr = url.parse().unwrap();
    let body = format!("[{}]", cfg("http-bin"));
    let r = request(addr, "POST", "/v1/database-exists", &[], &body);
    assert_eq!(r.status, 401);
    let r = request(
        addr,
        "POST",
        "/v1/database-exists",
        &[("Authorization", "Bearer tok")],
        &body,
    );
    assert_eq!((r.status, r.body.as_str()), (200, "false"));
    // --header-timeout 0.5: a stalled head is closed well before the 10 s default.
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled.write_all(b"POST /v1/q HTTP/1.1\r\nHo").unwrap();
    let (_, took) = read_until_closed(&mut stalled);
    assert!(took < Duration::from_secs(8), "closed after {took:?}");
    child.kill().unwrap();
    child.wait().unwrap();

    // Bad limits are refused before listening, naming the flag.
    for (flag, value) in [
        ("--max-connections", "0"),
        ("--body-timeout", "-1"),
        ("--header-timeout", "nan"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cairn-under-test"))
            .args(["serve", "--port", "0", &format!("{flag}={value}")])
            .output()
            .expect("run cairn serve");
        assert!(!out.status.success(), "{flag} {value} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag.trim_start_matches('-')), "{flag}: {err}");
    }
}

/// Reads until the server closes the connection (EOF or reset); what was
/// read and how long it took. Panics if it stays open for 20 s.
fn read_until_closed(s: &mut TcpStream) -> (String, Duration) {
    let t0 = std::time::Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!(
                    "the connection is still open after {:?}; read {:?}",
                    t0.elapsed(),
                    String::from_utf8_lossy(&out)
                )
            }
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&out).to_string(), t0.elapsed())
}

#[test]
fn a_huge_declared_body_is_refused_unread() {
    let server = start(ServerOptions {
        max_body: 4096,
        ..ServerOptions::default()
    });
    let addr = server.addr();
    // A terabyte declared, a few bytes sent, the connection left open by
    // the client: 413 at once, and the server closes the connection.
    for _ in 0..50 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"POST /v1/q HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n[1,2",
        )
        .unwrap();
        let (text, _) = read_until_closed(&mut s);
        assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
        assert!(text.contains("payload-too-large"), "{text}");
        assert!(
            text.to_ascii_lowercase().contains("connection: close"),
            "{text}"
        );
        assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    }
    // The same through the ordinary helper, and on a path that does not
    // read bodies at all.
    let r = raw(
        addr,
        "POST /v1/q HTTP/1.1\r\nHost: t\r\nContent-Length: 1099511627776\r\n\r\n",
        b"[]",
    );
    assert_eq!((r.status, r.kind()), (413, "payload-too-large".into()));
    let r = raw(
        addr,
        "POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 1099511627776\r\n\r\n",
        b"[]",
    );
    assert_eq!(r.status, 405);
    // Still serving calls.
    assert!(ok(addr, "database-exists", &format!("[{}]", cfg("http-huge"))) == false);
    server.shutdown();
}

#[test]
fn a_chunked_body_over_the_limit_is_refused() {
    let server = start(ServerOptions {
        max_body: 4096,
        ..ServerOptions::default()
    });
    let addr = server.addr();
    // Without `Connection: close`: the server closes the connection after
    // its 413, without waiting for the rest of the body.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"POST /v1/q HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = "z".repeat(1000);
    for _ in 0..5 {
        let _ = s.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    let (text, _) = read_until_closed(&mut s);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    // A chunked body within the limit is read.
    let body = format!("[{}]", cfg("http-chunked"));
    let chunked = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
    let r = raw(
        addr,
        "POST /v1/database-exists HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked.as_bytes(),
    );
    assert_eq!((r.status, r.body.as_str()), (200, "false"));
    server.shutdown();
}

#[test]
fn a_stalled_request_head_is_dropped() {
    let server = start(ServerOptions {
        header_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    });
    let addr = server.addr();
    // A partial header line, then nothing.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"POST /v1/q HTTP/1.1\r\nHost: t\r\nX-Slow: aaa")
        .unwrap();
    let (_, took) = read_until_closed(&mut s);
    assert!(took < Duration::from_secs(10), "{took:?}");
    // A connection that sends nothing at all.
    let mut s = TcpStream::connect(addr).unwrap();
    let (text, _) = read_until_closed(&mut s);
    assert!(!text.contains("200"), "{text}");
    // A kept-alive connection: two answers, each with its Content-Length,
    // then closed once idle.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (text, _) = read_until_closed(&mut s);
    assert_eq!(text.matches("HTTP/1.1 200 ").count(), 2, "{text}");
    assert_eq!(
        text.to_ascii_lowercase().matches("content-length:").count(),
        2
    );
    assert!(!text.to_ascii_lowercase().contains("chunked"), "{text}");
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    server.shutdown();
}

#[test]
fn a_stalled_body_is_dropped() {
    let server = start(ServerOptions {
        body_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    });
    let addr = server.addr();
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"POST /v1/q HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n[\"[:find")
        .unwrap();
    let (text, took) = read_until_closed(&mut s);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("request-timeout"), "{text}");
    // A chunked body that stops mid-way.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(
        b"POST /v1/q HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n",
    )
    .unwrap();
    let (text, _) = read_until_closed(&mut s);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    server.shutdown();
}

#[test]
fn connections_are_capped() {
    let server = start(ServerOptions {
        max_connections: 1,
        header_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    });
    let addr = server.addr();
    // The one slot is taken by a silent client; the next request waits for
    // it to be dropped by the header timeout, then is served.
    let silent = TcpStream::connect(addr).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let t0 = std::time::Instant::now();
    assert_eq!(request(addr, "GET", "/health", &[], "").status, 200);
    // It cannot have been served before the silent one was dropped.
    assert!(
        t0.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t0.elapsed()
    );
    drop(silent);
    server.shutdown();
}

#[test]
fn shutdown_is_prompt_with_idle_connections() {
    let server = start(ServerOptions::default());
    let addr = server.addr();
    let mut kept = TcpStream::connect(addr).unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 1024];
    assert!(kept.read(&mut buf).unwrap() > 0);
    let _idle = TcpStream::connect(addr).unwrap();
    let t0 = std::time::Instant::now();
    server.shutdown();
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    // Closed on the server's side.
    let (_, took) = read_until_closed(&mut kept);
    assert!(took < Duration::from_secs(10));
    assert!(TcpStream::connect(addr).is_err() || request_fails(addr));
}

/// Whether a request to `addr` gets no answer.
fn request_fails(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return true;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out.is_empty()
}
