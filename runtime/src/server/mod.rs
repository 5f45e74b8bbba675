//! The HTTP transport: `cairn serve`, an HTTP/1.1 server over the one seam
//! [`crate::api::dispatch()`].
//!
//! # Endpoints
//!
//! | method and path | answer |
//! |---|---|
//! | `POST /v1/<command>` | calls the op whose HTTP path it is ([`cairn_api_spec::Op::url_path`]: `database-exists?` is `/v1/database-exists`); only `:remote? true` ops |
//! | `OPTIONS /v1/<command>` | CORS preflight: 204 |
//! | `GET /openapi.json` | the OpenAPI 3.1 document, [`cairn_api_spec::Spec::openapi`] |
//! | `GET /health` | `{"status": "ok", "spec-hash": ..}` |
//!
//! The body of a call is its arguments: a JSON array (positional, in the
//! spec's order) or object (by argument name), read by the JSON wire rule
//! ([`crate::api::wire`]); with `Content-Type: application/edn` it is EDN
//! text instead. An empty body passes no arguments. Success answers 200 with
//! the result itself; the answer is EDN when the request was EDN or asks for
//! it (`Accept: application/edn`), JSON otherwise. Connections and database
//! values travel as the handles `connect`, `db`, `as-of`, ... return.
//!
//! A failure answers `{"kind": .., "message": .., "pos"?: .., "data"?: ..}`
//! ([`crate::api::error_value`]) with the HTTP status of the kind in the
//! spec's `:errors` table (400 `syntax` and usage errors, 404 `not-found`
//! and `lookup`, 409 `unique` and `conflict`, 422 `schema` and `type`, 500
//! `storage` and `other`). The transport adds 401 `unauthorized`, 403
//! `forbidden`, 404 for unknown paths and ops not served over HTTP (`with`,
//! `db-with`, `listen`, `unlisten`), 405 `method-not-allowed` and 413
//! `payload-too-large`.
//!
//! # Options ([`ServerOptions`])
//!
//! * a bearer token: every `/v1/` call must then carry
//!   `Authorization: Bearer <token>` (compared in constant time);
//!   `/openapi.json` and `/health` stay open;
//! * a body limit (16 MiB by default), checked against `Content-Length` and
//!   while reading;
//! * CORS origins (or `*`): preflights are answered and
//!   `Access-Control-Allow-Origin` is set for allowed origins; without any,
//!   no CORS header is sent;
//! * the number of worker threads.
//!
//! No input panics the server; a handler that panics anyway answers 500 and
//! the worker goes on.
//!
//! ```
//! use cairn::server::{Server, ServerOptions};
//!
//! let server = Server::bind(ServerOptions::default())?.spawn();  // port 0: a free port
//! let addr = server.addr();
//! assert!(addr.port() > 0);
//! server.shutdown();
//! # Ok::<(), cairn::Error>(())
//! ```

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use cairn_api_spec::{Op, Target};

use crate::api::{self, spec, wire};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// The default body limit: 16 MiB.
pub const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// How a [`Server`] listens and what it allows.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Interface to listen on (default `127.0.0.1`).
    pub host: String,
    /// Port; 0 picks a free one (see [`Server::addr`]).
    pub port: u16,
    /// Bearer token every `/v1/` call must carry; `None`: no authentication.
    pub token: Option<String>,
    /// Origins allowed by CORS (`*` for any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Largest accepted request body in bytes.
    pub max_body: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            host: "127.0.0.1".into(),
            port: 0,
            token: None,
            cors_origins: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
            threads: std::thread::available_parallelism()
                .map(|n| n.get().clamp(2, 16))
                .unwrap_or(4),
        }
    }
}

/// A bound HTTP server, not yet serving: [`Server::run`] serves on the
/// calling thread, [`Server::spawn`] in the background.
pub struct Server {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    opts: Arc<ServerOptions>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("threads", &self.opts.threads)
            .finish_non_exhaustive()
    }
}

/// Stops a running [`Server`] from any thread.
#[derive(Clone)]
pub struct ShutdownHandle {
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    threads: usize,
}

impl std::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("stopped", &self.stop.load(Ordering::SeqCst))
            .finish()
    }
}

