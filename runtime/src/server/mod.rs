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
//! values travel as the handles `connect`, `db`, `as-of`, ... return. Every
//! answer is a whole body with a `Content-Length` (never chunked).
//!
//! A failure answers `{"kind": .., "message": .., "pos"?: .., "data"?: ..}`
//! ([`crate::api::error_value`]) with the HTTP status of the kind in the
//! spec's `:errors` table (400 `syntax` and usage errors, 404 `not-found`
//! and `lookup`, 409 `unique` and `conflict`, 422 `schema` and `type`, 500
//! `storage` and `other`). The transport adds 401 `unauthorized`, 403
//! `forbidden`, 404 for unknown paths and ops not served over HTTP (`with`,
//! `db-with`, `listen`, `unlisten`), 405 `method-not-allowed`, 408
//! `request-timeout` and 413 `payload-too-large`.
//!
//! # Options ([`ServerOptions`])
//!
//! * a bearer token: every `/v1/` call must then carry
//!   `Authorization: Bearer <token>` (compared in constant time);
//!   `/openapi.json` and `/health` stay open;
//! * a body limit (16 MiB by default, [`DEFAULT_MAX_BODY`]). A request that
//!   declares a longer `Content-Length` is answered 413 at once, without
//!   reading its body, and its connection is closed (`Connection: close`);
//!   a chunked body is counted while it is read and answered 413 (and its
//!   connection closed) as soon as it passes the limit. Nothing is ever
//!   allocated in proportion to a declared length;
//! * CORS origins (or `*`): preflights are answered and
//!   `Access-Control-Allow-Origin` is set for allowed origins; without any,
//!   no CORS header is sent;
//! * the number of threads: the async workers that do the network I/O, and
//!   separately at most that many calls running at once (each call is
//!   synchronous and may wait on the disk, so it runs on a blocking thread,
//!   never on an I/O worker; more calls wait in a queue);
//! * timeouts against slow or stalled clients:
//!   - the *header timeout* (10 s by default) runs from the moment a
//!     connection waits for a request, when it opens or after its previous
//!     answer, until the whole request head has arrived; a client that has
//!     not sent one by then is disconnected. It is also the idle timeout of
//!     kept-alive connections;
//!   - the *body timeout* (30 s by default) bounds the reading of a whole
//!     request body: past it the call is answered 408 `request-timeout`
//!     and the connection closed;
//!   - a client that stops reading its answer for 30 s is disconnected;
//! * a cap on open connections (1024 by default): past it new connections
//!   wait in the listen backlog until one closes, so a flood cannot exhaust
//!   the process's file descriptors.
//!
//! Shutting down ([`ShutdownHandle::shutdown`]) stops accepting, closes idle
//! connections, lets the requests in flight finish for up to 5 s and then
//! drops what is left.
//!
//! No input panics the server; a handler that panics anyway answers 500 and
//! the server goes on.
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

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use cairn_api_spec::{Op, Target};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Semaphore, watch};

use crate::api::{self, spec, wire};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// The default body limit: 16 MiB.
pub const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// The default [`ServerOptions::header_timeout`]: 10 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default [`ServerOptions::body_timeout`]: 30 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The default [`ServerOptions::max_connections`]: 1024.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How long an answer may wait for its client to read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest timeout honoured (longer ones are cut to it): a year.
const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// How long a shutdown waits for the requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

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
    /// Largest accepted request body in bytes: a longer declared
    /// `Content-Length` is refused (413) without reading the body, and a
    /// chunked body is refused as soon as it grows past it.
    pub max_body: u64,
    /// Threads (at least 1): the async workers that do the network I/O, and
    /// the most calls that run at once, each on a blocking thread of its own
    /// (the rest wait in a queue).
    pub threads: usize,
    /// How long a connection may take to send a whole request head, from
    /// when it opens or from the previous answer on it; past it the
    /// connection is closed. It is therefore also the idle timeout of
    /// kept-alive connections. Default [`DEFAULT_HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// How long reading a whole request body may take; past it the call is
    /// answered 408 and the connection closed. Default
    /// [`DEFAULT_BODY_TIMEOUT`].
    pub body_timeout: Duration,
    /// The most connections open at once (at least 1); further ones wait
    /// in the listen backlog. Default [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
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
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// A bound HTTP server, not yet serving: [`Server::run`] serves on the
/// calling thread, [`Server::spawn`] in the background.
pub struct Server {
    /// Always `Some` until [`Server::run`] or drop takes it.
    rt: Option<tokio::runtime::Runtime>,
    listener: Option<tokio::net::TcpListener>,
    addr: SocketAddr,
    opts: Arc<ServerOptions>,
    stop: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("threads", &self.opts.threads)
            .finish_non_exhaustive()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never blocks, so a server dropped unused inside an async context
        // does not panic.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Stops a running [`Server`] from any thread.
#[derive(Clone)]
pub struct ShutdownHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("stopped", &*self.stop.borrow())
            .finish()
    }
}

