//! Transport shapes of the OWA mailbox policy layer (`AccountTransferEnabled`, semi-documented):
//! Test-OutlookQrSignin's third layer and the `-IncludeOwaAccountTransfer` plan and changes.

use interoptopus::ffi;

/// The OWA mailbox policy layer of Test-OutlookQrSignin. Not part of the verdict (see
/// `ops::owa_account_transfer::finding`): Microsoft does not document what the switch alone does.
#[ffi]
pub struct OwaLayerState {
    /// On | Off | Unknown | NotRead (Test-OutlookQrSignin -Quiet does not read it)
    pub state: String,
    /// A sentence; when Unknown: why it could not be read.
    pub reason: String,
    /// The service's code when Unknown (e.g. CommandNotFoundException); "" otherwise.
    pub code: String,
    /// How far Microsoft documents the switch (semi-documented).
    pub documentation: String,
    pub policies: Vec<OwaPolicyState>,
}

/// One OWA mailbox policy's switch and how many mailboxes it applies to.
#[ffi]
pub struct OwaPolicyState {
    pub name: String,
    pub is_default: bool,
    /// `None` when the service did not report it (the documented default is True).
    pub account_transfer_enabled: Option<bool>,
    /// For the default policy, including mailboxes with no policy assigned.
    pub mailboxes: u64,
}

/// What `-IncludeOwaAccountTransfer` would write: every policy, with `changed` = would change.
#[ffi]
pub struct OwaTransferPlan {
    pub target: bool,
    pub documentation: String,
    pub policies: Vec<OwaPolicyChange>,
}

/// One policy to set, as the plan named it.
#[ffi]
pub struct OwaPolicySet {
    pub policy: String,
    pub enabled: bool,
}

/// One policy's planned or applied change.
#[ffi]
pub struct OwaPolicyChange {
    pub policy: String,
    /// The value before (`None`: not reported by the service).
    pub previous: Option<bool>,
    pub current: bool,
    /// Plan: would be written; apply: was written.
    pub changed: bool,
    pub warnings: Vec<String>,
}
