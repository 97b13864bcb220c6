use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use interoptopus::pattern::asynk::Async;
use interoptopus::pattern::result::panic_to_result;
use interoptopus::rt::Tokio;
use interoptopus::wire::Wire;
use interoptopus::{AsyncRuntime, callback, ffi};
use tokio_util::sync::CancellationToken;

use super::call_log::{BufferedLog, CallLog};
use super::convert;
use super::drift_types::{BaselineRequest, BaselineResult, DriftDifference};
use super::error::{Error, ErrorKind};
use super::fleet::{FleetReportRequest, FleetReportResult, FleetRequest, FleetStatusResult};
use super::owa;
use super::owa_types::{OwaPolicyChange, OwaPolicySet, OwaTransferPlan};
use super::types::{BlockImpactPage, BlockImpactSummary};
use super::types::{
    BlockRequest, BuildInfo, ConnectRequest, DevicePage, DeviceQuery, EvidenceQuery, ExportRequest,
    ExportSummary, PolicyChange, PolicyPlan, PromptChange, ReportRequest, ReportResult,
    RevokeBatch, RevokeOutcome, RevokeRequest, SessionInfo, SigninCheck, SigninPage,
};
use super::types::{LogSendRequest, LogSendSummary};
use crate::build_info;
use crate::ops::evidence::SigninListing;
use crate::ops::inventory::DeviceListing;
use crate::ops::log_sink;
use crate::ops::report::{ReportFormat, ReportSpec};
use crate::ops::transfer_block_impact::{self, ImpactListing};
use crate::ops::{
    OpError, Session, conditional_access, drift, export, owa_account_transfer, prompt, report,
    revoke,
};

// Progress of a long operation: `done` of `total` units (`total` 0 = unknown).
callback!(ProgressCallback(done: u64, total: u64));
// A log line; `level`: 1 error, 2 warning, 3 info (Verbose), 4 debug, 5 trace.
callback!(LogCallback(level: u8, message: ffi::String));
// Text the admin must see at once (the device-code sign-in instructions), or, for an
// interactive sign-in, the authorize URL to open in the system browser.
callback!(PromptCallback(message: ffi::String));
// Signs a client assertion with a certificate key that stays in C# (certificate store, smart
// card, HSM). `algorithm`: "PS256" or "RS256"; `signing_input`: the JWT `header.payload`
// (ASCII). Returns the signature in standard base64, or "error: <why>" (base64 has no ':' or
// space, so the two cannot be confused). Kept by the session and called again on every token
// refresh, from Tokio worker threads.
callback!(SignerCallback(algorithm: ffi::String, signing_input: ffi::String) -> ffi::String);

type Shared<T> = Mutex<HashMap<u64, Arc<T>>>;

struct Listing {
    pages: tokio::sync::Mutex<DeviceListing>,
    log: BufferedLog,
}

struct EvidenceListing {
    pages: tokio::sync::Mutex<SigninListing>,
    log: BufferedLog,
}

/// `None` once finished (the rows were handed out).
struct BlockImpactSlot {
    listing: tokio::sync::Mutex<Option<ImpactListing>>,
    log: BufferedLog,
}

/// The one service C# talks to. It owns the Tokio runtime, the connected sessions and the open
/// device listings; each async call runs on the runtime and can be aborted from C# through its
/// CancellationToken. Callbacks are passed per call, so two commands running at once in
/// different runspaces never see each other's progress or log lines.
#[ffi(service)]
#[derive(AsyncRuntime)]
pub struct Engine {
    runtime: Tokio,
    sessions: Shared<Session>,
    listings: Shared<Listing>,
    signin_listings: Shared<EvidenceListing>,
    impact_listings: Shared<BlockImpactSlot>,
    /// Stop signals of revoke calls: a revoke stopped by aborting its task would lose the
    /// outcomes already known (who was cut off), so C# cancels through this instead.
    revoke_cancels: Mutex<HashMap<u64, CancellationToken>>,
}

/// Handles (session and listing ids) count for the process, not per engine: an id kept from an
/// engine that is gone can never name another engine's session (another tenant).
static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

impl Engine {
    fn next_handle(&self) -> u64 {
        NEXT_HANDLE.fetch_add(1, Ordering::Relaxed)
    }

    fn session(&self, id: u64) -> Result<Arc<Session>, OpError> {
        self.sessions
            .lock()
            .ok()
            .and_then(|s| s.get(&id).cloned())
            .ok_or_else(|| {
                OpError::invalid("This session is closed; run Connect-OutlookQrGuard again")
                    .with_code("SessionClosed")
            })
    }

