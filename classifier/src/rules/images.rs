//! Image pulls: the runtime's pull error text (in the container state message or a `Failed`
//! event) mapped to its cause, with image references and tags removed first so a tag such as
//! `main-429` never reads as HTTP 429.

use scenario::RootCause;
use scenario::files::{ContainerStatus, Event, Pod};

use super::explain::cite_event;
use super::target::View;
use super::verdict::{Verdict, rank};

impl<'a> View<'a> {
    pub(super) fn image_pull(
        &self,
        pod: &Pod,
        c: &ContainerStatus,
        reason: &str,
        message: &str,
        events: &[&'a Event],
        state: String,
    ) -> Verdict {
        let mut cites = vec![state];
        let mut cause = if reason == "InvalidImageName" {
            Some(RootCause::InvalidImageName)
        } else {
            // ErrImagePull carries the runtime's error; ImagePullBackOff only names the image.
            pull_error_cause(message)
        };
        if cause.is_none() {
            for e in events {
                let lower = e.message.to_lowercase();
                if (lower.contains("failed to pull image")
                    || lower.contains("invalidimagename")
                    || lower.contains("failed to apply default image tag"))
                    && let Some(found) = pull_error_cause(&e.message)
                {
                    cites.push(cite_event(e));
                    cause = Some(found);
                    break;
                }
            }
        }
        match cause {
            Some(cause) => Verdict::cause(cause, 0.9, rank::STATE)
                .at(&pod.name, Some(&c.name))
                .cite(cites),
            None => {
                cites.push("no registry error text in the evidence: the most common cause (a wrong tag) assumed".into());
                Verdict::cause(RootCause::ImageNotFound, 0.45, rank::STATE)
                    .at(&pod.name, Some(&c.name))
                    .cite(cites)
            }
        }
    }
}

/// Pull error texts per cause, in the order they are tried (the first cause that matches wins):
/// the HTTP statuses it shows (as whole numbers), then the phrases.
pub(super) const PULL_ERRORS: [(RootCause, &[&str], &[&str]); 5] = [
    (
        RootCause::InvalidImageName,
        &[],
        &[
            "invalidimagename",
            "invalid reference format",
            "couldn't parse image",
        ],
    ),
    (
        RootCause::RateLimited,
        &["429"],
        &["toomanyrequests", "too many requests", "rate limit"],
    ),
    (
        RootCause::RegistryAuth,
        &["401", "403"],
        &[
            "unauthorized",
            "forbidden",
            "pull access denied",
            "no basic auth credentials",
            "authentication required",
            "authorization failed",
        ],
    ),
    (
        RootCause::RegistryUnreachable,
        &[],
        &[
            "no such host",
            // Go's resolver when the DNS server answers SERVFAIL (net: errServerMisbehaving).
            "server misbehaving",
            "i/o timeout",
            "connection refused",
            "network is unreachable",
            "no route to host",
            "tls handshake timeout",
            "timeout exceeded",
            "timed out",
            "request canceled while waiting for connection",
            "connection reset",
            "context deadline exceeded",
        ],
    ),
    (
        RootCause::ImageNotFound,
        &[],
        &[
            "manifest unknown",
            "not found",
            "does not exist",
            "name unknown",
        ],
    ),
];

/// The runtime's pull error text, mapped to its cause.
pub(super) fn pull_error_cause(text: &str) -> Option<RootCause> {
    let t = without_image_refs(&text.to_lowercase());
    PULL_ERRORS
        .iter()
        .find(|(_, statuses, phrases)| {
            statuses.iter().any(|code| has_status(&t, code))
                || phrases.iter().any(|p| t.contains(p))
        })
        .map(|&(cause, ..)| cause)
}

/// The text with the image references it names (`image "repo/name:main-429"`) and their tags
/// removed everywhere (`reference "..."`, `/manifests/main-429`), so a tag or a digest never
/// reads as an error: a tag `main-429` is not HTTP 429.
pub(super) fn without_image_refs(t: &str) -> String {
    let mut refs: Vec<&str> = Vec::new();
    for (i, m) in t.match_indices("image \"") {
        let start = i + m.len();
        if let Some(end) = t[start..].find('"') {
            let image = &t[start..start + end];
            refs.push(image);
            let name_end = image.rfind('/').map_or(0, |s| s + 1);
            if let Some(colon) = image[name_end..].rfind([':', '@']) {
                let tag = &image[name_end + colon + 1..];
                if tag.len() >= 3 {
                    refs.push(tag);
                }
            }
        }
    }
    refs.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let mut out = t.to_owned();
    for r in refs.iter().filter(|r| !r.is_empty()) {
        out = out.replace(r, "");
    }
    out
}

/// Whether an HTTP status code appears as a word (`401 Unauthorized`, not a digest's `4019ab`).
pub(super) fn has_status(t: &str, code: &str) -> bool {
    t.match_indices(code).any(|(i, _)| {
        let before = t[..i].chars().next_back();
        let after = t[i + code.len()..].chars().next();
        before.is_none_or(|c| !c.is_ascii_alphanumeric())
            && after.is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_errors_map_to_causes() {
        let cases = [
            (
                "failed to resolve reference \"r/a:v9\": r/a:v9: not found",
                RootCause::ImageNotFound,
            ),
            (
                "manifest unknown: manifest unknown",
                RootCause::ImageNotFound,
            ),
            (
                "unexpected status from HEAD request: 401 Unauthorized",
                RootCause::RegistryAuth,
            ),
            (
                "pull access denied, repository does not exist or may require authorization",
                RootCause::RegistryAuth,
            ),
            ("no basic auth credentials", RootCause::RegistryAuth),
            (
                "dial tcp: lookup registry.internal on 10.0.0.2:53: no such host",
                RootCause::RegistryUnreachable,
            ),
            (
                "dial tcp 10.1.2.3:443: i/o timeout",
                RootCause::RegistryUnreachable,
            ),
            (
                "429 Too Many Requests - toomanyrequests: You have reached your pull rate limit",
                RootCause::RateLimited,
            ),
            (
                "InvalidImageName: couldn't parse image reference",
                RootCause::InvalidImageName,
            ),
            ("sha256:4019abcd not found", RootCause::ImageNotFound),
            (
                "Failed to pull image \"q.io/a:main-429\": manifest unknown",
                RootCause::ImageNotFound,
            ),
            (
                "Get \"https://r.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
                RootCause::RegistryUnreachable,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(pull_error_cause(text), Some(want), "{text}");
        }
    }

    #[test]
    fn image_references_are_not_error_text() {
        assert_eq!(
            pull_error_cause(
                "Failed to pull image \"q.io/n/r:main-429\": failed to resolve reference \"q.io/n/r:main-429\": Head \"https://q.io/v2/n/r/manifests/main-429\": dial tcp 10.3.8.5:443: i/o timeout"
            ),
            Some(RootCause::RegistryUnreachable)
        );
        assert_eq!(
            pull_error_cause("Back-off pulling image \"quay.io/x/invoice:main-429\""),
            None
        );
        assert_eq!(
            pull_error_cause("Back-off pulling image \"r.io/x:401\""),
            None
        );
    }
}