impl ShutdownHandle {
    /// Asks the workers to stop: each one finishes the request it is
    /// serving and returns; [`Server::run`] then returns.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..self.threads {
            self.http.unblock();
        }
    }
}

/// A server serving in the background ([`Server::spawn`]); stopped by
/// [`RunningServer::shutdown`] or when dropped.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A handle that stops it from elsewhere.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Stops it and waits for the workers to finish.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl Server {
    /// Binds `opts.host:opts.port` (port 0 picks a free port).
    pub fn bind(opts: ServerOptions) -> Result<Server> {
        let listener = TcpListener::bind((opts.host.as_str(), opts.port)).map_err(|e| {
            Error::other(format!("Cannot listen on {}:{}: {e}", opts.host, opts.port))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::other(format!("Cannot read the bound address: {e}")))?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| Error::other(format!("Cannot start the HTTP server: {e}")))?;
        let mut opts = opts;
        opts.threads = opts.threads.max(1);
        Ok(Server {
            http: Arc::new(http),
            addr,
            opts: Arc::new(opts),
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The address it listens on (with the port picked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            http: self.http.clone(),
            stop: self.stop.clone(),
            threads: self.opts.threads,
        }
    }

    /// Serves on a pool of worker threads until [`ShutdownHandle::shutdown`].
    pub fn run(self) {
        std::thread::scope(|s| {
            for _ in 0..self.opts.threads {
                s.spawn(|| worker(&self.http, &self.opts, &self.stop));
            }
        });
    }

    /// Serves in the background; the returned value stops it.
    pub fn spawn(self) -> RunningServer {
        let addr = self.addr;
        let handle = self.shutdown_handle();
        let thread = std::thread::Builder::new()
            .name("cairn-server".into())
            .spawn(move || self.run())
            .ok();
        RunningServer {
            addr,
            handle,
            thread,
        }
    }
}

fn worker(http: &tiny_http::Server, opts: &ServerOptions, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match http.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(rq)) => serve(opts, rq),
            Ok(None) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// One answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn new(status: u16) -> Reply {
        Reply {
            status,
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    fn json_text(status: u16, text: String) -> Reply {
        Reply {
            body: text.into_bytes(),
            content_type: Some(JSON),
            ..Reply::new(status)
        }
    }

    fn value(status: u16, v: &Value, edn: bool) -> Reply {
        if edn {
            Reply {
                body: crate::edn::to_string(v).into_bytes(),
                content_type: Some(EDN),
                ..Reply::new(status)
            }
        } else {
            Reply::json_text(status, wire::to_json_string(v))
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
        // Whole bodies with a Content-Length, never chunked.
        let mut r = tiny_http::Response::from_data(self.body)
            .with_status_code(self.status)
            .with_chunked_threshold(usize::MAX);
        let mut add = |name: &str, value: &str| {
            if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                r.add_header(h);
            }
        };
        if let Some(ct) = self.content_type {
            add("Content-Type", ct);
        }
        for (n, v) in &self.headers {
            add(n, v);
        }
        r
    }
}

const JSON: &str = "application/json";
const EDN: &str = "application/edn";

/// A transport error (not one of the spec's kinds) as a reply.
fn transport_error(status: u16, kind: &str, message: impl Into<String>, edn: bool) -> Reply {
    let v = Value::map([
        (Value::kw("kind"), Value::str(kind)),
        (Value::kw("message"), Value::str(&message.into())),
    ]);
    Reply::value(status, &v, edn)
}

/// The HTTP status of an error kind: the spec's `:errors` table.
pub fn http_status(kind: ErrorKind) -> u16 {
    spec()
        .errors
        .iter()
        .find(|e| e.name == kind.as_str())
        .and_then(|e| u16::try_from(e.http_status).ok())
        .unwrap_or(500)
}

fn error_reply(e: &Error, edn: bool) -> Reply {
    Reply::value(http_status(e.kind), &api::error_value(e), edn)
}

/// The op served at `path`, if it is served over HTTP.
fn remote_op(path: &str) -> Option<&'static Op> {
    spec()
        .ops_for(Target::Http)
        .find(|op| op.remote && op.url_path() == path)
}

/// The OpenAPI document as served (and as the generators write it).
fn openapi_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        serde_json::to_string_pretty(&spec().openapi()).unwrap_or_else(|_| "{}".into())
    })
}