    fn listing(&self, id: u64) -> Result<Arc<Listing>, OpError> {
        self.listings
            .lock()
            .ok()
            .and_then(|l| l.get(&id).cloned())
            .ok_or_else(|| {
                OpError::invalid("The device listing is closed").with_code("ListingClosed")
            })
    }

    fn forget_listing(&self, id: u64) -> bool {
        self.listings
            .lock()
            .map(|mut l| l.remove(&id).is_some())
            .unwrap_or(false)
    }

    fn signin_listing(&self, id: u64) -> Result<Arc<EvidenceListing>, OpError> {
        self.signin_listings
            .lock()
            .ok()
            .and_then(|l| l.get(&id).cloned())
            .ok_or_else(|| {
                OpError::invalid("The sign-in evidence listing is closed")
                    .with_code("ListingClosed")
            })
    }

    fn impact_listing(&self, id: u64) -> Result<Arc<BlockImpactSlot>, OpError> {
        self.impact_listings
            .lock()
            .ok()
            .and_then(|l| l.get(&id).cloned())
            .ok_or_else(|| {
                OpError::invalid("The block-impact listing is closed").with_code("ListingClosed")
            })
    }

    fn forget_impact_listing(&self, id: u64) -> bool {
        self.impact_listings
            .lock()
            .map(|mut l| l.remove(&id).is_some())
            .unwrap_or(false)
    }

    fn forget_signin_listing(&self, id: u64) -> bool {
        self.signin_listings
            .lock()
            .map(|mut l| l.remove(&id).is_some())
            .unwrap_or(false)
    }
}

/// The session keeps the callback (and so C#'s pinned delegate) for as long as it lives.
fn sign_through(callback: SignerCallback) -> crate::auth::SignFn {
    use base64::Engine as _;
    Arc::new(move |algorithm, signing_input| {
        let name = match algorithm {
            crate::auth::AssertionAlgorithm::Ps256 => "PS256",
            crate::auth::AssertionAlgorithm::Rs256 => "RS256",
        };
        let input = String::from_utf8_lossy(signing_input).into_owned();
        // call_if_some: a null delegate must not panic on an engine thread.
        // The signature completes a bearer credential (the assertion): no copy outlives its use.
        let reply = zeroize::Zeroizing::new(
            callback
                .call_if_some(
                    ffi::String::from_string(name.to_owned()),
                    ffi::String::from_string(input),
                )
                .map(ffi::String::into_string)
                .unwrap_or_else(|| "error: no signer was given".to_owned()),
        );
        if let Some(why) = reply.strip_prefix("error:") {
            return Err(crate::auth::SignerError(format!(
                "the certificate's key could not sign: {}",
                why.trim()
            )));
        }
        base64::engine::general_purpose::STANDARD
            .decode(reply.trim())
            .map_err(|_| {
                crate::auth::SignerError("the certificate's signer returned no signature".into())
            })
    })
}

fn ffi_result<T>(result: Result<T, OpError>) -> ffi::Result<T, Error>
where
    T: interoptopus::lang::types::TypeInfo,
{
    match result {
        Ok(v) => ffi::Ok(v),
        Err(e) => ffi::Err(e.into()),
    }
}

#[ffi]
impl Engine {
    pub fn create() -> ffi::Result<Self, Error> {
        panic_to_result(|| {
            crate::http::install_crypto_provider();
            ffi::Ok(Self {
                runtime: Tokio::new(),
                sessions: Mutex::default(),
                listings: Mutex::default(),
                signin_listings: Mutex::default(),
                impact_listings: Mutex::default(),
                revoke_cancels: Mutex::default(),
            })
        })
    }

    pub fn build_info(&self) -> ffi::Result<Wire<BuildInfo>, Error> {
        panic_to_result(|| {
            ffi::Ok(Wire::from(BuildInfo {
                version: build_info::VERSION.to_string(),
                target: build_info::target(),
                profile: build_info::profile().to_string(),
                device_properties: crate::device::PROPERTY_NAMES
                    .iter()
                    .map(|n| (*n).to_owned())
                    .collect(),
            }))
        })
    }

