//! Device code sign-in (RFC 8628 as Entra implements it): ask for a code, show the message,
//! poll until the admin finishes, declines, or the code expires.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::AuthError;
use super::token_endpoint::{
    EndpointError, IssuedToken, bounded_lifetime, form_request, number_or_string,
};
use crate::http::HttpClient;
use crate::secret::SecretString;

/// What the admin is shown; `message` is Entra's ready-made sentence (localised with `?mkt=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    pub message: String,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
}

pub type DeviceCodeCallback = Arc<dyn Fn(&DeviceCodePrompt) + Send + Sync>;

#[derive(Clone)]
pub struct DeviceCodeConfig {
    pub tenant: String,
    pub client_id: String,
    pub prompt: DeviceCodeCallback,
    /// Cancels a pending sign-in (the wait between polls reacts immediately).
    pub cancel: CancellationToken,
    /// Market for the message, e.g. `ja-JP`.
    pub market: Option<String>,
}

impl std::fmt::Debug for DeviceCodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeConfig")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct DeviceCode {
    pub device_code: SecretString,
    pub prompt: DeviceCodePrompt,
    pub interval: Duration,
}

#[derive(Deserialize)]
pub(crate) struct CodeWire {
    device_code: Option<String>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    expires_in: Option<serde_json::Value>,
    interval: Option<serde_json::Value>,
    message: Option<String>,
}

pub(crate) async fn request_code(
    http: &HttpClient,
    mut url: url::Url,
    client_id: &str,
    scope: &str,
    market: Option<&str>,
) -> Result<DeviceCode, EndpointError> {
    if let Some(mkt) = market {
        url.query_pairs_mut().append_pair("mkt", mkt);
    }
    let req = form_request(url, &[("client_id", client_id), ("scope", scope)])
        .map_err(EndpointError::Other)?;
    let wire: CodeWire = http.send(&req, None, |r| parse_code_wire(&r.body)).await?;
    code_of(wire).map_err(EndpointError::Other)
}

pub(crate) fn parse_code_wire(body: &[u8]) -> Result<CodeWire, String> {
    serde_json::from_slice::<CodeWire>(body)
        .map_err(|e| format!("JSON invalid at line {} column {}", e.line(), e.column()))
}

/// What the `/devicecode` answer says, with MSAL's defaults for what it leaves out.
pub(crate) fn code_of(wire: CodeWire) -> Result<DeviceCode, AuthError> {
    let missing = |f: &str| AuthError::Protocol(format!("the device code answer has no {f}"));
    let device_code = wire.device_code.ok_or_else(|| missing("device_code"))?;
    let user_code = wire.user_code.ok_or_else(|| missing("user_code"))?;
    let verification_uri = wire
        .verification_uri
        .ok_or_else(|| missing("verification_uri"))?;
    // MSAL's defaults when absent: 1800 s validity, 5 s interval.
    let expires_in = bounded_lifetime(
        wire.expires_in
            .as_ref()
            .and_then(number_or_string)
            .unwrap_or(1800),
    );
    let interval = Duration::from_secs(
        wire.interval
            .as_ref()
            .and_then(number_or_string)
            .unwrap_or(5)
            .clamp(1, 60),
    );
    let message = wire.message.unwrap_or_else(|| {
        format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate.")
    });
    Ok(DeviceCode {
        device_code: SecretString::from(device_code),
        prompt: DeviceCodePrompt {
            message,
            user_code,
            verification_uri,
            expires_in,
        },
        interval,
    })
}

/// One poll's meaning.
pub(crate) enum PollAnswer {
    Pending,
    SlowDown,
    Done(IssuedToken),
}