/// Compares two secrets in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..n {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// A request as the handler sees it.
struct Req<'a> {
    rq: &'a mut tiny_http::Request,
}

impl Req<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.rq
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The media types of a header (`Content-Type`, `Accept`), lowercased,
    /// without parameters.
    fn media(&self, name: &str) -> Vec<String> {
        self.header(name)
            .map(|v| {
                v.split(',')
                    .map(|m| {
                        m.split(';')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_ascii_lowercase()
                    })
                    .filter(|m| !m.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Declared request bodies longer than this (and than the body limit) are
/// never drained. tiny_http 0.12 drains the unread rest of a body when the
/// request is dropped, into one buffer as large as the declared rest: with
/// a `Content-Length` of a terabyte that allocation fails and aborts the
/// process. Such a request is answered and its connection abandoned
/// instead (see [`serve`]).
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Serves one request; never panics, never kills the worker.
fn serve(opts: &ServerOptions, mut rq: tiny_http::Request) {
    let reply = catch_unwind(AssertUnwindSafe(|| handle(opts, &mut Req { rq: &mut rq })))
        .unwrap_or_else(|_| {
            transport_error(500, "other", "Internal error: the handler panicked", false)
        });
    // A body longer than the limit is never read (the reply is a 413 or an
    // earlier refusal); past DRAIN_LIMIT it must not be drained either.
    let undrainable = rq
        .body_length()
        .is_some_and(|n| n as u64 > opts.max_body.max(DRAIN_LIMIT));
    let _ = catch_unwind(AssertUnwindSafe(move || {
        if undrainable {
            // `upgrade` writes the reply and hands over the connection
            // without dropping the body reader; forgetting it abandons the
            // connection (it stays open until the process ends) rather
            // than letting tiny_http allocate the declared length.
            let stream = rq.upgrade("close", reply.into_response());
            std::mem::forget(stream);
        } else {
            // Responding drops the request, which drains what is left of
            // its body (at most DRAIN_LIMIT or the body limit).
            let _ = rq.respond(reply.into_response());
        }
    }));
}

fn handle(opts: &ServerOptions, req: &mut Req<'_>) -> Reply {
    let reply = route(opts, req);
    with_cors(opts, req, reply)
}

/// Adds the CORS headers for an allowed origin.
fn with_cors(opts: &ServerOptions, req: &Req<'_>, reply: Reply) -> Reply {
    let Some(origin) = req.header("Origin") else {
        return reply;
    };
    if opts.cors_origins.iter().any(|o| o == "*") {
        reply.header("Access-Control-Allow-Origin", "*")
    } else if opts.cors_origins.iter().any(|o| o == origin) {
        reply
            .header("Access-Control-Allow-Origin", origin)
            .header("Vary", "Origin")
    } else {
        reply
    }
}

fn route(opts: &ServerOptions, req: &mut Req<'_>) -> Reply {
    let url = req.rq.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let method = req.rq.method().clone();
    let accept = req.media("Accept");
    let wants_edn = accept.iter().any(|m| m == EDN);
    use tiny_http::Method;
    match path {
        "/health" | "/openapi.json" => {
            if !matches!(method, Method::Get | Method::Head) {
                return transport_error(
                    405,
                    "method-not-allowed",
                    format!("{path} answers GET"),
                    wants_edn,
                )
                .header("Allow", "GET, HEAD");
            }
            if path == "/openapi.json" {
                Reply::json_text(200, openapi_text().to_string())
            } else {
                let v = Value::map([
                    (Value::kw("status"), Value::str("ok")),
                    (Value::kw("spec-hash"), Value::str(&spec().hash())),
                    (Value::kw("version"), Value::str(env!("CARGO_PKG_VERSION"))),
                ]);
                Reply::value(200, &v, wants_edn)
            }
        }
        p if p.starts_with("/v1/") => call(opts, req, p, &method, wants_edn),
        _ => transport_error(
            404,
            "not-found",
            format!(
                "No such endpoint: {path}; operations are POST /v1/<command>, see /openapi.json"
            ),
            wants_edn,
        ),
    }
}

fn call(
    opts: &ServerOptions,
    req: &mut Req<'_>,
    path: &str,
    method: &tiny_http::Method,
    wants_edn: bool,
) -> Reply {
    use tiny_http::Method;
    if *method == Method::Options {
        let r = Reply::new(204).header("Allow", "POST, OPTIONS");
        let allowed = req
            .header("Origin")
            .is_some_and(|o| opts.cors_origins.iter().any(|c| c == "*" || c == o));
        return if allowed {
            r.header("Access-Control-Allow-Methods", "POST, OPTIONS")
                .header(
                    "Access-Control-Allow-Headers",
                    "Content-Type, Authorization, Accept",
                )
                .header("Access-Control-Max-Age", "600")
        } else {
            r
        };
    }
    if let Some(token) = &opts.token {
        let given = req.header("Authorization").and_then(|h| {
            let (scheme, rest) = h.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        });
        match given {
            None => {
                return transport_error(
                    401,
                    "unauthorized",
                    "This server requires Authorization: Bearer <token>",
                    wants_edn,
                )
                .header("WWW-Authenticate", "Bearer");
            }
            Some(t) if !constant_time_eq(t.as_bytes(), token.as_bytes()) => {
                return transport_error(
                    403,
                    "forbidden",
                    "The bearer token is not valid",
                    wants_edn,
                );
            }
            Some(_) => {}
        }
    }
    let Some(op) = remote_op(path) else {
        let name = &path["/v1/".len()..];
        let why = match spec().ops.iter().find(|o| o.cli_name() == name) {
            Some(o) => format!("{} is not served over HTTP (it is not :remote?)", o.name),
            None => format!("Unknown operation {name}; see /openapi.json"),
        };
        return transport_error(404, "not-found", why, wants_edn);
    };
    if *method != Method::Post {
        return transport_error(
            405,
            "method-not-allowed",
            format!("{path} answers POST"),
            wants_edn,
        )
        .header("Allow", "POST, OPTIONS");
    }
    let request_edn = req.media("Content-Type").iter().any(|m| m == EDN);
    let accept = req.media("Accept");
    let edn = wants_edn || (request_edn && !accept.iter().any(|m| m == JSON));
    let too_large = || {
        transport_error(
            413,
            "payload-too-large",
            format!("The request body is larger than {} bytes", opts.max_body),
            edn,
        )
    };
    if req
        .rq
        .body_length()
        .is_some_and(|n| n as u64 > opts.max_body)
    {
        return too_large();
    }
    let mut body = Vec::new();
    if let Err(e) = req
        .rq
        .as_reader()
        .take(opts.max_body.saturating_add(1))
        .read_to_end(&mut body)
    {
        return transport_error(
            400,
            "syntax",
            format!("Cannot read the request body: {e}"),
            edn,
        );
    }
    if body.len() as u64 > opts.max_body {
        return too_large();
    }
    let args = match parse_args(&body, request_edn) {
        Ok(a) => a,
        Err(e) => return error_reply(&e, edn),
    };
    match api::dispatch(&op.name, &args) {
        Ok(v) => Reply::value(200, &v, edn),
        Err(e) => error_reply(&e, edn),
    }
}

/// The arguments of a call from its body (empty: none).
fn parse_args(body: &[u8], edn: bool) -> Result<Value> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::syntax(format!("The request body is not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Ok(Value::Nil);
    }
    if edn {
        crate::edn::read(text)
    } else {
        wire::from_json_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn statuses_follow_the_spec_table() {
        assert_eq!(http_status(ErrorKind::Syntax), 400);
        assert_eq!(http_status(ErrorKind::Schema), 422);
        assert_eq!(http_status(ErrorKind::Type), 422);
        assert_eq!(http_status(ErrorKind::Unique), 409);
        assert_eq!(http_status(ErrorKind::NotFound), 404);
        assert_eq!(http_status(ErrorKind::Storage), 500);
    }

    #[test]
    fn non_remote_ops_are_not_served() {
        for op in ["with", "db-with", "listen", "unlisten"] {
            assert!(remote_op(&format!("/v1/{op}")).is_none(), "{op}");
        }
        assert_eq!(
            remote_op("/v1/database-exists").map(|o| o.name.as_str()),
            Some("database-exists?")
        );
    }
}