    /// A round trip through every layer without a tenant: reports `steps` progress ticks,
    /// `step_ms` apart, logs each, and returns the number of steps done. `fail_at` > 0 makes
    /// that step fail and `panic_at` > 0 makes it panic, so the error and panic paths are
    /// testable end to end.
    pub async fn self_test(
        _this: Async<Self>,
        steps: u32,
        step_ms: u32,
        fail_at: u32,
        panic_at: u32,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> ffi::Result<u32, Error> {
        for step in 1..=steps {
            tokio::time::sleep(Duration::from_millis(u64::from(step_ms))).await;
            if step == panic_at {
                // The panic stays on this Tokio task: interoptopus reports it to C# as a cancelled task.
                panic!("self-test panic at step {step}");
            }
            if step == fail_at {
                return ffi::Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("The self-test was asked to fail at step {step}."),
                    "SelfTestFailure",
                    step.to_string(),
                ));
            }
            progress.call(u64::from(step), u64::from(steps));
            log.call(
                4,
                ffi::String::from_string(format!("self-test step {step} of {steps}")),
            );
        }
        ffi::Ok(steps)
    }

    /// Signs in (Connect-OutlookQrGuard) and returns the new session.
    pub async fn connect(
        this: Async<Self>,
        mut request: Wire<ConnectRequest>,
        prompt: PromptCallback,
        signer: SignerCallback,
        log: LogCallback,
    ) -> ffi::Result<Wire<SessionInfo>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let request = request.unwire();
            let prompt = Arc::new(Mutex::new(Some(prompt)));
            let shown = Arc::clone(&prompt);
            let spec = convert::connect_spec(
                request,
                Arc::new(move |text: &str| {
                    if let Ok(guard) = shown.lock()
                        && let Some(cb) = guard.as_ref()
                    {
                        cb.call(ffi::String::from_string(text.to_owned()));
                        return true;
                    }
                    false
                }),
                sign_through(signer),
            )?;
            let session = Session::connect(spec, CancellationToken::new()).await;
            // The prompt callback dies with this call; the credential may keep the closure.
            if let Ok(mut guard) = prompt.lock() {
                guard.take();
            }
            let session = session?;
            let id = this.next_handle();
            let s = &session.summary;
            let info = SessionInfo {
                session_id: id,
                tenant: s.tenant.clone(),
                organization: s.organization.clone(),
                environment: s.environment.clone(),
                method: s.method.clone(),
                client_id: s.client_id.clone(),
                user_principal_name: s.user_principal_name.clone(),
                custom_endpoints: s.custom_endpoints.join(", "),
            };
            if let Ok(mut sessions) = this.sessions.lock() {
                sessions.insert(id, Arc::new(session));
            }
            Ok(Wire::from(info))
        })
        .await;
        ffi_result(result)
    }

    /// Forgets a session (Disconnect-OutlookQrGuard); its tokens are dropped with it.
    pub fn disconnect(&self, session_id: u64) -> ffi::Result<bool, Error> {
        panic_to_result(|| {
            ffi::Ok(
                self.sessions
                    .lock()
                    .map(|mut s| s.remove(&session_id).is_some())
                    .unwrap_or(false),
            )
        })
    }

    /// Both layers of the QR sign-in (Test-OutlookQrSignin): the Outlook on the web prompt and
    /// the Conditional Access block. Only the Exchange half can fail the call; a Conditional
    /// Access half that cannot be read is `Unknown` with its reason. With `read_owa`, also the
    /// semi-documented OWA mailbox policy layer (Unknown with its reason when unreadable).
    pub async fn check_prompt(
        this: Async<Self>,
        session_id: u64,
        read_owa: bool,
        log: LogCallback,
    ) -> ffi::Result<Wire<SigninCheck>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            // -Quiet does not show the OWA layer: skip its mailbox scan.
            let owa = async {
                if read_owa {
                    owa_account_transfer::check_or_unknown(&session).await
                } else {
                    owa_account_transfer::not_read()
                }
            };
            let (state, owa) = tokio::join!(prompt::check_both(&session), owa);
            let mut state = state?;
            if let Some(finding) = owa_account_transfer::finding(&owa, state.verdict) {
                state.reason = format!("{} {finding}", state.reason);
            }
            let warnings = state.conditional_access.warnings.clone();
            Ok(Wire::from(SigninCheck {
                organization: state.prompt.organization,
                prompt_enabled: state.prompt.prompt_enabled,
                settings: state
                    .prompt
                    .settings
                    .into_iter()
                    .map(|(name, value)| convert::setting(name, &value))
                    .collect(),
                verdict: state.verdict.as_str().to_owned(),
                reason: state.reason,
                warnings,
                conditional_access: convert::conditional_access_state(state.conditional_access),
                exposed: state.exposed,
                owa_account_transfer: owa::layer(owa),
            }))
        })
        .await;
        ffi_result(result)
    }

    /// Plans Block-OutlookAuthenticationTransfer: resolves the exclusions (unknown or ambiguous
    /// ones fail here), reads the policies, decides Create / Update / None. Writes nothing.
    pub async fn plan_block(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<BlockRequest>,
        log: LogCallback,
    ) -> ffi::Result<Wire<PolicyPlan>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let r = request.unwire();
            let plan = conditional_access::plan_block(
                &session,
                r.enforce,
                &r.exclude_users,
                &r.exclude_groups,
            )
            .await?;
            Ok(Wire::from(convert::policy_plan(plan)))
        })
        .await;
        ffi_result(result)
    }

    /// Plans Unblock-OutlookAuthenticationTransfer (Delete of the module's own policy, or None).
    pub async fn plan_unblock(
        this: Async<Self>,
        session_id: u64,
        log: LogCallback,
    ) -> ffi::Result<Wire<PolicyPlan>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let plan = conditional_access::plan_unblock(&session).await?;
            Ok(Wire::from(convert::policy_plan(plan)))
        })
        .await;
        ffi_result(result)
    }

    /// Sends exactly the plan; refuses one whose path is not under the policy collection.
    pub async fn apply_policy_plan(
        this: Async<Self>,
        session_id: u64,
        mut plan: Wire<PolicyPlan>,
        log: LogCallback,
    ) -> ffi::Result<Wire<PolicyChange>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let plan = convert::plan_from_wire(plan.unwire())?;
            let change = conditional_access::apply(&session, plan).await?;
            Ok(Wire::from(convert::policy_change(change)))
        })
        .await;
        ffi_result(result)
    }

    /// Starts listing transfer sign-ins (Get-OutlookQrSigninEvidence); pages come from
    /// `next_signin_page`.
    pub async fn open_signin_evidence(
        this: Async<Self>,
        session_id: u64,
        mut query: Wire<EvidenceQuery>,
    ) -> ffi::Result<u64, Error> {
        let result = async {
            let session = this.session(session_id)?;
            let spec = convert::evidence_spec(query.unwire())?;
            let listing = SigninListing::start(&session, &spec)?;
            let id = this.next_handle();
            if let Ok(mut l) = this.signin_listings.lock() {
                l.insert(
                    id,
                    Arc::new(EvidenceListing {
                        pages: tokio::sync::Mutex::new(listing),
                        log: BufferedLog::default(),
                    }),
                );
            }
            Ok(id)
        }
        .await;
        ffi_result(result)
    }

    /// The next page of an evidence listing; it closes itself after the last page or an error.
    pub async fn next_signin_page(
        this: Async<Self>,
        listing_id: u64,
    ) -> ffi::Result<Wire<SigninPage>, Error> {
        let result = async {
            let listing = this.signin_listing(listing_id)?;
            let mut pages = listing.pages.lock().await;
            let next = log_sink::scope(listing.log.sink(), pages.next_page()).await;
            let pages_read = pages.pages_read();
            let server_side_filter = pages.server_side_filter();
            drop(pages);
            match next {
                Some(Ok(page)) => Ok(Wire::from(SigninPage {
                    events: page.events.into_iter().map(convert::signin_event).collect(),
                    warnings: page.warnings,
                    logs: listing.log.drain(),
                    pages_read,
                    server_side_filter,
                    done: false,
                })),
                Some(Err(e)) => {
                    this.forget_signin_listing(listing_id);
                    Err(e)
                }
                None => {
                    this.forget_signin_listing(listing_id);
                    Ok(Wire::from(SigninPage {
                        events: Vec::new(),
                        warnings: Vec::new(),
                        logs: listing.log.drain(),
                        pages_read,
                        server_side_filter,
                        done: true,
                    }))
                }
            }
        }
        .await;
        ffi_result(result)
    }

    /// Stops an evidence listing early.
    pub fn close_signin_listing(&self, listing_id: u64) -> ffi::Result<bool, Error> {
        panic_to_result(|| ffi::Ok(self.forget_signin_listing(listing_id)))
    }

    /// Turns the prompt on or off; writes only when it differs (Enable/Disable-OutlookQrSignin).
    pub async fn set_prompt(
        this: Async<Self>,
        session_id: u64,
        enabled: bool,
        log: LogCallback,
    ) -> ffi::Result<Wire<PromptChange>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let change = prompt::set(&session, enabled).await?;
            Ok(Wire::from(PromptChange {
                organization: change.organization,
                previous: change.previous,
                current: change.current,
                changed: change.changed,
                warnings: change.warnings,
            }))
        })
        .await;
        ffi_result(result)
    }

    /// `-IncludeOwaAccountTransfer`'s plan: every OWA mailbox policy and whether setting
    /// AccountTransferEnabled to `enabled` would write it. Writes nothing (-WhatIf shows it).
    pub async fn plan_owa_account_transfer(
        this: Async<Self>,
        session_id: u64,
        enabled: bool,
        log: LogCallback,
    ) -> ffi::Result<Wire<OwaTransferPlan>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let rows = owa_account_transfer::set_all(&session, enabled, true).await?;
            Ok(Wire::from(owa::plan(rows, enabled)))
        })
        .await;
        ffi_result(result)
    }

    /// Sets AccountTransferEnabled on one planned policy (one call per policy the admin
    /// confirmed); reads it first and writes only when it differs.
    pub async fn set_owa_account_transfer(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<OwaPolicySet>,
        log: LogCallback,
    ) -> ffi::Result<Wire<OwaPolicyChange>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let r = request.unwire();
            let change = owa_account_transfer::set_one(&session, &r.policy, r.enabled).await?;
            Ok(Wire::from(owa::change(change, r.enabled)))
        })
        .await;
        ffi_result(result)
    }

    /// Starts listing devices (Get-OutlookMobileDevice); pages come from `next_device_page`.
    pub async fn open_device_listing(
        this: Async<Self>,
        session_id: u64,
        mut query: Wire<DeviceQuery>,
    ) -> ffi::Result<u64, Error> {
        let result = async {
            let session = this.session(session_id)?;
            let log = BufferedLog::default();
            let query = convert::device_query(query.unwire());
            let listing =
                log_sink::scope(log.sink(), async { DeviceListing::start(&session, &query) }).await;
            let id = this.next_handle();
            if let Ok(mut l) = this.listings.lock() {
                l.insert(
                    id,
                    Arc::new(Listing {
                        pages: tokio::sync::Mutex::new(listing),
                        log,
                    }),
                );
            }
            Ok(id)
        }
        .await;
        ffi_result(result)
    }

    /// The next page of a listing; the listing closes itself after the last page or an error.
    pub async fn next_device_page(
        this: Async<Self>,
        listing_id: u64,
    ) -> ffi::Result<Wire<DevicePage>, Error> {
        let result = async {
            let listing = this.listing(listing_id)?;
            let next = listing.pages.lock().await.next_page().await;
            let pages_read = listing.pages.lock().await.pages_read();
            match next {
                Some(Ok(page)) => Ok(Wire::from(DevicePage {
                    devices: page.items.into_iter().map(convert::device_record).collect(),
                    warnings: page.warnings,
                    logs: listing.log.drain(),
                    pages_read,
                    done: false,
                })),
                Some(Err(e)) => {
                    this.forget_listing(listing_id);
                    Err(e)
                }
                None => {
                    this.forget_listing(listing_id);
                    Ok(Wire::from(DevicePage {
                        devices: Vec::new(),
                        warnings: Vec::new(),
                        logs: listing.log.drain(),
                        pages_read,
                        done: true,
                    }))
                }
            }
        }
        .await;
        ffi_result(result)
    }

    /// A stop signal for one `revoke_sessions` call (its `cancel_id`).
    pub fn open_revoke_cancel(&self) -> ffi::Result<u64, Error> {
        panic_to_result(|| {
            let id = self.next_handle();
            match self.revoke_cancels.lock() {
                Ok(mut c) => {
                    c.insert(id, CancellationToken::new());
                    ffi::Ok(id)
                }
                Err(_) => ffi::Err(OpError::invalid("The engine's state is unusable").into()),
            }
        })
    }

    /// Stops the revoke call holding `cancel_id`: nothing more is sent, and the call returns
    /// every user's outcome. False when no call holds it (already finished).
    pub fn cancel_revoke(&self, cancel_id: u64) -> ffi::Result<bool, Error> {
        panic_to_result(|| {
            let token = self
                .revoke_cancels
                .lock()
                .ok()
                .and_then(|c| c.get(&cancel_id).cloned());
            if let Some(t) = &token {
                t.cancel();
            }
            ffi::Ok(token.is_some())
        })
    }

    /// Stops a listing early (the pipeline was stopped, or Select-Object -First had enough).
    pub fn close_device_listing(&self, listing_id: u64) -> ffi::Result<bool, Error> {
        panic_to_result(|| ffi::Ok(self.forget_listing(listing_id)))
    }

    /// Streams the devices into a CSV file (Export-OutlookMobileDevice). Progress: devices
    /// written so far (total unknown, 0).
    pub async fn export_devices(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<ExportRequest>,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> ffi::Result<Wire<ExportSummary>, Error> {
        let call_log = CallLog::new(log);
        let progress = Arc::new(progress);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let spec = convert::export_spec(request.unwire())?;
            let encoding = spec.options.encoding.display_name().to_owned();
            let report = Arc::clone(&progress);
            let outcome =
                export::export(&session, spec, move |p| report.call(p.devices_written, 0)).await?;
            Ok(Wire::from(ExportSummary {
                path: outcome.path.display().to_string(),
                devices: outcome.devices,
                users: outcome.users,
                pages: outcome.pages,
                bytes: outcome.bytes,
                encoding,
                warnings: outcome.warnings,
                devices_with_evidence: outcome.devices_with_evidence,
                users_with_evidence: outcome.users_with_evidence,
            }))
        })
        .await;
        ffi_result(result)
    }

    /// Revokes the users' sign-in sessions (Revoke-OutlookMobileSignin): one outcome per
    /// distinct user. Progress: users done of users in total.
    pub async fn revoke_sessions(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<RevokeRequest>,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> ffi::Result<Wire<RevokeBatch>, Error> {
        let call_log = CallLog::new(log);
        let request = request.unwire();
        let cancel_id = request.cancel_id;
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let cancel = this
                .revoke_cancels
                .lock()
                .ok()
                .and_then(|c| c.get(&cancel_id).cloned())
                .unwrap_or_default();
            let result_file = match request.result_path.as_deref() {
                Some(path) => Some(revoke::ResultFile::create(Path::new(path))?),
                None => None,
            };
            let targets = convert::revoke_targets(request.targets);
            let records = Mutex::new(Vec::new());
            let totals = revoke::revoke(&session, targets, cancel, &|record| {
                if let Ok(mut r) = records.lock() {
                    r.push(record);
                    progress.call(r.len() as u64, 0);
                }
            })
            .await?;
            let records = records.into_inner().unwrap_or_default();
            if let Some(file) = result_file {
                file.write(&records)?;
            }
            let outcomes: Vec<RevokeOutcome> = records
                .into_iter()
                .map(|record| RevokeOutcome {
                    requested: record.input,
                    user_principal_name: record.user_principal_name,
                    user_id: record.user_id,
                    status: record.status.as_str().to_owned(),
                    message: record.message,
                    code: String::new(),
                })
                .collect();
            Ok(Wire::from(RevokeBatch {
                done_users: outcomes.len() as u64,
                total_users: totals.users as u64,
                outcomes,
                done: true,
            }))
        })
        .await;
        if let Ok(mut c) = this.revoke_cancels.lock() {
            c.remove(&cancel_id);
        }
        ffi_result(result)
    }

    /// The audit report (Get-OutlookQrGuardReport). Progress: devices read so far.
    pub async fn build_report(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<ReportRequest>,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> ffi::Result<Wire<ReportResult>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let r = request.unwire();
            let format = ReportFormat::parse(&r.format).ok_or_else(|| {
                OpError::invalid(format!(
                    "'{}' is not a report format; use Html, Json or Csv",
                    r.format
                ))
                .with_target(r.format.clone())
            })?;
            let spec = ReportSpec {
                format,
                path: r.path.map(std::path::PathBuf::from),
                overwrite: r.overwrite,
                query: convert::device_query(r.query),
                culture: r.culture,
            };
            let outcome = report::build(&session, spec, |n| progress.call(n, 0)).await?;
            let a = outcome.report;
            Ok(Wire::from(ReportResult {
                organization: a.organization,
                verdict: a.verdict,
                prompt_enabled: a.prompt_enabled,
                outlook_mobile_devices: a.outlook_mobile_devices,
                users_with_devices: a.users_with_devices,
                recommendations: a.recommendations,
                path: outcome.path.map(|p| p.display().to_string()),
                text: outcome.text,
                conditional_access_state: a.conditional_access.state,
                transfer_users: a.evidence.users,
                transfer_signins: a.evidence.signins,
            }))
        })
        .await;
        ffi_result(result)
    }
    /// Test-OutlookQrSignin -BaselinePath (issue #17): the current posture compared with the
    /// baseline snapshot file and, with `write`, written over it. A baseline that is corrupt, of
    /// another schema version or of another tenant fails the call and is never overwritten.
    pub async fn compare_baseline(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<BaselineRequest>,
        log: LogCallback,
    ) -> ffi::Result<Wire<BaselineResult>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let r = request.unwire();
            let spec = drift::BaselineSpec {
                path: std::path::PathBuf::from(r.path),
                write: r.write,
                window_days: match r.window_days {
                    0 => crate::ops::evidence::DEFAULT_WINDOW_DAYS,
                    n => i64::from(n),
                },
            };
            let outcome = drift::compare_baseline(&session, &spec).await?;
            let got_worse = drift::got_worse(&outcome.differences);
            let baseline_found = outcome.baseline.is_some();
            let (baseline_taken_at_utc, baseline_verdict) = outcome
                .baseline
                .map(|b| (b.taken_at_utc, b.verdict))
                .unwrap_or_default();
            Ok(Wire::from(BaselineResult {
                organization: outcome.current.organization,
                tenant_id: outcome.current.tenant_id,
                verdict: outcome.current.verdict,
                taken_at_utc: outcome.current.taken_at_utc,
                baseline_found,
                baseline_taken_at_utc,
                baseline_verdict,
                written_path: outcome.written.map(|p| p.display().to_string()),
                differences: outcome
                    .differences
                    .into_iter()
                    .map(|d| DriftDifference {
                        severity: d.severity.as_str().to_owned(),
                        path: d.path,
                        what: d.what,
                        from_value: d.from,
                        to_value: d.to,
                    })
                    .collect(),
                got_worse,
            }))
        })
        .await;
        ffi_result(result)
    }

    /// Sends the check result, drift differences and (optionally) transfer sign-ins to Azure
    /// Monitor's Logs Ingestion API (Send-OutlookQrGuardLog). Progress: rows sent of rows.
    pub async fn send_logs(
        this: Async<Self>,
        session_id: u64,
        mut request: Wire<LogSendRequest>,
        progress: ProgressCallback,
        log: LogCallback,
    ) -> ffi::Result<Wire<LogSendSummary>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let spec = super::log_send::log_send_spec(request.unwire())?;
            let outcome = crate::ops::log_ingestion::send(&session, spec, |done, total| {
                progress.call(done, total)
            })
            .await?;
            Ok(Wire::from(super::log_send::log_send_summary(outcome)))
        })
        .await;
        ffi_result(result)
    }

    /// Checks many tenants at once (Get-OutlookQrFleetStatus): every layer, the evidence
    /// summary and the would-be-blocked summary per session, at most `throttle_limit` at once.
    /// A tenant's failure is in its row; only a bad request fails the call.
    pub async fn fleet_status(
        this: Async<Self>,
        mut request: Wire<FleetRequest>,
        log: LogCallback,
    ) -> ffi::Result<Wire<FleetStatusResult>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let r = request.unwire();
            let members = r
                .sessions
                .into_iter()
                .map(|s| crate::ops::fleet::FleetMember {
                    session: this.session(s.session_id).ok(),
                    label: s.label,
                })
                .collect();
            let started = std::time::Instant::now();
            let rows = crate::ops::fleet::run(members, r.throttle_limit).await?;
            Ok(Wire::from(FleetStatusResult {
                rows: rows.into_iter().map(super::fleet::to_wire).collect(),
                elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            }))
        })
        .await;
        ffi_result(result)
    }

    /// The fleet page (Get-OutlookQrGuardReport -FleetRow) from rows of `fleet_status`.
    pub fn build_fleet_report(
        &self,
        mut request: Wire<FleetReportRequest>,
    ) -> ffi::Result<Wire<FleetReportResult>, Error> {
        panic_to_result(|| {
            let result = (|| {
                let r = request.unwire();
                let format = ReportFormat::parse(&r.format).ok_or_else(|| {
                    OpError::invalid(format!(
                        "'{}' is not a fleet report format; use Html or Json",
                        r.format
                    ))
                    .with_target(r.format.clone())
                })?;
                let outcome = crate::ops::fleet_report::build(
                    r.rows.into_iter().map(super::fleet::from_wire).collect(),
                    crate::ops::fleet_report::FleetReportSpec {
                        format,
                        path: r.path.map(std::path::PathBuf::from),
                        overwrite: r.overwrite,
                    },
                )?;
                Ok(Wire::from(FleetReportResult {
                    text: outcome.text,
                    path: outcome.path.map(|p| p.display().to_string()),
                    tenants: outcome.tenants,
                    tenants_at_risk: outcome.tenants_at_risk,
                }))
            })();
            ffi_result(result)
        })
    }

    /// Starts Get-OutlookQrBlockImpact: reads the policies (fails when no report-only policy
    /// blocks authentication transfer); the sign-ins come from `next_block_impact_page`.
    pub async fn open_block_impact(
        this: Async<Self>,
        session_id: u64,
        mut query: Wire<EvidenceQuery>,
    ) -> ffi::Result<u64, Error> {
        let log = BufferedLog::default();
        let result = log_sink::scope(log.sink(), async {
            let session = this.session(session_id)?;
            let spec = convert::evidence_spec(query.unwire())?;
            let listing = ImpactListing::start(&session, &spec).await?;
            let id = this.next_handle();
            if let Ok(mut l) = this.impact_listings.lock() {
                l.insert(
                    id,
                    Arc::new(BlockImpactSlot {
                        listing: tokio::sync::Mutex::new(Some(listing)),
                        log: log.clone(),
                    }),
                );
            }
            Ok(id)
        })
        .await;
        ffi_result(result)
    }

    /// Reads and counts one more page of a block-impact listing; the last call returns the rows
    /// and the summary (`done`) and closes the listing, as does an error.
    pub async fn next_block_impact_page(
        this: Async<Self>,
        listing_id: u64,
    ) -> ffi::Result<Wire<BlockImpactPage>, Error> {
        let result = async {
            let slot = this.impact_listing(listing_id)?;
            let mut guard = slot.listing.lock().await;
            let Some(listing) = guard.as_mut() else {
                return Err(OpError::invalid("The block-impact listing is closed")
                    .with_code("ListingClosed"));
            };
            let next = log_sink::scope(slot.log.sink(), listing.next_page()).await;
            match next {
                Some(Ok(events_read)) => Ok(Wire::from(BlockImpactPage {
                    rows: Vec::new(),
                    events_read,
                    pages_read: listing.pages_read(),
                    logs: slot.log.drain(),
                    summary: super::block_impact::empty_summary(),
                    done: false,
                })),
                Some(Err(e)) => {
                    *guard = None;
                    this.forget_impact_listing(listing_id);
                    Err(e)
                }
                None => {
                    let finished = guard.take();
                    this.forget_impact_listing(listing_id);
                    let Some(listing) = finished else {
                        return Err(OpError::invalid("The block-impact listing is closed")
                            .with_code("ListingClosed"));
                    };
                    let (rows, summary) =
                        log_sink::scope(slot.log.sink(), async { listing.finish() }).await;
                    Ok(Wire::from(BlockImpactPage {
                        events_read: summary.events_read,
                        pages_read: summary.pages,
                        rows: rows.into_iter().map(super::block_impact::row).collect(),
                        logs: slot.log.drain(),
                        summary: super::block_impact::summary(summary),
                        done: true,
                    }))
                }
            }
        }
        .await;
        ffi_result(result)
    }

    /// Stops a block-impact listing early.
    pub fn close_block_impact(&self, listing_id: u64) -> ffi::Result<bool, Error> {
        panic_to_result(|| ffi::Ok(self.forget_impact_listing(listing_id)))
    }

    /// The block-impact totals alone (Test-OutlookQrSignin's evidence for a report-only block):
    /// the whole listing read at once, over the default 30-day window.
    pub async fn summarize_block_impact(
        this: Async<Self>,
        session_id: u64,
        log: LogCallback,
    ) -> ffi::Result<Wire<BlockImpactSummary>, Error> {
        let call_log = CallLog::new(log);
        let result = log_sink::scope(call_log.sink(), async {
            let session = this.session(session_id)?;
            let spec = crate::ops::evidence::EvidenceSpec::default();
            let (_, summary) = transfer_block_impact::collect(&session, &spec).await?;
            Ok(Wire::from(super::block_impact::summary(summary)))
        })
        .await;
        ffi_result(result)
    }
}
