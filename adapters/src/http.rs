//! `http://host:port/path`: one POST per case (the request line of the JSON Lines protocol as
//! the body), a prediction object back. Bounded concurrency (`Options::workers` requests at
//! once), a per-attempt timeout, and retries with exponential backoff on 429, 5xx and connection
//! errors (a small `Retry-After` is honoured); a body over ureq's 10 MiB limit is an error
//! at once, never retried. Plain HTTP only: the endpoint is expected on
//! loopback.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

use classifier::{CallError, Classifier};
use scenario::{Case, Prediction};

use crate::{Options, SpecError, human, wire};

/// First retry delay; it doubles per attempt.
const BACKOFF_START: Duration = Duration::from_millis(100);
/// Longest delay between two attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// Longest `Retry-After` honoured; a longer one ends the case with an error.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(10);

/// An HTTP endpoint classifier.
#[derive(Debug)]
pub struct Http {
    url: String,
    agent: ureq::Agent,
    timeout: Duration,
    retries: u32,
    workers: usize,
    permits: Semaphore,
}

impl Http {
    /// Checks the URL and prepares the client (no request is made yet).
    pub fn new(url: &str, opts: &Options) -> Result<Http, SpecError> {
        let uri: ureq::http::Uri = url.parse().map_err(|e| SpecError::BadUrl {
            url: url.to_owned(),
            reason: format!("not a URL: {e}"),
        })?;
        if uri.scheme_str() != Some("http") {
            return Err(SpecError::BadUrl {
                url: url.to_owned(),
                reason: "expected http://".into(),
            });
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(SpecError::BadUrl {
                url: url.to_owned(),
                reason: "no host".into(),
            });
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(opts.timeout))
            .build()
            .into();
        Ok(Http {
            url: url.to_owned(),
            agent,
            timeout: opts.timeout,
            retries: opts.retries,
            workers: opts.workers,
            permits: Semaphore::new(opts.workers),
        })
    }

    /// One attempt: the prediction, or the error and whether (and when) to retry.
    fn attempt(
        &self,
        case: &Case,
        body: &str,
    ) -> Result<(Prediction, Option<scenario::Usage>), Failure> {
        let response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body);
        let mut response = match response {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => {
                return Err(Failure::fatal(format!(
                    "timeout after {}",
                    human(self.timeout)
                )));
            }
            Err(
                e
                @ (ureq::Error::ConnectionFailed | ureq::Error::Io(_) | ureq::Error::HostNotFound),
            ) => {
                return Err(Failure::retry(format!("connection failed: {e}"), None));
            }
            Err(e) => return Err(Failure::fatal(format!("http error: {e}"))),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match response.body_mut().read_to_string() {
            Ok(t) => t,
            Err(ureq::Error::Timeout(_)) => {
                return Err(Failure::fatal(format!(
                    "timeout after {}",
                    human(self.timeout)
                )));
            }
            // The same answer cannot fit on another attempt: a deterministic failure.
            Err(ureq::Error::BodyExceedsLimit(limit)) => {
                return Err(Failure::fatal(format!(
                    "HTTP {status}: the body is over the {} MiB limit (not retried)",
                    limit / (1024 * 1024)
                )));
            }
            Err(e) => {
                return Err(Failure::retry(
                    format!("HTTP {status}: cannot read body: {e}"),
                    None,
                ));
            }
        };
        if !(200..300).contains(&status) {
            let reason = format!("HTTP {status} from endpoint: {}", wire::excerpt(&text));
            return if status == 429 || status >= 500 {
                Err(Failure::retry(reason, retry_after))
            } else {
                Err(Failure::fatal(reason))
            };
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::fatal(format!(
                "invalid JSON from endpoint: {e}: {}",
                wire::excerpt(&text)
            ))
        })?;
        let Value::Object(mut object) = value else {
            return Err(Failure::fatal(format!(
                "endpoint answered {} instead of an object",
                wire::kind(&value)
            )));
        };
        match object.remove("id") {
            Some(Value::String(id)) if id != case.id => {
                return Err(Failure::fatal(format!(
                    "endpoint answered id \"{id}\" for case \"{}\"",
                    case.id
                )));
            }
            _ => {}
        }
        object.remove("trial");
        wire::prediction_with_usage(object).map_err(Failure::fatal)
    }
}

/// Why an attempt failed.
struct Failure {
    reason: String,
    retry: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(reason: impl Into<String>) -> Self {
        Failure {
            reason: reason.into(),
            retry: false,
            retry_after: None,
        }
    }
    fn retry(reason: String, retry_after: Option<Duration>) -> Self {
        Failure {
            reason,
            retry: true,
            retry_after,
        }
    }
}

impl Classifier for Http {
    fn name(&self) -> String {
        self.url.clone()
    }

    fn version(&self) -> String {
        "unversioned".to_owned()
    }

    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let _permit = self.permits.acquire();
        let body = wire::request(case, trial);
        let mut attempt: u32 = 0;
        loop {
            let failure = match self.attempt(case, &body) {
                Ok((p, usage)) => {
                    scenario::usage::report(usage);
                    return Ok(p);
                }
                Err(f) => f,
            };
            if !failure.retry {
                return Err(CallError::new(failure.reason));
            }
            if attempt >= self.retries {
                let tries = attempt + 1;
                return Err(CallError::new(format!(
                    "{} (gave up after {tries} attempts)",
                    failure.reason
                )));
            }
            let delay = match failure.retry_after {
                Some(d) if d > RETRY_AFTER_MAX => {
                    return Err(CallError::new(format!(
                        "{} (Retry-After {} is longer than the {} we wait)",
                        failure.reason,
                        human(d),
                        human(RETRY_AFTER_MAX)
                    )));
                }
                Some(d) => d,
                None => BACKOFF_START
                    .saturating_mul(1 << attempt.min(16))
                    .min(BACKOFF_MAX),
            };
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    fn concurrency(&self) -> Option<usize> {
        Some(self.workers)
    }
}

/// A counting semaphore for the concurrency bound.
#[derive(Debug)]
struct Semaphore {
    free: Mutex<usize>,
    cond: Condvar,
}

impl Semaphore {
    fn new(n: usize) -> Self {
        Semaphore {
            free: Mutex::new(n),
            cond: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free == 0 {
            free = self
                .cond
                .wait(free)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

/// One slot of the semaphore, given back on drop.
struct Permit<'a>(&'a Semaphore);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self
            .0
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        self.0.cond.notify_one();
    }
}
