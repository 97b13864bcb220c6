//! The v1.0 `conditionalAccessPolicy` type tree, validated the way Graph's OData layer does:
//! unknown properties at any level, enum literals, JSON node kinds, read-only properties and
//! directory object ids are refused; stored policies carry every property of their types.

use serde_json::{Map, Value};

/// Which directory objects (or keywords) an id collection may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    Users,
    Groups,
    Roles,
    Applications,
}

#[derive(Debug)]
pub enum Kind {
    String,
    Bool,
    Int,
    /// Single enum value: (enum type, members).
    Enum(&'static str, &'static [&'static str]),
    /// Flags enum serialised as a comma-separated string.
    Flags(&'static str, &'static [&'static str]),
    /// Collection of enum values.
    EnumList(&'static str, &'static [&'static str]),
    StringList,
    IdList(Ids),
    /// `AND` or `OR` (an Edm.String with two accepted values).
    Operator,
    Complex(&'static TypeDef),
    /// Accepted as sent (polymorphic types this emulator does not model).
    Opaque,
    /// Set by the service; refused in requests.
    ReadOnly,
}

#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    pub kind: Kind,
}

#[derive(Debug)]
pub struct TypeDef {
    pub name: &'static str,
    pub props: &'static [Prop],
}

const fn p(name: &'static str, kind: Kind) -> Prop {
    Prop { name, kind }
}

pub const POLICY_STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
pub const TRANSFER_METHODS: &[&str] = &[
    "none",
    "deviceCodeFlow",
    "authenticationTransfer",
    "unknownFutureValue",
];
const CLIENT_APPS: &[&str] = &[
    "all",
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
    "unknownFutureValue",
];
pub const GRANT_CONTROLS: &[&str] = &[
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "unknownFutureValue",
];
const RISK_LEVELS: &[&str] = &[
    "low",
    "medium",
    "high",
    "hidden",
    "none",
    "unknownFutureValue",
];
const INSIDER_RISK: &[&str] = &["minor", "moderate", "elevated", "unknownFutureValue"];
const PLATFORMS: &[&str] = &[
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "all",
    "unknownFutureValue",
    "linux",
];
const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
    "unknownFutureValue",
];

const FILTER: TypeDef = TypeDef {
    name: "conditionalAccessFilter",
    props: &[
        p("mode", Kind::Enum("filterMode", &["include", "exclude"])),
        p("rule", Kind::String),
    ],
};
const GUESTS: TypeDef = TypeDef {
    name: "conditionalAccessGuestsOrExternalUsers",
    props: &[
        p(
            "guestOrExternalUserTypes",
            Kind::Flags("conditionalAccessGuestOrExternalUserTypes", GUEST_TYPES),
        ),
        p("externalTenants", Kind::Opaque),
    ],
};
const USERS: TypeDef = TypeDef {
    name: "conditionalAccessUsers",
    props: &[
        p("excludeGroups", Kind::IdList(Ids::Groups)),
        p("excludeGuestsOrExternalUsers", Kind::Complex(&GUESTS)),
        p("excludeRoles", Kind::IdList(Ids::Roles)),
        p("excludeUsers", Kind::IdList(Ids::Users)),
        p("includeGroups", Kind::IdList(Ids::Groups)),
        p("includeGuestsOrExternalUsers", Kind::Complex(&GUESTS)),
        p("includeRoles", Kind::IdList(Ids::Roles)),
        p("includeUsers", Kind::IdList(Ids::Users)),
    ],
};
const APPLICATIONS: TypeDef = TypeDef {
    name: "conditionalAccessApplications",
    props: &[
        p("applicationFilter", Kind::Complex(&FILTER)),
        p("excludeApplications", Kind::IdList(Ids::Applications)),
        p("includeApplications", Kind::IdList(Ids::Applications)),
        p(
            "includeAuthenticationContextClassReferences",
            Kind::StringList,
        ),
        p("includeUserActions", Kind::StringList),
    ],
};
const AUTHENTICATION_FLOWS: TypeDef = TypeDef {
    name: "conditionalAccessAuthenticationFlows",
    props: &[p(
        "transferMethods",
        Kind::Flags("conditionalAccessTransferMethods", TRANSFER_METHODS),
    )],
};
const CLIENT_APPLICATIONS: TypeDef = TypeDef {
    name: "conditionalAccessClientApplications",
    props: &[
        p("excludeServicePrincipals", Kind::StringList),
        p("includeServicePrincipals", Kind::StringList),
        p("servicePrincipalFilter", Kind::Complex(&FILTER)),
    ],
};
const DEVICES: TypeDef = TypeDef {
    name: "conditionalAccessDevices",
    props: &[p("deviceFilter", Kind::Complex(&FILTER))],
};
const LOCATIONS: TypeDef = TypeDef {
    name: "conditionalAccessLocations",
    props: &[
        p("excludeLocations", Kind::StringList),
        p("includeLocations", Kind::StringList),
    ],
};
const PLATFORMS_TYPE: TypeDef = TypeDef {
    name: "conditionalAccessPlatforms",
    props: &[
        p(
            "excludePlatforms",
            Kind::EnumList("conditionalAccessDevicePlatform", PLATFORMS),
        ),
        p(
            "includePlatforms",
            Kind::EnumList("conditionalAccessDevicePlatform", PLATFORMS),
        ),
    ],
};
const CONDITIONS: TypeDef = TypeDef {
    name: "conditionalAccessConditionSet",
    props: &[
        p("applications", Kind::Complex(&APPLICATIONS)),
        p("authenticationFlows", Kind::Complex(&AUTHENTICATION_FLOWS)),
        p("clientApplications", Kind::Complex(&CLIENT_APPLICATIONS)),
        p(
            "clientAppTypes",
            Kind::EnumList("conditionalAccessClientApp", CLIENT_APPS),
        ),
        p("devices", Kind::Complex(&DEVICES)),
        p(
            "insiderRiskLevels",
            Kind::Flags("conditionalAccessInsiderRiskLevels", INSIDER_RISK),
        ),
        p("locations", Kind::Complex(&LOCATIONS)),
        p("platforms", Kind::Complex(&PLATFORMS_TYPE)),
        p(
            "servicePrincipalRiskLevels",
            Kind::EnumList("riskLevel", RISK_LEVELS),
        ),
        p("signInRiskLevels", Kind::EnumList("riskLevel", RISK_LEVELS)),
        p("userRiskLevels", Kind::EnumList("riskLevel", RISK_LEVELS)),
        p("users", Kind::Complex(&USERS)),
    ],
};
const GRANT: TypeDef = TypeDef {
    name: "conditionalAccessGrantControls",
    props: &[
        p("authenticationStrength", Kind::Opaque),
        p(
            "builtInControls",
            Kind::EnumList("conditionalAccessGrantControl", GRANT_CONTROLS),
        ),
        p("customAuthenticationFactors", Kind::StringList),
        p("operator", Kind::Operator),
        p("termsOfUse", Kind::StringList),
    ],
};
const ENABLED: TypeDef = TypeDef {
    name: "applicationEnforcedRestrictionsSessionControl",
    props: &[p("isEnabled", Kind::Bool)],
};
const CLOUD_APP_SECURITY: TypeDef = TypeDef {
    name: "cloudAppSecuritySessionControl",
    props: &[
        p(
            "cloudAppSecurityType",
            Kind::Enum(
                "cloudAppSecuritySessionControlType",
                &[
                    "mcasConfigured",
                    "monitorOnly",
                    "blockDownloads",
                    "unknownFutureValue",
                ],
            ),
        ),
        p("isEnabled", Kind::Bool),
    ],
};
const PERSISTENT_BROWSER: TypeDef = TypeDef {
    name: "persistentBrowserSessionControl",
    props: &[
        p("isEnabled", Kind::Bool),
        p(
            "mode",
            Kind::Enum("persistentBrowserSessionMode", &["always", "never"]),
        ),
    ],
};
const SIGN_IN_FREQUENCY: TypeDef = TypeDef {
    name: "signInFrequencySessionControl",
    props: &[
        p(
            "authenticationType",
            Kind::Enum(
                "signInFrequencyAuthenticationType",
                &[
                    "primaryAndSecondaryAuthentication",
                    "secondaryAuthentication",
                    "unknownFutureValue",
                ],
            ),
        ),
        p(
            "frequencyInterval",
            Kind::Enum(
                "signInFrequencyInterval",
                &["timeBased", "everyTime", "unknownFutureValue"],
            ),
        ),
        p("isEnabled", Kind::Bool),
        p(
            "type",
            Kind::Enum("signinFrequencyType", &["days", "hours"]),
        ),
        p("value", Kind::Int),
    ],
};
const SESSION: TypeDef = TypeDef {
    name: "conditionalAccessSessionControls",
    props: &[
        p("applicationEnforcedRestrictions", Kind::Complex(&ENABLED)),
        p("cloudAppSecurity", Kind::Complex(&CLOUD_APP_SECURITY)),
        p("disableResilienceDefaults", Kind::Bool),
        p("persistentBrowser", Kind::Complex(&PERSISTENT_BROWSER)),
        p("signInFrequency", Kind::Complex(&SIGN_IN_FREQUENCY)),
    ],
};
pub const POLICY: TypeDef = TypeDef {
    name: "conditionalAccessPolicy",
    props: &[
        p("conditions", Kind::Complex(&CONDITIONS)),
        p("createdDateTime", Kind::ReadOnly),
        p("description", Kind::String),
        p("displayName", Kind::String),
        p("grantControls", Kind::Complex(&GRANT)),
        p("id", Kind::ReadOnly),
        p("modifiedDateTime", Kind::ReadOnly),
        p("sessionControls", Kind::Complex(&SESSION)),
        p(
            "state",
            Kind::Enum("conditionalAccessPolicyState", POLICY_STATES),
        ),
        p("templateId", Kind::ReadOnly),
    ],
};

/// Order in which a stored policy's top-level properties are rendered (Graph's order).
pub const POLICY_ORDER: &[&str] = &[
    "id",
    "templateId",
    "displayName",
    "createdDateTime",
    "modifiedDateTime",
    "state",
    "sessionControls",
    "conditions",
    "grantControls",
];

/// Answers "is this an existing object?" for id collections.
pub trait Directory {
    fn user_exists(&self, id: &uuid::Uuid) -> bool;
    fn group_exists(&self, id: &uuid::Uuid) -> bool;
}

const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers"];
const APPLICATION_KEYWORDS: &[&str] = &["All", "None", "Office365", "MicrosoftAdminPortals"];

pub fn unknown_property(name: &str, type_name: &str) -> String {
    format!(
        "The property '{name}' does not exist on type 'microsoft.graph.{type_name}'. Make sure to only use property names that are defined by the type or mark the type as open type."
    )
}

pub fn bad_enum(value: &str, enum_type: &str) -> String {
    format!(
        "Cannot convert the literal '{value}' to the expected type 'microsoft.graph.{enum_type}'."
    )
}

/// UNCONFIRMED: Graph's text for a read-only property in a request body.
pub fn read_only(name: &str) -> String {
    format!("The property '{name}' is read-only and cannot be set by the client.")
}

/// UNCONFIRMED: Graph's text for an include/exclude id that names nothing.
pub fn unknown_object(property: &str, value: &str) -> String {
    format!(
        "Invalid value '{value}' in '{property}': it is neither a supported keyword nor the id of an existing object in the directory."
    )
}

/// UNCONFIRMED: Graph's text for a required property that is missing.
pub fn missing_required(path: &str) -> String {
    format!("The required property '{path}' is missing or empty.")
}

/// UNCONFIRMED: `operator` is an Edm.String with two accepted values.
fn bad_operator(value: &str) -> String {
    format!("Invalid value '{value}' for property 'operator'. Supported values are AND and OR.")
}

fn not_primitive(edm: &str) -> String {
    format!(
        "Cannot convert a primitive value to the expected type '{edm}'. See the inner exception for more details."
    )
}

fn wrong_node(found: &Value, expected: &str) -> String {
    let kind = match found {
        Value::Null => "PrimitiveValue",
        Value::Bool(_) | Value::Number(_) | Value::String(_) => "PrimitiveValue",
        Value::Array(_) => "StartArray",
        Value::Object(_) => "StartObject",
    };
    format!(
        "An unexpected '{kind}' node was found when reading from the JSON reader. A '{expected}' node was expected."
    )
}

fn null_collection(name: &str, item: &str) -> String {
    format!(
        "A null value was found for the property named '{name}', which has the expected type 'Collection({item})[Nullable=False]'. The expected type 'Collection({item})[Nullable=False]' does not allow null values."
    )
}

/// Enum literals are matched exactly (UNCONFIRMED whether Graph accepts other casings).
fn enum_member(value: &str, members: &'static [&'static str]) -> Option<&'static str> {
    members.iter().copied().find(|m| *m == value)
}

/// A flags value in declared member order, each member once.
fn canonical_flags(
    value: &str,
    enum_type: &str,
    members: &'static [&'static str],
) -> Result<String, String> {
    let mut present = vec![false; members.len()];
    for part in value.split(',').map(str::trim) {
        let i = members
            .iter()
            .position(|m| *m == part)
            .ok_or_else(|| bad_enum(part, enum_type))?;
        present[i] = true;
    }
    Ok(members
        .iter()
        .zip(present)
        .filter(|(_, p)| *p)
        .map(|(m, _)| *m)
        .collect::<Vec<_>>()
        .join(","))
}

fn check_id(ids: Ids, property: &str, value: &str, dir: &dyn Directory) -> Result<String, String> {
    let keyword = |list: &[&'static str]| {
        list.iter()
            .find(|k| k.eq_ignore_ascii_case(value))
            .map(|k| (*k).to_owned())
    };
    let guid = uuid::Uuid::parse_str(value).ok();
    let ok = match ids {
        Ids::Users => keyword(USER_KEYWORDS).or_else(|| {
            guid.filter(|g| dir.user_exists(g))
                .map(|_| value.to_lowercase())
        }),
        Ids::Groups => guid
            .filter(|g| dir.group_exists(g))
            .map(|_| value.to_lowercase()),
        // UNCONFIRMED: role template ids are not checked beyond their GUID shape.
        Ids::Roles => guid.map(|_| value.to_lowercase()),
        Ids::Applications => {
            keyword(APPLICATION_KEYWORDS).or_else(|| guid.map(|_| value.to_lowercase()))
        }
    };
    ok.ok_or_else(|| unknown_object(property, value))
}

/// Validates `value` (a JSON object sent for `def`) and returns it normalised: every property
/// of the type present, collections defaulting to `[]`, the rest to `null`, flags canonical.
/// With `partial` (PATCH), absent properties stay absent instead of taking defaults.
pub fn validate(
    def: &'static TypeDef,
    value: &Value,
    dir: &dyn Directory,
    partial: bool,
) -> Result<Map<String, Value>, String> {
    let Value::Object(object) = value else {
        return Err(wrong_node(value, "StartObject"));
    };
    for name in object.keys() {
        // OData annotations (`@odata.type`) are accepted and dropped.
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        match def.props.iter().find(|p| p.name == name) {
            None => return Err(unknown_property(name, def.name)),
            Some(Prop {
                kind: Kind::ReadOnly,
                ..
            }) => return Err(read_only(name)),
            Some(_) => {}
        }
    }
    let mut out = Map::new();
    for prop in def.props {
        let sent = object.get(prop.name);
        if matches!(prop.kind, Kind::ReadOnly) || (partial && sent.is_none()) {
            continue;
        }
        let normalised = match sent {
            None => default_for(&prop.kind),
            Some(v) => validate_value(prop, v, dir, partial)?,
        };
        out.insert(prop.name.to_owned(), normalised);
    }
    Ok(out)
}

fn default_for(kind: &Kind) -> Value {
    match kind {
        Kind::EnumList(..) | Kind::StringList | Kind::IdList(_) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

fn string_items<'a>(name: &str, v: &'a Value, item: &str) -> Result<Vec<&'a str>, String> {
    match v {
        Value::Null => Err(null_collection(name, item)),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().ok_or_else(|| not_primitive("Edm.String")))
            .collect(),
        other => Err(wrong_node(other, "StartArray")),
    }
}

fn validate_value(
    prop: &Prop,
    v: &Value,
    dir: &dyn Directory,
    partial: bool,
) -> Result<Value, String> {
    let name = prop.name;
    if v.is_null()
        && !matches!(
            prop.kind,
            Kind::EnumList(..) | Kind::StringList | Kind::IdList(_)
        )
    {
        return Ok(Value::Null);
    }
    Ok(match &prop.kind {
        Kind::String => Value::from(v.as_str().ok_or_else(|| not_primitive("Edm.String"))?),
        Kind::Bool => Value::from(v.as_bool().ok_or_else(|| not_primitive("Edm.Boolean"))?),
        Kind::Int => Value::from(
            v.as_i64()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| not_primitive("Edm.Int32"))?,
        ),
        Kind::Enum(enum_type, members) => {
            let s = v
                .as_str()
                .ok_or_else(|| not_primitive(&format!("microsoft.graph.{enum_type}")))?;
            Value::from(enum_member(s, members).ok_or_else(|| bad_enum(s, enum_type))?)
        }
        Kind::Flags(enum_type, members) => {
            let s = v
                .as_str()
                .ok_or_else(|| not_primitive(&format!("microsoft.graph.{enum_type}")))?;
            Value::from(canonical_flags(s, enum_type, members)?)
        }
        Kind::EnumList(enum_type, members) => {
            let items = string_items(name, v, &format!("microsoft.graph.{enum_type}"))?;
            let mut out = Vec::with_capacity(items.len());
            for s in items {
                out.push(Value::from(
                    enum_member(s, members).ok_or_else(|| bad_enum(s, enum_type))?,
                ));
            }
            Value::Array(out)
        }
        Kind::StringList => Value::Array(
            string_items(name, v, "Edm.String")?
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        Kind::IdList(ids) => {
            let items = string_items(name, v, "Edm.String")?;
            let mut out = Vec::with_capacity(items.len());
            for s in items {
                out.push(Value::from(check_id(*ids, name, s, dir)?));
            }
            Value::Array(out)
        }
        Kind::Operator => {
            let s = v.as_str().ok_or_else(|| not_primitive("Edm.String"))?;
            if s != "AND" && s != "OR" {
                return Err(bad_operator(s));
            }
            Value::from(s)
        }
        Kind::Complex(def) => Value::Object(validate(def, v, dir, partial)?),
        Kind::Opaque => v.clone(),
        Kind::ReadOnly => return Err(read_only(name)),
    })
}

/// PATCH semantics: complex values merge recursively, everything else (collections included)
/// is replaced; what is omitted stays, an explicit `null` clears a complex value. Sources:
/// OData v4.0 Part 1 §11.4.3 "Update an Entity" (collections and primitives in the payload
/// replace; missing properties of the entity or complex property MUST NOT be altered),
/// [MS-ODATA] 2.2.7.3.2 (PATCH merges a complex value), and for Conditional Access itself
/// hashicorp/terraform-provider-azuread#775 with manicminer/hamilton#161 (unsetting
/// `platforms`/`locations` needs an explicit null) and Microsoft365DSC#6298 (an omitted
/// `excludePlatforms` stayed as it was). Whether Graph deep-merges every level of
/// `conditions` (rather than replacing `conditions.users` as a whole) is UNCONFIRMED.
pub fn merge(def: &'static TypeDef, target: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (name, value) in patch {
        let complex = def
            .props
            .iter()
            .find_map(|p| match (&p.kind, p.name == name) {
                (Kind::Complex(inner), true) => Some(*inner),
                _ => None,
            });
        match (complex, target.get_mut(&name), value) {
            (Some(inner), Some(Value::Object(existing)), Value::Object(patch)) => {
                merge(inner, existing, patch);
            }
            (Some(inner), _, Value::Object(patch)) => {
                // A complex value set where there was none: fill the type's defaults.
                let mut fresh: Map<String, Value> = inner
                    .props
                    .iter()
                    .filter(|p| !matches!(p.kind, Kind::ReadOnly))
                    .map(|p| (p.name.to_owned(), default_for(&p.kind)))
                    .collect();
                merge(inner, &mut fresh, patch);
                target.insert(name, Value::Object(fresh));
            }
            (_, _, value) => {
                target.insert(name, value);
            }
        }
    }
}

