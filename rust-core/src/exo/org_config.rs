//! `Get-OrganizationConfig` / `Set-OrganizationConfig -MobileAppEducationEnabled`.

use serde_json::{Map, Value};

use super::{ExchangeClient, ExoError};

/// The tenant's organization config: `Name`, every `MobileApp*` / `OutlookMobile*` property
/// (in service order), and the rest untouched.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationConfig {
    pub name: Option<String>,
    /// `MobileAppEducationEnabled`: the Outlook on the web prompt that leads to the QR sign-in.
    pub mobile_app_education_enabled: Option<bool>,
    pub mobile_properties: Map<String, Value>,
    pub other: Map<String, Value>,
}

impl OrganizationConfig {
    pub fn from_object(object: Map<String, Value>) -> OrganizationConfig {
        let mut name = None;
        let mut mobile_properties = Map::new();
        let mut other = Map::new();
        for (key, value) in object {
            if key == "Name" {
                name = value.as_str().map(str::to_owned);
            } else if key.starts_with("MobileApp") || key.starts_with("OutlookMobile") {
                mobile_properties.insert(key, value);
            } else {
                other.insert(key, value);
            }
        }
        let mobile_app_education_enabled = mobile_properties
            .get("MobileAppEducationEnabled")
            .and_then(as_bool);
        OrganizationConfig {
            name,
            mobile_app_education_enabled,
            mobile_properties,
            other,
        }
    }
}

/// JSON booleans, and the `"True"`/`"False"` text some serializers emit.
fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

impl ExchangeClient {
    pub async fn get_organization_config(&self) -> Result<OrganizationConfig, ExoError> {
        let (items, _) = self
            .invoke_all::<Map<String, Value>>("Get-OrganizationConfig", Map::new())
            .await?;
        items
            .into_iter()
            .next()
            .map(OrganizationConfig::from_object)
            .ok_or_else(|| ExoError::Protocol("Get-OrganizationConfig returned no object".into()))
    }

    /// `Set-OrganizationConfig -MobileAppEducationEnabled $enabled`; returns the service's
    /// warnings (e.g. "no settings … have been modified").
    pub async fn set_mobile_app_education(&self, enabled: bool) -> Result<Vec<String>, ExoError> {
        let mut p = Map::new();
        p.insert("MobileAppEducationEnabled".into(), Value::Bool(enabled));
        let (_, warnings) = self
            .invoke_all::<Value>("Set-OrganizationConfig", p)
            .await?;
        Ok(warnings)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_mobile_properties_in_order() {
        let Value::Object(o) = json!({
            "Name": "contoso",
            "OutlookMobileGCCRestrictionsEnabled": false,
            "DisplayName": "Contoso",
            "MobileAppEducationEnabled": "True",
            "OutlookMobileSingleAccountEnabled": true
        }) else {
            unreachable!()
        };
        let c = OrganizationConfig::from_object(o);
        assert_eq!(c.name.as_deref(), Some("contoso"));
        assert_eq!(c.mobile_app_education_enabled, Some(true));
        assert_eq!(
            c.mobile_properties.keys().collect::<Vec<_>>(),
            [
                "OutlookMobileGCCRestrictionsEnabled",
                "MobileAppEducationEnabled",
                "OutlookMobileSingleAccountEnabled"
            ]
        );
        assert_eq!(c.other.keys().collect::<Vec<_>>(), ["DisplayName"]);
    }
}
