//! `Get-OwaMailboxPolicy` / `Set-OwaMailboxPolicy -AccountTransferEnabled`: the Outlook on the
//! web mailbox policies and their QR-code sign-in switch, with changes journaled.
//!
//! Sources: MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/exchange/Set-OwaMailboxPolicy.md
//! ("-AccountTransferEnabled … This parameter is reserved for internal Microsoft use", Boolean,
//! Exchange Online only; -Identity is the policy's Name, DN or GUID); Microsoft365DSC
//! EXOOwaMailboxPolicy ("The AccountTransferEnabled parameter specifies whether to enable or
//! disable QR code sign-in. By default, QR code sign-in is enabled."). UNCONFIRMED: the REST
//! property set and order below, `Identity` rendered as the policy name, and the seeded policies.

use serde_json::{Map, Value, json};

use super::params::Params;
use super::{CmdletCall, CmdletOutput, errors};
use crate::clock;
use crate::http::Reply;
use crate::journal::OwaPolicyChange;

/// The name Exchange Online gives the default policy (Set-OwaMailboxPolicy.md, example 4).
pub const DEFAULT_POLICY: &str = "OwaMailboxPolicy-Default";

/// 2019-03-01T00:00:00Z in ticks, as for the organization configuration.
const CREATED_TICKS: i64 = 1_551_398_400 * 10_000_000;

#[derive(Debug, Clone)]
pub struct OwaPolicy {
    pub name: String,
    pub guid: uuid::Uuid,
    pub is_default: bool,
    pub account_transfer_enabled: bool,
    changed_ticks: i64,
}

#[derive(Debug, Clone)]
pub struct OwaPolicies(pub Vec<OwaPolicy>);

impl Default for OwaPolicies {
    /// The default policy plus two custom ones; "Contractors" already has the switch off.
    fn default() -> Self {
        let policy = |name: &str, n: u128, is_default: bool, on: bool| OwaPolicy {
            name: name.to_owned(),
            guid: uuid::Uuid::from_u128(0x0a0b_0000_0000_4000_8000_0000_0000_0000 | n),
            is_default,
            account_transfer_enabled: on,
            changed_ticks: CREATED_TICKS,
        };
        Self(vec![
            policy(DEFAULT_POLICY, 1, true, true),
            policy("Executives", 2, false, true),
            policy("Contractors", 3, false, false),
        ])
    }
}

impl OwaPolicies {
    fn find(&self, identity: &str) -> Option<usize> {
        let key = identity.trim();
        let guid = uuid::Uuid::parse_str(key).ok();
        self.0
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(key) || Some(p.guid) == guid)
    }
}

/// The policy a seeded mailbox is assigned (`Get-CASMailbox` OwaMailboxPolicy): most have none
/// (the default policy applies; UNCONFIRMED that the service shows those as empty), some name
/// the default explicitly, some a custom policy.
pub fn assigned_policy(user_index: u32) -> Option<&'static str> {
    match user_index % 20 {
        3 => Some("Executives"),
        7 | 13 => Some("Contractors"),
        11 => Some(DEFAULT_POLICY),
        _ => None,
    }
}

fn render(tenant_domain: &str, p: &OwaPolicy) -> Value {
    let mut map = Map::new();
    let mut put = |k: &str, v: Value| {
        map.insert(k.to_owned(), v);
    };
    put("Name", json!(p.name));
    put("Identity", json!(p.name));
    put("Id", json!(p.name));
    put("Guid", json!(p.guid.to_string()));
    put("IsDefault", json!(p.is_default));
    put("AccountTransferEnabled", json!(p.account_transfer_enabled));
    put(
        "DistinguishedName",
        json!(format!(
            "CN={},CN=OWA Mailbox Policies,CN={tenant_domain},CN=ConfigurationUnits",
            p.name
        )),
    );
    put(
        "WhenChanged",
        json!(clock::exchange_datetime(p.changed_ticks)),
    );
    put(
        "WhenChangedUTC",
        json!(clock::exchange_datetime(p.changed_ticks)),
    );
    put("IsValid", json!(true));
    put("ObjectState", json!("Unchanged"));
    Value::Object(map)
}

pub fn get(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let params = Params::new(&call.parameters);
    params.allow_only(&["Identity"])?;
    let identity = params.string("Identity")?;
    let policies = call.state.owa_policies.lock();
    let domain = &call.state.tenant.domain;
    let values = match identity {
        Some(id) => {
            let i = policies
                .find(&id)
                .ok_or_else(|| errors::object_not_found(&id))?;
            vec![render(domain, &policies.0[i])]
        }
        None => policies.0.iter().map(|p| render(domain, p)).collect(),
    };
    Ok(CmdletOutput::values(values))
}

pub fn set(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let params = Params::new(&call.parameters);
    params.allow_only(&["Identity", "AccountTransferEnabled", "Confirm"])?;
    let identity = params.string("Identity")?.ok_or_else(|| {
        // A mandatory parameter missing in a non-interactive call (UNCONFIRMED exact text).
        errors::cmdlet_error(
            "System.Management.Automation.ParameterBindingException",
            "Cannot process command because of one or more missing mandatory parameters: Identity.",
        )
    })?;
    let wanted = params.boolean("AccountTransferEnabled")?;
    params.boolean("Confirm")?;
    let mut policies = call.state.owa_policies.lock();
    let i = policies
        .find(&identity)
        .ok_or_else(|| errors::object_not_found(&identity))?;
    let policy = &mut policies.0[i];
    let mut output = CmdletOutput::values(Vec::new());
    match wanted {
        Some(new) if new != policy.account_transfer_enabled => {
            let old = policy.account_transfer_enabled;
            policy.account_transfer_enabled = new;
            policy.changed_ticks = clock::now_unix_millis() * 10_000;
            call.state
                .journal
                .lock()
                .owa_mailbox_policy_changes
                .push(OwaPolicyChange {
                    policy: policy.name.clone(),
                    property: "AccountTransferEnabled".to_owned(),
                    old: Value::Bool(old),
                    new: Value::Bool(new),
                });
        }
        // UNCONFIRMED: the warning text, as for Set-OrganizationConfig.
        _ => output.warnings.push(format!(
            "The command completed successfully but no settings of '{}' have been modified.",
            policy.name
        )),
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_policies_and_lookup() {
        let p = OwaPolicies::default();
        assert_eq!(p.0.iter().filter(|p| p.is_default).count(), 1);
        assert_eq!(p.find("owamailboxpolicy-default"), Some(0));
        assert_eq!(p.find(&p.0[2].guid.to_string()), Some(2));
        assert_eq!(p.find("nope"), None);
        assert_eq!(assigned_policy(3), Some("Executives"));
        assert_eq!(assigned_policy(0), None);
    }
}