fn non_empty(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

/// What a complete policy must have (checked after POST normalisation and after a PATCH merge).
pub fn check_required(policy: &Map<String, Value>) -> Result<(), String> {
    if !non_empty(policy.get("displayName")) {
        return Err(missing_required("displayName"));
    }
    if !non_empty(policy.get("state")) {
        return Err(missing_required("state"));
    }
    let Some(conditions) = policy.get("conditions").and_then(Value::as_object) else {
        return Err(missing_required("conditions"));
    };
    let Some(users) = conditions.get("users").and_then(Value::as_object) else {
        return Err(missing_required("conditions.users"));
    };
    if ![
        "includeUsers",
        "includeGroups",
        "includeRoles",
        "includeGuestsOrExternalUsers",
    ]
    .iter()
    .any(|n| non_empty(users.get(*n)))
    {
        return Err(missing_required(
            "conditions.users.includeUsers (or includeGroups, includeRoles, includeGuestsOrExternalUsers)",
        ));
    }
    let Some(apps) = conditions.get("applications").and_then(Value::as_object) else {
        return Err(missing_required("conditions.applications"));
    };
    if ![
        "includeApplications",
        "includeUserActions",
        "includeAuthenticationContextClassReferences",
    ]
    .iter()
    .any(|n| non_empty(apps.get(*n)))
    {
        return Err(missing_required(
            "conditions.applications.includeApplications (or includeUserActions, includeAuthenticationContextClassReferences)",
        ));
    }
    let grant = policy.get("grantControls").filter(|v| !v.is_null());
    let session = policy.get("sessionControls").filter(|v| !v.is_null());
    if grant.is_none() && session.is_none() {
        return Err(missing_required("grantControls (or sessionControls)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct NoObjects;
    impl Directory for NoObjects {
        fn user_exists(&self, _: &uuid::Uuid) -> bool {
            false
        }
        fn group_exists(&self, _: &uuid::Uuid) -> bool {
            false
        }
    }

    #[test]
    fn flags_are_canonical_and_defaults_filled() {
        let body = json!({"displayName": "x", "state": "disabled",
            "conditions": {"users": {"includeUsers": ["all"]}, "applications": {"includeApplications": ["All"]},
                "authenticationFlows": {"transferMethods": "authenticationTransfer, deviceCodeFlow"}},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}});
        let out = validate(&POLICY, &body, &NoObjects, false).unwrap();
        let c = &out["conditions"];
        assert_eq!(
            c["authenticationFlows"]["transferMethods"],
            "deviceCodeFlow,authenticationTransfer"
        );
        assert_eq!(c["users"]["includeUsers"], json!(["All"]));
        assert_eq!(c["users"]["excludeGroups"], json!([]));
        assert_eq!(c["platforms"], Value::Null);
        assert!(check_required(&out).is_ok());
        assert!(!out.contains_key("id"));
    }
}
