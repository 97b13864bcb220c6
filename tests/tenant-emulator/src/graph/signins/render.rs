//! One seeded sign-in event as the beta (or v1.0) `signIn` resource renders it. Ids, addresses
//! and locations are derived from the seed and the event's serial, so nothing is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::applied::{Subject, applied_policies};
use super::filter::SignInFields;
use crate::clock;
use crate::graph::conditional_access::PolicyHistory;
use crate::rng::{SeededRng, mix};
use crate::seed::{SeedData, SignIn, TransferMethod};

const ID_STREAM: u64 = 0x516E1D;
const SESSION_STREAM: u64 = 0x5E5510;
const PLACE_STREAM: u64 = 0x91ACE5;

/// (city, state, countryOrRegion, latitude, longitude)
const PLACES: &[(&str, &str, &str, f64, f64)] = &[
    ("Tokyo", "Tokyo", "JP", 35.6895, 139.6917),
    ("Osaka", "Osaka", "JP", 34.6937, 135.5023),
    ("Chiyoda", "Tokyo", "JP", 35.694, 139.7536),
    ("Seattle", "Washington", "US", 47.6062, -122.3321),
    ("London", "England", "GB", 51.5072, -0.1276),
    ("Zürich", "Zurich", "CH", 47.3769, 8.5417),
];

/// One event with the seeded data it refers to.
pub struct View<'a> {
    pub data: &'a SeedData,
    /// Home and resource tenant of every event (all users are members).
    pub tenant_id: uuid::Uuid,
    pub seed: u64,
    pub event: &'a SignIn,
    /// The Conditional Access policies over time; `None` when the caller may not read
    /// Conditional Access data (then `appliedConditionalAccessPolicies` is omitted).
    pub policies: Option<&'a PolicyHistory>,
    /// The request sent `Prefer: include-unknown-enum-members`.
    pub unknown_enum_members: bool,
}

impl SignInFields for View<'_> {
    fn created(&self) -> i64 {
        self.event.at
    }

    fn interactive(&self) -> bool {
        self.event.interactive
    }

    fn transfer(&self) -> TransferMethod {
        self.event.transfer
    }

    fn app_id(&self) -> &str {
        self.event.app().app_id
    }

    fn user_id(&self) -> String {
        self.data
            .user(self.event.user)
            .map(|u| u.id.to_string())
            .unwrap_or_default()
    }

    fn user_principal_name(&self) -> &str {
        self.data
            .user(self.event.user)
            .map_or("", |u| u.user_principal_name.as_str())
    }
}

impl Subject for View<'_> {
    fn user_index(&self) -> u32 {
        self.event.user
    }

    fn is_admin(&self) -> bool {
        self.data.user(self.event.user).is_some_and(|u| u.is_admin)
    }

    fn browser(&self) -> bool {
        self.event.app().browser
    }

    fn platform(&self) -> &'static str {
        match self.data.devices.get(self.event.device as usize) {
            Some(d) if d.os.starts_with("iOS") => "iOS",
            Some(d) if d.os.starts_with("Android") => "android",
            Some(_) => "windows",
            None if self.windows() => "windows",
            None => "macOS",
        }
    }

    fn has_mfa(&self) -> bool {
        self.event.failure().is_none() && self.is_admin()
    }
}

