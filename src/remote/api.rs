//! Requests to authentik's API (`/api/v3/`): the token in the `Authorization` header and
//! nowhere else, TLS verified (rustls, the web's root certificates), time limits, reads
//! retried with backoff on 429 and 5xx, and each failure turned into a message that says
//! what to do about it. Every request is counted, for `--stats` and the figures.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::credentials::Token;
use super::{Endpoint, RemoteError};

/// How many times a read is tried in all.
const ATTEMPTS: u32 = 4;
/// The first wait before a retry; each next one is twice as long.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait a `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// The largest response read (one flow's export of a huge flow, a page of users).
const MAX_BODY: u64 = 256 * 1024 * 1024;
/// How many objects a page of a list asks for.
pub const PAGE_SIZE: usize = 500;

/// What was sent and received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

pub struct Client<'c> {
    agent: ureq::Agent,
    endpoint: Endpoint,
    token: Token,
    cancel: &'c AtomicBool,
    pub stats: Stats,
}

/// A response: its status and body.
struct Reply {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
    location: Option<String>,
}

impl<'c> Client<'c> {
    /// A client of `endpoint`; `cancel` (Ctrl-c) stops it between requests and retries.
    pub fn new(endpoint: &Endpoint, token: Token, cancel: &'c AtomicBool) -> Client<'c> {
        let loopback = endpoint.as_str().starts_with("http://");
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(300)))
            .user_agent(concat!("bindery/", env!("CARGO_PKG_VERSION")));
        if loopback {
            // A proxy from the environment has no business with this machine's own ports.
            config = config.proxy(None);
        }
        Client {
            agent: config.build().new_agent(),
            endpoint: endpoint.clone(),
            token,
            cancel,
            stats: Stats::default(),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn check_cancel(&self) -> Result<(), RemoteError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(RemoteError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// GETs `path` (under `/api/v3/`), retrying on 429, 5xx and dropped connections.
    pub fn get_text(&mut self, path: &str) -> Result<String, RemoteError> {
        let mut wait = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            self.check_cancel()?;
            let last = attempt == ATTEMPTS;
            match self.send("GET", path, None) {
                Ok(reply) if reply.status == 429 || (500..600).contains(&reply.status) => {
                    if last {
                        return Err(self.status_error("GET", path, &reply));
                    }
                    let pause = reply.retry_after.unwrap_or(wait).min(MAX_RETRY_AFTER);
                    tracing::info!("GET {path}: {} (attempt {attempt}); retrying", reply.status);
                    self.sleep(pause)?;
                }
                Ok(reply) if (200..300).contains(&reply.status) => return Ok(reply.body),
                Ok(reply) => return Err(self.status_error("GET", path, &reply)),
                Err(err) if !last && err.is_transient() => {
                    tracing::info!("GET {path}: {err} (attempt {attempt}); retrying");
                    self.sleep(wait)?;
                }
                Err(err) => return Err(err),
            }
            wait *= 2;
        }
        unreachable!("the last attempt returns")
    }

    /// GETs `path` as JSON.
    pub fn get_json(&mut self, path: &str) -> Result<Value, RemoteError> {
        let text = self.get_text(path)?;
        serde_json::from_str(&text).map_err(|err| self.malformed(path, &err.to_string()))
    }

    /// Every object of a paginated list (`core/users/`), page after page, following
    /// authentik's `pagination.next` (a page number, 0 on the last page).
    pub fn get_all(
        &mut self,
        path: &str,
        mut on_page: impl FnMut(usize, usize),
    ) -> Result<Vec<Value>, RemoteError> {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let mut page = 1u64;
        let mut all = Vec::new();
        loop {
            let url = format!("{path}{joiner}page={page}&page_size={PAGE_SIZE}");
            let mut body = self.get_json(&url)?;
            let results = match body.get_mut("results").map(Value::take) {
                Some(Value::Array(results)) => results,
                _ => return Err(self.malformed(&url, "no results list")),
            };
            let page_was_empty = results.is_empty();
            all.extend(results);
            let pagination = body.get("pagination");
            let count = pagination
                .and_then(|p| p.get("count"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0) as usize;
            // Objects added while the pages are read may add a few; a list that never ends
            // is not authentik's.
            if all.len() > count + PAGE_SIZE {
                return Err(self.malformed(&url, "more objects than its count says"));
            }
            on_page(all.len(), count);
            let next = pagination
                .and_then(|p| p.get("next"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0) as u64;
            if next == 0 {
                return Ok(all);
            }
            if next <= page || page_was_empty {
                return Err(self.malformed(&url, "its next page does not come after it"));
            }
            page = next;
        }
    }

    /// POSTs a blueprint to authentik's importer (`managed/blueprints/import/`): never
    /// retried, since it may have been applied.
    pub fn post_blueprint(&mut self, name: &str, text: &str) -> Result<Value, RemoteError> {
        self.check_cancel()?;
        let path = "managed/blueprints/import/";
        let boundary = format!("bindery-{}", uuid::Uuid::new_v4().simple());
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/yaml\r\n\r\n{text}\r\n--{boundary}--\r\n"
        );
        let reply = self.send("POST", path, Some((&boundary, body)))?;
        // authentik answers 400 with {success: false, logs} when the blueprint does not apply.
        if ((200..300).contains(&reply.status) || reply.status == 400)
            && let Ok(result) = serde_json::from_str::<Value>(&reply.body)
            && result.get("success").is_some()
        {
            return Ok(result);
        }
        Err(self.status_error("POST", path, &reply))
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        multipart: Option<(&str, String)>,
    ) -> Result<Reply, RemoteError> {
        let url = self.endpoint.api(path);
        self.stats.requests += 1;
        let result = match multipart {
            None => self
                .agent
                .get(&url)
                .header("Authorization", self.token.bearer())
                .header("Accept", "application/json")
                .call(),
            Some((boundary, body)) => {
                self.stats.bytes_sent += body.len() as u64;
                self.agent
                    .post(&url)
                    .header("Authorization", self.token.bearer())
                    .header("Accept", "application/json")
                    .content_type(format!("multipart/form-data; boundary={boundary}"))
                    .send(body.as_bytes())
            }
        };
        let mut response = result.map_err(|err| self.transport(method, path, err))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let location = header("location");
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|err| self.transport(method, path, err))?;
        self.stats.bytes_received += body.len() as u64;
        Ok(Reply {
            status,
            body,
            retry_after,
            location,
        })
    }

    fn sleep(&self, pause: Duration) -> Result<(), RemoteError> {
        let step = Duration::from_millis(50);
        let mut slept = Duration::ZERO;
        while slept < pause {
            self.check_cancel()?;
            std::thread::sleep(step);
            slept += step;
        }
        Ok(())
    }

    fn transport(&self, method: &str, path: &str, err: ureq::Error) -> RemoteError {
        let transient = matches!(
            err,
            ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed
        );
        let why = match &err {
            ureq::Error::HostNotFound => "the host name does not resolve".to_string(),
            ureq::Error::ConnectionFailed => "the connection was refused or failed".to_string(),
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "the connection was refused: nothing listens at that address (is authentik running there, and is the remote's URL right?)".to_string()
                }
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    "the connection was dropped".to_string()
                }
                std::io::ErrorKind::TimedOut => "timed out".to_string(),
                _ => format!("network error: {io}"),
            },
            ureq::Error::Timeout(what) => format!("timed out ({what})"),
            ureq::Error::BodyExceedsLimit(limit) => {
                format!("the response is larger than {limit} bytes")
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
                format!("TLS failed (the certificate is not trusted or does not match): {err}")
            }
            other => other.to_string(),
        };
        RemoteError::Transport {
            what: format!("{method} {}", self.endpoint.api(path)),
            why,
            transient,
        }
    }

    fn malformed(&self, path: &str, why: &str) -> RemoteError {
        RemoteError::Malformed {
            what: self.endpoint.api(path),
            why: why.to_string(),
        }
    }

    fn status_error(&self, method: &str, path: &str, reply: &Reply) -> RemoteError {
        let what = format!("{method} {}", self.endpoint.api(path));
        let detail = error_detail(&reply.body);
        match reply.status {
            401 => RemoteError::Unauthorized { what, detail },
            403 => RemoteError::Forbidden {
                what,
                detail,
                needs: super::permission_for(method, path),
            },
            404 => RemoteError::NotFound { what },
            300..=399 => RemoteError::Redirected {
                what,
                to: reply.location.clone().unwrap_or_default(),
            },
            status => RemoteError::Status {
                what,
                status,
                detail,
            },
        }
    }
}

/// What authentik said about an error: its `detail`, else the body's start.
fn error_detail(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let text = match parsed.as_ref().and_then(|v| v.get("detail")) {
        Some(Value::String(detail)) => detail.clone(),
        _ => body.chars().take(200).collect(),
    };
    crate::text::sanitize(text.trim()).into_owned()
}