impl ShutdownHandle {
    /// Asks the server to stop: it stops accepting connections, closes the
    /// idle ones and lets the requests in flight finish (for up to 5 s);
    /// [`Server::run`] then returns.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
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

    /// Stops it and waits for it to finish (a few seconds at most).
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
        let mut opts = opts;
        opts.threads = opts.threads.max(1);
        opts.max_connections = opts.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        // (hyper adds the header timeout to an `Instant`: keep it finite.)
        opts.header_timeout = opts.header_timeout.min(MAX_TIMEOUT);
        opts.body_timeout = opts.body_timeout.min(MAX_TIMEOUT);
        let listener =
            std::net::TcpListener::bind((opts.host.as_str(), opts.port)).map_err(|e| {
                Error::other(format!("Cannot listen on {}:{}: {e}", opts.host, opts.port))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::other(format!("Cannot read the bound address: {e}")))?;
        let cannot_start =
            |e: std::io::Error| Error::other(format!("Cannot start the HTTP server: {e}"));
        listener.set_nonblocking(true).map_err(cannot_start)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.threads)
            .max_blocking_threads(opts.threads)
            .thread_name("cairn-server")
            .enable_io()
            .enable_time()
            .build()
            .map_err(cannot_start)?;
        let listener = {
            let _in_rt = rt.enter();
            tokio::net::TcpListener::from_std(listener)
        };
        let listener = match listener {
            Ok(l) => l,
            Err(e) => {
                // (Dropping a runtime blocks, which panics in async code.)
                rt.shutdown_background();
                return Err(cannot_start(e));
            }
        };
        Ok(Server {
            rt: Some(rt),
            listener: Some(listener),
            addr,
            opts: Arc::new(opts),
            stop: Arc::new(watch::channel(false).0),
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
            stop: self.stop.clone(),
        }
    }

