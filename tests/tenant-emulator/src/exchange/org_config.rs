//! `Get-OrganizationConfig` / `Set-OrganizationConfig`: the Outlook mobile switches, with
//! changes journaled and visible to the next Get.

use serde_json::{Map, Value, json};

use super::params::Params;
use super::{CmdletCall, CmdletOutput, select};
use crate::clock;
use crate::http::Reply;
use crate::journal::ConfigChange;
use crate::state::State;
use crate::tenant::FOREST;

/// 2019-03-01T00:00:00Z in ticks: when the tenant was created.
const CREATED_TICKS: i64 = 1_551_398_400 * 10_000_000;

#[derive(Debug, Clone)]
pub struct OrgConfig {
    /// Settable booleans in display order.
    settings: Vec<(&'static str, bool)>,
    changed_ticks: i64,
}

/// The settable properties and their defaults. `MobileAppEducationEnabled` (default true) is
/// documented (Set-OrganizationConfig); the three `OutlookMobile*` switches are named by
/// ../shared/docs/exchange-admin-rest.md, their presence per tenant and defaults UNCONFIRMED. No
/// captured `Get-OrganizationConfig` answer is in tests/wire-examples: every other property
/// rendered below (names, values, order) is UNCONFIRMED.
const SETTABLE: &[(&str, bool)] = &[
    ("MobileAppEducationEnabled", true),
    ("OutlookMobileGCCRestrictionsEnabled", false),
    ("OutlookMobileHelpShiftEnabled", true),
    ("OutlookMobileSingleAccountEnabled", false),
];

impl Default for OrgConfig {
    fn default() -> Self {
        Self {
            settings: SETTABLE.to_vec(),
            changed_ticks: CREATED_TICKS + 3_000 * 86_400 * 10_000_000,
        }
    }
}

impl OrgConfig {
    /// A tenant whose admin already set MobileAppEducationEnabled (a fleet's hidden tenants).
    pub fn with_prompt(enabled: bool) -> Self {
        let mut config = Self::default();
        if let Some(slot) = config
            .settings
            .iter_mut()
            .find(|(n, _)| *n == "MobileAppEducationEnabled")
        {
            slot.1 = enabled;
        }
        config
    }

    fn get(&self, name: &str) -> Option<bool> {
        self.settings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

const GET_PARAMETERS: &[&str] = &["Identity"];
const SET_PARAMETERS: &[&str] = &[
    "MobileAppEducationEnabled",
    "OutlookMobileGCCRestrictionsEnabled",
    "OutlookMobileHelpShiftEnabled",
    "OutlookMobileSingleAccountEnabled",
    "Confirm",
];

fn render(state: &State, config: &OrgConfig) -> Map<String, Value> {
    let tenant = &state.tenant;
    let mut map = Map::new();
    let mut put = |k: &str, v: Value| {
        map.insert(k.to_owned(), v);
    };
    put("Name", json!(tenant.domain));
    put("DisplayName", json!(tenant.organization_name));
    put("Identity", json!(tenant.domain));
    put("Guid", json!(tenant.id.to_string()));
    put(
        "DistinguishedName",
        json!(format!(
            "CN=Configuration,CN={},CN=ConfigurationUnits,{}",
            tenant.domain,
            FOREST
                .split('.')
                .map(|p| format!("DC={p}"))
                .collect::<Vec<_>>()
                .join(",")
        )),
    );
    put("IsDehydrated", json!(false));
    put("OAuth2ClientProfileEnabled", json!(true));
    for (name, value) in &config.settings {
        put(name, json!(value));
    }
    put("ConnectorsEnabled", json!(true));
    put("ConnectorsEnabledForOutlook", json!(true));
    put("SendFromAliasEnabled", json!(false));
    put("AuditDisabled", json!(false));
    put("CustomerLockboxEnabled", json!(false));
    put("ReadTrackingEnabled", json!(false));
    put("ExchangeVersion", json!("0.20 (15.0.0.0)"));
    put(
        "WhenChanged",
        json!(clock::exchange_datetime(config.changed_ticks)),
    );
    put(
        "WhenCreated",
        json!(clock::exchange_datetime(CREATED_TICKS)),
    );
    put(
        "WhenChangedUTC",
        json!(clock::exchange_datetime(config.changed_ticks)),
    );
    put(
        "WhenCreatedUTC",
        json!(clock::exchange_datetime(CREATED_TICKS)),
    );
    put("IsValid", json!(true));
    put("ObjectState", json!("Unchanged"));
    map
}

pub fn get(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    Params::new(&call.parameters).allow_only(GET_PARAMETERS)?;
    let object = render(call.state, &call.state.org_config.lock());
    let names: Vec<&str> = object.keys().map(String::as_str).collect();
    let object = match select::resolve(&names, call.select.as_deref())? {
        Some(keep) => object
            .iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, (k, v))| (k.clone(), v.clone()))
            .collect(),
        None => object,
    };
    Ok(CmdletOutput::values(vec![Value::Object(object)]))
}

pub fn set(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let params = Params::new(&call.parameters);
    params.allow_only(SET_PARAMETERS)?;
    // Validate every value before changing anything, as parameter binding does.
    let mut requested = Vec::new();
    for (name, _) in SETTABLE {
        if let Some(value) = params.boolean(name)? {
            requested.push((*name, value));
        }
    }
    params.boolean("Confirm")?;
    let mut changes = Vec::new();
    {
        let mut config = call.state.org_config.lock();
        for (name, new) in requested {
            let old = config.get(name);
            if old != Some(new) {
                if let Some(slot) = config.settings.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = new;
                }
                changes.push(ConfigChange {
                    property: name.to_owned(),
                    old: old.map_or(Value::Null, Value::Bool),
                    new: Value::Bool(new),
                });
            }
        }
        if !changes.is_empty() {
            config.changed_ticks = clock::now_unix_millis() * 10_000;
        }
    }
    let mut output = CmdletOutput::values(Vec::new());
    if changes.is_empty() {
        // UNCONFIRMED: the warning text (../shared/docs/exchange-admin-rest.md).
        output.warnings.push(format!(
            "The command completed successfully but no settings of '{}' have been modified.",
            call.state.tenant.domain
        ));
    } else {
        call.state
            .journal
            .lock()
            .organization_config_changes
            .extend(changes);
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = OrgConfig::default();
        assert_eq!(c.get("MobileAppEducationEnabled"), Some(true));
        assert_eq!(c.get("Nope"), None);
    }
}