/// "iOS 17.5.1 21F90" → "iOS 17.5.1"; "Android 14.0.0" stays.
fn operating_system(os: &str) -> String {
    os.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

impl View<'_> {
    /// A sign-in without an Outlook partnership comes from Windows or a Mac.
    fn windows(&self) -> bool {
        !self
            .event
            .user
            .wrapping_add(self.event.session)
            .is_multiple_of(3)
    }

    pub fn render(&self, beta: bool) -> Value {
        let e = self.event;
        let app = e.app();
        let user = self.data.user(e.user);
        let id = SeededRng::for_item(self.seed, ID_STREAM, e.serial as u64).guid();
        let correlation = SeededRng::for_item(self.seed, SESSION_STREAM, e.session as u64).guid();
        let mut place_rng = SeededRng::for_item(self.seed, PLACE_STREAM, e.user as u64);
        let (city, state, country, lat, lon) = place_rng.pick(PLACES).copied().unwrap_or(PLACES[0]);
        let host = mix(mix(self.seed, e.user as u64), e.session as u64) % 254 + 1;
        let ip = if app.browser {
            format!("198.51.100.{host}")
        } else {
            format!("203.0.113.{host}")
        };
        let device = self.data.devices.get(e.device as usize);
        let device_detail = match device {
            Some(d) => json!({
                "deviceId": d.guid.to_string(),
                "displayName": d.friendly_name.as_deref().unwrap_or(""),
                "operatingSystem": operating_system(d.os),
                "browser": "",
                "isCompliant": d.is_compliant,
                "isManaged": d.is_managed,
                "trustType": "",
            }),
            None => {
                let windows = self.windows();
                json!({
                    "deviceId": "",
                    "displayName": "",
                    "operatingSystem": if windows { "Windows10" } else { "MacOs" },
                    "browser": if app.browser { if windows { "Edge 131.0.0" } else { "Safari 18.1" } } else { "" },
                    "isCompliant": false,
                    "isManaged": false,
                    "trustType": "",
                })
            }
        };
        let failure = e.failure();
        let status = match failure {
            Some((code, reason, _)) => {
                json!({"errorCode": code, "failureReason": reason, "additionalDetails": null})
            }
            None => json!({"errorCode": 0, "failureReason": "Other.", "additionalDetails": null}),
        };
        let ca_status = match failure {
            Some((_, _, true)) => "failure",
            _ if user.is_some_and(|u| u.is_admin) => "success",
            _ => "notApplied",
        };
        let event_type = if e.interactive {
            "interactiveUser"
        } else {
            "nonInteractiveUser"
        };
        let mut body = json!({
            "id": id.to_string(),
            "createdDateTime": clock::graph_datetime(e.at),
            "userDisplayName": user.map_or("", |u| u.display_name.as_str()),
            "userPrincipalName": user.map_or("", |u| u.user_principal_name.as_str()),
            "userId": user.map(|u| u.id.to_string()).unwrap_or_default(),
            "appId": app.app_id,
            "appDisplayName": app.display_name,
            "ipAddress": ip,
            "clientAppUsed": app.client_app_used,
            "correlationId": correlation.to_string(),
            "conditionalAccessStatus": ca_status,
            "isInteractive": e.interactive,
            "signInEventTypes": [event_type],
            "originalTransferMethod": e.transfer.as_str(),
            "authenticationProtocol": if e.transfer == TransferMethod::DeviceCodeFlow { "deviceCode" } else { "none" },
            "status": status,
            "deviceDetail": device_detail,
            "location": {
                "city": city,
                "state": state,
                "countryOrRegion": country,
                "geoCoordinates": {"altitude": null, "latitude": lat, "longitude": lon},
            },
        });
        let (resource_name, resource_id) = if app.browser {
            ("Microsoft Graph", "00000003-0000-0000-c000-000000000000")
        } else {
            (
                "Office 365 Exchange Online",
                "00000002-0000-0ff1-ce00-000000000000",
            )
        };
        if let Some(map) = body.as_object_mut() {
            // The rest of the resource, so a page has the keys the service's has. Keys: the
            // signin-list.md examples (v1.0 and beta) and a live beta capture, replayed from
            // tests/wire-examples/graph/signins-*.json. Values are neutral seeded stand-ins
            // (UNCONFIRMED as typical); the module reads none of them.
            let mut put = |k: &str, v: Value| {
                map.insert(k.to_owned(), v);
            };
            put("riskDetail", json!("none"));
            put("riskLevelAggregated", json!("none"));
            put("riskLevelDuringSignIn", json!("none"));
            put("riskState", json!("none"));
            put("riskEventTypes", json!([]));
            put("resourceDisplayName", json!(resource_name));
            put("resourceId", json!(resource_id));
            if let Some(history) = self.policies {
                put(
                    "appliedConditionalAccessPolicies",
                    applied_policies(
                        &history.at(e.at),
                        self.data,
                        self,
                        self.unknown_enum_members,
                        beta,
                    ),
                );
            }
            if beta {
                let mfa = ca_status == "success";
                put(
                    "userAgent",
                    json!(if app.browser {
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
                    } else {
                        ""
                    }),
                );
                put("originalRequestId", json!(id.to_string()));
                put("incomingTokenType", json!("none"));
                put("homeTenantId", json!(self.tenant_id.to_string()));
                put("homeTenantName", json!(""));
                put("isTenantRestricted", json!(false));
                put("tokenIssuerName", json!(""));
                put("tokenIssuerType", json!("AzureAD"));
                put("processingTimeInMilliseconds", json!(80 + host * 3));
                put("riskEventTypes_v2", json!([]));
                put("resourceTenantId", json!(self.tenant_id.to_string()));
                put("authenticationMethodsUsed", json!([]));
                put(
                    "authenticationRequirement",
                    json!(if mfa {
                        "multiFactorAuthentication"
                    } else {
                        "singleFactorAuthentication"
                    }),
                );
                put(
                    "uniqueTokenIdentifier",
                    json!(URL_SAFE_NO_PAD.encode(&id.as_bytes()[..12])),
                );
                put(
                    "signInIdentifier",
                    json!(user.map_or("", |u| u.user_principal_name.as_str())),
                );
                put("servicePrincipalId", json!(""));
                put("userType", json!("member"));
                put("flaggedForReview", json!(false));
                put("autonomousSystemNumber", json!(8075));
                put("crossTenantAccessType", json!("none"));
                put("sessionId", json!(correlation.to_string()));
                put("authenticationProcessingDetails", json!([]));
                put("networkLocationDetails", json!([]));
                put("authenticationDetails", json!([]));
                put("authenticationRequirementPolicies", json!([]));
                put("sessionLifetimePolicies", json!([]));
            } else {
                // The property exists on the beta resource only.
                map.remove("originalTransferMethod");
            }
        }
        body
    }
}