    /// Serves until [`ShutdownHandle::shutdown`], blocking the calling
    /// thread (on a thread of its own when called from async code).
    pub fn run(mut self) {
        let (Some(rt), Some(listener)) = (self.rt.take(), self.listener.take()) else {
            return;
        };
        let opts = self.opts.clone();
        let stop = self.stop.subscribe();
        let serve = move || {
            rt.block_on(serve(listener, opts, stop));
            // Calls still running past the grace period are left to finish
            // on their own.
            rt.shutdown_timeout(Duration::from_millis(500));
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // `block_on` may not nest in another runtime.
            let _ = std::thread::scope(|s| s.spawn(serve).join());
        } else {
            serve();
        }
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

/// Resolves to `fut`'s output, or to `None` once `stop` turns true (or its
/// sender is gone).
async fn unless_stopped<F: Future>(fut: F, stop: &mut watch::Receiver<bool>) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut stopped = pin!(stop.wait_for(|s| *s));
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            Poll::Ready(Some(v))
        } else if stopped.as_mut().poll(cx).is_ready() {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
    .await
}

/// The accept loop, then the graceful shutdown.
async fn serve(
    listener: tokio::net::TcpListener,
    opts: Arc<ServerOptions>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(opts.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(opts.header_timeout)
        .keep_alive(true);
    loop {
        // A free slot first: past the cap, connections wait in the backlog.
        let Some(Ok(slot)) = unless_stopped(slots.clone().acquire_owned(), &mut stop).await else {
            break;
        };
        let stream = match unless_stopped(listener.accept(), &mut stop).await {
            None => break,
            Some(Ok((stream, _))) => stream,
            Some(Err(_)) => {
                // Out of file descriptors, a connection reset before it
                // was accepted, ...: wait a little rather than spin.
                drop(slot);
                let pause = tokio::time::sleep(Duration::from_millis(50));
                if unless_stopped(pause, &mut stop).await.is_none() {
                    break;
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(WriteTimeout::new(stream, WRITE_TIMEOUT));
        let o = opts.clone();
        let service = hyper::service::service_fn(move |rq| {
            let o = o.clone();
            async move { Ok::<_, Infallible>(answer(o, rq).await) }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// A stream whose writes fail once they have waited `limit` for the peer
/// (a client that does not read its answer).
struct WriteTimeout<S> {
    io: S,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteTimeout<S> {
    fn new(io: S, limit: Duration) -> Self {
        WriteTimeout {
            io,
            limit,
            stalled: None,
        }
    }

    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if r.is_ready() {
            self.stalled = None;
            return r;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if stalled.as_mut().poll(cx).is_ready() {
            self.stalled = None;
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client does not read its answer",
            )));
        }
        Poll::Pending
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, r)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_shutdown(cx);
        this.watch(cx, r)
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

    fn into_response(self) -> Response<Full<Bytes>> {
        // A whole body: hyper sends its Content-Length, never chunks.
        let mut r = Response::new(Full::new(Bytes::from(self.body)));
        *r.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = r.headers_mut();
        let mut add = |name: &str, value: &str| {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(n, v);
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
fn transport_error(kind: &str, message: impl Into<String>, edn: bool) -> Reply {
    let status = kind_status(kind);
    let v = Value::map([
        (Value::kw("kind"), Value::str(kind)),
        (Value::kw("message"), Value::str(&message.into())),
    ]);
    Reply::value(status, &v, edn)
}

/// The answer when a handler panicked.
fn panicked() -> Reply {
    transport_error("other", "Internal error: the handler panicked", false)
}

/// The HTTP status of an error kind: the spec's `:errors` table.
pub fn http_status(kind: ErrorKind) -> u16 {
    kind_status(kind.as_str())
}

/// The HTTP status of the kind named `kind`: the spec's `:errors` and
/// `:transport-errors` tables (500 for a kind in neither).
pub fn kind_status(kind: &str) -> u16 {
    let spec = spec();
    spec.errors
        .iter()
        .chain(&spec.transport_errors)
        .find(|e| e.name == kind)
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

/// A request's head as the handler sees it.
struct Head {
    method: Method,
    path: String,
    headers: HeaderMap,
}

impl Head {
    /// A header's value (the first one), if it is visible ASCII.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
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

/// What to do with a request once its head is read.
enum Plan {
    /// Answer this, without reading the body.
    Reply(Reply),
    /// Read the body and call the op.
    Call {
        op: &'static Op,
        /// The body is EDN.
        request_edn: bool,
        /// The answer is EDN.
        edn: bool,
    },
}

/// Serves one request; never panics.
async fn answer(opts: Arc<ServerOptions>, rq: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = rq.into_parts();
    let head = Head {
        method: parts.method,
        path: parts.uri.path().to_string(),
        headers: parts.headers,
    };
    let plan = catch_unwind(AssertUnwindSafe(|| route(&opts, &head)))
        .unwrap_or_else(|_| Plan::Reply(panicked()));
    let reply = match plan {
        Plan::Reply(r) => r,
        Plan::Call {
            op,
            request_edn,
            edn,
        } => match read_body(&opts, body, edn).await {
            Ok(bytes) => {
                blocking(move || match parse_args(&bytes, request_edn) {
                    Ok(args) => match api::dispatch(&op.name, &args) {
                        Ok(v) => Reply::value(200, &v, edn),
                        Err(e) => error_reply(&e, edn),
                    },
                    Err(e) => error_reply(&e, edn),
                })
                .await
            }
            // The body is not (wholly) read: the connection cannot carry
            // another request.
            Err(r) => r.header("Connection", "close"),
        },
    };
    with_cors(&opts, &head, reply).into_response()
}

/// Runs a synchronous handler on the blocking pool (it may wait on the
/// disk); a panic answers 500.
async fn blocking(f: impl FnOnce() -> Reply + Send + 'static) -> Reply {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| panicked())
}

/// Reads a call's body within the limit and the body timeout; the refusal
/// otherwise (413, 408 or 400).
async fn read_body(
    opts: &ServerOptions,
    body: Incoming,
    edn: bool,
) -> std::result::Result<Bytes, Reply> {
    let too_large = || {
        transport_error(
            "payload-too-large",
            format!("The request body is larger than {} bytes", opts.max_body),
            edn,
        )
    };
    // A declared Content-Length: refused before reading a byte.
    if body.size_hint().lower() > opts.max_body {
        return Err(too_large());
    }
    let limit = usize::try_from(opts.max_body).unwrap_or(usize::MAX);
    match tokio::time::timeout(opts.body_timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(transport_error(
            "syntax",
            format!("Cannot read the request body: {e}"),
            edn,
        )),
        Err(_) => Err(transport_error(
            "request-timeout",
            format!(
                "The request body did not arrive within {} ms",
                opts.body_timeout.as_millis()
            ),
            edn,
        )),
    }
}

/// Whether browser calls from `origin` are allowed (`--cors-origin`).
fn allows_origin(opts: &ServerOptions, origin: &str) -> bool {
    opts.cors_origins.iter().any(|c| c == "*" || c == origin)
}

/// Adds the CORS headers for an allowed origin.
fn with_cors(opts: &ServerOptions, head: &Head, reply: Reply) -> Reply {
    let Some(origin) = head.header("Origin") else {
        return reply;
    };
    if opts.cors_origins.iter().any(|o| o == "*") {
        reply.header("Access-Control-Allow-Origin", "*")
    } else if allows_origin(opts, origin) {
        reply
            .header("Access-Control-Allow-Origin", origin)
            .header("Vary", "Origin")
    } else {
        reply
    }
}

fn route(opts: &ServerOptions, head: &Head) -> Plan {
    let path = head.path.as_str();
    let method = &head.method;
    let wants_edn = head.media("Accept").iter().any(|m| m == EDN);
    match path {
        "/health" | "/openapi.json" => {
            if !matches!(*method, Method::GET | Method::HEAD) {
                return Plan::Reply(
                    transport_error(
                        "method-not-allowed",
                        format!("{path} answers GET"),
                        wants_edn,
                    )
                    .header("Allow", "GET, HEAD"),
                );
            }
            Plan::Reply(if path == "/openapi.json" {
                Reply::json_text(200, openapi_text().to_string())
            } else {
                let v = Value::map([
                    (Value::kw("status"), Value::str("ok")),
                    (Value::kw("spec-hash"), Value::str(&spec().hash())),
                    (Value::kw("version"), Value::str(env!("CARGO_PKG_VERSION"))),
                ]);
                Reply::value(200, &v, wants_edn)
            })
        }
        p if p.starts_with("/v1/") => call(opts, head, p, wants_edn),
        _ => Plan::Reply(transport_error(
            "not-found",
            format!(
                "No such endpoint: {path}; operations are POST /v1/<command>, see /openapi.json"
            ),
            wants_edn,
        )),
    }
}

fn call(opts: &ServerOptions, head: &Head, path: &str, wants_edn: bool) -> Plan {
    let method = &head.method;
    if *method == Method::OPTIONS {
        let r = Reply::new(204).header("Allow", "POST, OPTIONS");
        let allowed = head
            .header("Origin")
            .is_some_and(|o| allows_origin(opts, o));
        return Plan::Reply(if allowed {
            r.header("Access-Control-Allow-Methods", "POST, OPTIONS")
                .header(
                    "Access-Control-Allow-Headers",
                    "Content-Type, Authorization, Accept",
                )
                .header("Access-Control-Max-Age", "600")
        } else {
            r
        });
    }
    if let Some(token) = &opts.token {
        let given = head.header("Authorization").and_then(|h| {
            let (scheme, rest) = h.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        });
        match given {
            None => {
                return Plan::Reply(
                    transport_error(
                        "unauthorized",
                        "This server requires Authorization: Bearer <token>",
                        wants_edn,
                    )
                    .header("WWW-Authenticate", "Bearer"),
                );
            }
            Some(t) if !constant_time_eq(t.as_bytes(), token.as_bytes()) => {
                return Plan::Reply(transport_error(
                    "forbidden",
                    "The bearer token is not valid",
                    wants_edn,
                ));
            }
            Some(_) => {}
        }
    }
    let Some(op) = remote_op(path) else {
        let name = path.strip_prefix("/v1/").unwrap_or(path);
        let why = match spec().ops.iter().find(|o| o.cli_name() == name) {
            Some(o) => format!("{} is not served over HTTP (it is not :remote?)", o.name),
            None => format!("Unknown operation {name}; see /openapi.json"),
        };
        return Plan::Reply(transport_error("not-found", why, wants_edn));
    };
    if *method != Method::POST {
        return Plan::Reply(
            transport_error(
                "method-not-allowed",
                format!("{path} answers POST"),
                wants_edn,
            )
            .header("Allow", "POST, OPTIONS"),
        );
    }
    let request_edn = head.media("Content-Type").iter().any(|m| m == EDN);
    let accept = head.media("Accept");
    let edn = wants_edn || (request_edn && !accept.iter().any(|m| m == JSON));
    Plan::Call {
        op,
        request_edn,
        edn,
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
    fn a_panicking_handler_answers_500() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let r = rt.block_on(blocking(|| panic!("a handler bug")));
        assert_eq!(r.status, 500);
        assert!(String::from_utf8_lossy(&r.body).contains("panicked"));
        // The pool goes on.
        assert_eq!(rt.block_on(blocking(|| Reply::new(204))).status, 204);
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