/// Polls every `interval` (+5 s after each `slow_down`) until success, a terminal error, the
/// code's expiry, or cancellation.
pub(crate) async fn poll_until_done<F, Fut>(
    interval: Duration,
    expires_in: Duration,
    cancel: &CancellationToken,
    mut poll: F,
) -> Result<IssuedToken, AuthError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<PollAnswer, AuthError>>,
{
    let now = Instant::now();
    let deadline = now.checked_add(expires_in).unwrap_or(now);
    let mut interval = interval;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Err(AuthError::Cancelled),
            _ = tokio::time::sleep(interval) => {}
        }
        if Instant::now() >= deadline {
            return Err(AuthError::DeviceCodeExpired);
        }
        let answer = tokio::select! {
            _ = cancel.cancelled() => return Err(AuthError::Cancelled),
            a = poll() => a?,
        };
        match answer {
            PollAnswer::Done(token) => return Ok(token),
            PollAnswer::Pending => {}
            PollAnswer::SlowDown => interval += Duration::from_secs(5),
        }
    }
}

/// Maps a poll's Entra error to the loop's meaning (both `authorization_declined` and RFC
/// 8628's `access_denied` mean "declined").
pub(crate) fn interpret_poll_error(error: &str, text: String) -> Result<PollAnswer, AuthError> {
    match error {
        "authorization_pending" => Ok(PollAnswer::Pending),
        "slow_down" => Ok(PollAnswer::SlowDown),
        "authorization_declined" | "access_denied" => Err(AuthError::DeviceCodeDeclined),
        "expired_token" | "code_expired" => Err(AuthError::DeviceCodeExpired),
        "bad_verification_code" => Err(AuthError::DeviceCodeRejected(text)),
        _ => Err(AuthError::SignInRequired(text)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    fn issued() -> IssuedToken {
        IssuedToken {
            access_token: "at".to_owned().into(),
            expires_in: Duration::from_secs(3600),
            refresh_in: None,
            refresh_token: None,
            user_principal_name: None,
        }
    }

    /// Runs the loop over scripted answers; returns the result and the times of each poll.
    async fn run(
        script: Vec<&'static str>,
        interval: u64,
        expires: u64,
        cancel: CancellationToken,
    ) -> (Result<IssuedToken, AuthError>, Vec<u64>) {
        let start = Instant::now();
        let script = Mutex::new(script.into_iter().collect::<VecDeque<_>>());
        let times = Mutex::new(Vec::new());
        let r = poll_until_done(
            Duration::from_secs(interval),
            Duration::from_secs(expires),
            &cancel,
            || {
                times
                    .lock()
                    .unwrap()
                    .push((Instant::now() - start).as_secs());
                let next = script
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or("authorization_pending");
                async move {
                    match next {
                        "ok" => Ok(PollAnswer::Done(issued())),
                        e => interpret_poll_error(e, e.to_owned()),
                    }
                }
            },
        )
        .await;
        (r, times.into_inner().unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn waits_interval_and_honours_slow_down() {
        let (r, times) = run(
            vec![
                "authorization_pending",
                "slow_down",
                "authorization_pending",
                "ok",
            ],
            5,
            900,
            CancellationToken::new(),
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(times, [5, 10, 20, 30]);
    }

    #[tokio::test(start_paused = true)]
    async fn terminal_errors_stop_polling() {
        for (e, check) in [
            ("authorization_declined", "declined"),
            ("access_denied", "declined"),
            ("expired_token", "expired"),
            ("bad_verification_code", "recognise"),
        ] {
            let (r, times) = run(vec![e, "ok"], 1, 900, CancellationToken::new()).await;
            let err = r.err().unwrap().to_string();
            assert!(err.contains(check), "{e}: {err}");
            assert_eq!(times.len(), 1, "{e}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn stops_when_the_code_expires_locally() {
        let (r, times) = run(vec![], 5, 12, CancellationToken::new()).await;
        assert!(matches!(r, Err(AuthError::DeviceCodeExpired)));
        assert_eq!(times, [5, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_is_prompt() {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(7_300)).await;
            c2.cancel();
        });
        let start = Instant::now();
        let (r, _) = run(vec![], 5, 900, cancel).await;
        assert!(matches!(r, Err(AuthError::Cancelled)));
        assert!(Instant::now() - start < Duration::from_millis(7_400));
    }
}
