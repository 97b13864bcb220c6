//! `Get-MobileDevice`: the 40 REST properties in the service's order and types, rendered on demand
//! from the compact seeded devices; `-Filter`, `-Mailbox`, `-Identity`, `-ResultSize`, paging.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::mailbox::resolve_mailbox;
use super::opath::{self, PropValue, Schema, Target, ValueKind};
use super::paging::{self, Candidates};
use super::params::Params;
use super::{CmdletCall, CmdletOutput, Objects, errors, select};
use crate::clock;
use crate::http::Reply;
use crate::seed::{Device, User, escape_rdn};
use crate::state::State;
use crate::tenant::{FOREST, ORIGINATING_SERVER};

/// The 40 properties ExchangeOnlineManagement 3 (REST) returns, in its order: the live survey
/// in ../shared/docs/exchange-admin-rest.md (`Get-MobileDevice`, CORRECTED 2026-12-06). The REST
/// JSON holds exactly these (no PSComputerName/RunspaceId: those come from remoting).
pub const PROPERTIES: [&str; 40] = [
    "FriendlyName",
    "DeviceId",
    "DeviceImei",
    "DeviceMobileOperator",
    "DeviceOS",
    "DeviceOSLanguage",
    "DeviceTelephoneNumber",
    "DeviceType",
    "DeviceUserAgent",
    "DeviceModel",
    "FirstSyncTime",
    "UserDisplayName",
    "DeviceAccessState",
    "DeviceAccessStateReason",
    "DeviceAccessControlRule",
    "ClientVersion",
    "ClientType",
    "IsManaged",
    "IsCompliant",
    "IsDisabled",
    "AdminDisplayName",
    "ExchangeVersion",
    "DirectoryObjectVersion",
    "Name",
    "DistinguishedName",
    "Identity",
    "ObjectCategory",
    "ObjectClass",
    "WhenChanged",
    "WhenCreated",
    "WhenChangedUTC",
    "WhenCreatedUTC",
    "ExchangeObjectId",
    "OrganizationalUnitRoot",
    "OrganizationId",
    "Id",
    "Guid",
    "OriginatingServer",
    "IsValid",
    "ObjectState",
];

const PARAMETERS: &[&str] = &["Filter", "Mailbox", "ResultSize", "Identity"];
const OBJECT_CLASS: &[&str] = &["top", "msExchActiveSyncDevice"];

/// One property value before it becomes JSON.
enum Field<'a> {
    Null,
    Text(Cow<'a, str>),
    Bool(bool),
    /// 100-ns ticks since the Unix epoch, written with `Z`.
    Date(i64),
    /// The same, written with a `+00:00` offset: the service sends `WhenChanged`/`WhenCreated`
    /// as DateTimeOffset and the `*UTC` ones with `Z`, 7 fractional digits (exchange-admin-rest.md,
    /// `Get-MobileDevice` dates, from a captured Get-Mailbox reply).
    DateOffset(i64),
    List(&'static [&'static str]),
}

fn opt(s: Option<&str>) -> Field<'_> {
    s.map_or(Field::Null, |v| Field::Text(Cow::Borrowed(v)))
}

pub struct DeviceView<'a> {
    state: &'a State,
    device: &'a Device,
    user: Option<&'a User>,
}

impl<'a> DeviceView<'a> {
    pub fn new(state: &'a State, index: u32) -> Option<Self> {
        let device = state.data.devices.get(index as usize)?;
        Some(Self {
            state,
            device,
            user: state.data.user(device.user),
        })
    }

    fn mailbox_name(&self) -> &'a str {
        self.user.map_or("", |u| u.mailbox_name.as_str())
    }

    /// `{protocol}§{DeviceType}§{DeviceId}`: Outlook for iOS and Android is
    /// `REST§Outlook§5eec4e941e0748a264512fd83770d5ac` in Microsoft's Get-MobileDevice /
    /// Get-MobileDeviceStatistics examples (MicrosoftDocs/office-docs-powershell); the EAS form
    /// is UNCONFIRMED.
    fn name(&self) -> String {
        let t = self.device.template();
        format!(
            "{}§{}§{}",
            t.name_protocol, t.device_type, self.device.device_id
        )
    }

    fn identity(&self) -> String {
        format!(
            "{}\\ExchangeActiveSyncDevices\\{}",
            self.mailbox_name(),
            self.name()
        )
    }

    fn field(&self, property: usize) -> Field<'a> {
        let d = self.device;
        let t = d.template();
        let (access_state, access_reason, access_rule) = d.access_state();
        let tenant = &self.state.tenant;
        match property {
            0 => d
                .friendly_name
                .as_ref()
                .map_or(Field::Null, |f| Field::Text(f.clone())),
            1 => Field::Text(Cow::Borrowed(&d.device_id)),
            2 => opt(d.imei.as_deref()),
            3 => opt(d.operator),
            4 => Field::Text(Cow::Borrowed(d.os)),
            5 => opt(d.os_language),
            6 => opt(d.phone.as_deref()),
            7 => Field::Text(Cow::Borrowed(t.device_type)),
            8 => Field::Text(Cow::Borrowed(d.user_agent)),
            9 => Field::Text(Cow::Borrowed(t.model)),
            10 => Field::Date(d.first_sync),
            11 => Field::Text(Cow::Owned(format!(
                "{}/{}",
                tenant.canonical_prefix(),
                self.mailbox_name()
            ))),
            12 => Field::Text(Cow::Borrowed(access_state)),
            13 => Field::Text(Cow::Borrowed(access_reason)),
            14 => opt(access_rule),
            15 => Field::Text(Cow::Borrowed(t.client_version)),
            16 => Field::Text(Cow::Borrowed(t.client_type)),
            17 => Field::Bool(d.is_managed),
            18 => Field::Bool(d.is_compliant),
            19 => Field::Bool(d.is_disabled),
            20 => Field::Null,
            21 => Field::Text(Cow::Borrowed("0.10 (14.1.100.0)")),
            // UNCONFIRMED: its value form in the REST JSON is not in any source we have.
            22 => Field::Null,
            23 => Field::Text(Cow::Owned(self.name())),
            24 => Field::Text(Cow::Owned(format!(
                "CN={},CN=ExchangeActiveSyncDevices,CN={},{}",
                escape_rdn(&self.name()),
                escape_rdn(self.mailbox_name()),
                tenant.organization_dn()
            ))),
            25 | 35 => Field::Text(Cow::Owned(self.identity())),
            36 | 32 => Field::Text(Cow::Owned(d.guid.to_string())),
            26 => Field::Text(Cow::Owned(format!(
                "{FOREST}/Configuration/Schema/ms-Exch-Active-Sync-Device"
            ))),
            27 => Field::List(OBJECT_CLASS),
            28 => Field::DateOffset(d.changed),
            29 => Field::DateOffset(d.created),
            30 => Field::Date(d.changed),
            31 => Field::Date(d.created),
            // The tenant's initial domain, as Get-AcceptedDomain's OrganizationalUnitRoot reads
            // in public scripts; for devices UNCONFIRMED.
            33 => Field::Text(Cow::Owned(tenant.domain.clone())),
            34 => Field::Text(Cow::Owned(tenant.organization_id())),
            37 => Field::Text(Cow::Borrowed(ORIGINATING_SERVER)),
            38 => Field::Bool(true),
            39 => Field::Text(Cow::Borrowed("Unchanged")),
            _ => Field::Null,
        }
    }

    /// The object as InvokeCommand returns it (all properties, or the `$select`ed ones).
    pub fn render(&self, selected: Option<&[usize]>) -> Map<String, Value> {
        let all: Vec<usize>;
        let indices = match selected {
            Some(s) => s,
            None => {
                all = (0..PROPERTIES.len()).collect();
                &all
            }
        };
        let mut map = Map::with_capacity(indices.len());
        for &i in indices {
            let value = match self.field(i) {
                Field::Null => Value::Null,
                Field::Text(t) => Value::String(t.into_owned()),
                Field::Bool(b) => Value::Bool(b),
                Field::Date(ticks) => Value::String(clock::exchange_datetime(ticks)),
                Field::DateOffset(ticks) => Value::String(with_offset(ticks)),
                Field::List(items) => Value::Array(items.iter().map(|s| Value::from(*s)).collect()),
            };
            map.insert(PROPERTIES[i].to_owned(), value);
        }
        map
    }
}

impl DeviceView<'_> {
    /// The same object as [`Self::render`], written straight to JSON text (no tree, no map).
    pub fn write_json(&self, out: &mut Vec<u8>, selected: Option<&[usize]>) {
        let all = 0..PROPERTIES.len();
        let mut indices: Box<dyn Iterator<Item = usize>> = match selected {
            Some(s) => Box::new(s.iter().copied()),
            None => Box::new(all),
        };
        out.push(b'{');
        let mut first = true;
        for i in indices.by_ref() {
            if !first {
                out.push(b',');
            }
            first = false;
            json_string(out, PROPERTIES[i]);
            out.push(b':');
            match self.field(i) {
                Field::Null => out.extend_from_slice(b"null"),
                Field::Text(t) => json_string(out, &t),
                Field::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
                Field::Date(ticks) => json_string(out, &clock::exchange_datetime(ticks)),
                Field::DateOffset(ticks) => json_string(out, &with_offset(ticks)),
                Field::List(items) => {
                    out.push(b'[');
                    for (n, item) in items.iter().enumerate() {
                        if n > 0 {
                            out.push(b',');
                        }
                        json_string(out, item);
                    }
                    out.push(b']');
                }
            }
        }
        out.push(b'}');
    }
}

/// `…T09:26:53.5897932+00:00`: the `Z` form with the UTC offset spelled out.
fn with_offset(ticks: i64) -> String {
    let mut text = clock::exchange_datetime(ticks);
    if text.ends_with('Z') {
        text.pop();
        text.push_str("+00:00");
    }
    text
}

/// A JSON string with serde_json's escaping (the same bytes a `Value::String` serialises to).
fn json_string(out: &mut Vec<u8>, text: &str) {
    // Writing to memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

impl Target for DeviceView<'_> {
    fn value(&self, property: usize) -> PropValue<'_> {
        match self.field(property) {
            Field::Text(t) => PropValue::Text(t),
            Field::Bool(b) => PropValue::Bool(b),
            Field::Null | Field::Date(_) | Field::DateOffset(_) | Field::List(_) => PropValue::Null,
        }
    }
}

/// Text and boolean properties can be filtered; dates and ObjectClass cannot.
pub struct DeviceSchema;

impl Schema for DeviceSchema {
    fn resolve(&self, name: &str) -> Option<(usize, ValueKind)> {
        let i = PROPERTIES
            .iter()
            .position(|p| p.eq_ignore_ascii_case(name))?;
        match i {
            10 | 27 | 28 | 29 | 30 | 31 => None,
            17 | 18 | 19 | 38 => Some((i, ValueKind::Bool)),
            _ => Some((i, ValueKind::Text)),
        }
    }
}

/// Parses and binds a `-Filter` against a schema, with Exchange's error on failure.
pub fn compile_filter(
    filter: Option<&str>,
    schema: &dyn Schema,
) -> Result<Option<opath::Bound>, Reply> {
    let Some(text) = filter else {
        return Ok(None);
    };
    opath::parse(text)
        .and_then(|expr| opath::bind(&expr, schema))
        .map(Some)
        .map_err(|e| errors::filter_error(&e.exchange_message(text)))
}

pub async fn get(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let state = call.state;
    let params = Params::new(&call.parameters);
    params.allow_only(PARAMETERS)?;
    let filter_text = params.string("Filter")?;
    let mailbox = params.string("Mailbox")?;
    let identity = params.string("Identity")?;
    let size = params.result_size()?;
    if identity.is_some() && (mailbox.is_some() || filter_text.is_some()) {
        return Err(errors::parameter_set_ambiguous());
    }
    let selected = select::resolve(&PROPERTIES, call.select.as_deref())?;
    let filter = compile_filter(filter_text.as_deref(), &DeviceSchema)?;
    if let Some(identity) = identity {
        let index = find_by_identity(state, &identity)
            .ok_or_else(|| errors::object_not_found(&identity))?;
        let view =
            DeviceView::new(state, index).ok_or_else(|| errors::object_not_found(&identity))?;
        return Ok(CmdletOutput::values(vec![Value::Object(
            view.render(selected.as_deref()),
        )]));
    }
    let owner = match &mailbox {
        Some(m) => Some(resolve_mailbox(state, m)?),
        None => None,
    };
    let start = paging::start(state, call.req, call.body_hash.clone())?;
    // Built before the latency wait (see `page_latency`); the closures must not live across it.
    let (text, page) = {
        let devices = &state.data.devices;
        let owned: &[u32] = owner.map_or(&[], |u| state.data.devices_by_user.of(u));
        let at = |p: u64| {
            if owner.is_some() {
                owned.get(p as usize).copied().unwrap_or(0)
            } else {
                p as u32
            }
        };
        let keep = |i: u32| match (&filter, DeviceView::new(state, i)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(f), Some(view)) => opath::eval(f, &view),
        };
        let len = if owner.is_some() {
            owned.len() as u64
        } else {
            devices.len() as u64
        };
        let candidates = Candidates {
            len,
            at: &at,
            keep: &keep,
        };
        let page = paging::collect(
            state,
            call.req,
            call.tenant_segment,
            start,
            &candidates,
            size,
        );
        let mut text = Vec::with_capacity(page.items.len() * 1600 + 2);
        text.push(b'[');
        for (n, view) in page
            .items
            .iter()
            .filter_map(|i| DeviceView::new(state, *i))
            .enumerate()
        {
            if n > 0 {
                text.push(b',');
            }
            view.write_json(&mut text, selected.as_deref());
        }
        text.push(b']');
        (text, page)
    };
    call.page_latency().await;
    Ok(CmdletOutput {
        values: Objects::Serialized(text),
        warnings: page.warnings,
        next_link: page.next_link,
    })
}

fn find_by_identity(state: &State, identity: &str) -> Option<u32> {
    let wanted = identity.trim();
    let guid = uuid::Uuid::parse_str(wanted).ok();
    (0..state.data.devices.len() as u32).find(|i| {
        DeviceView::new(state, *i).is_some_and(|v| {
            Some(v.device.guid) == guid
                || v.identity().eq_ignore_ascii_case(wanted)
                || v.device.device_id.eq_ignore_ascii_case(wanted)
        })
    })
}

/// Ground truth for tests: every seeded device as Get-MobileDevice renders it, in service order,
/// optionally only those whose DeviceModel equals `model_filter` (case-insensitive).
pub fn seeded_devices_json(state: &State, model_filter: Option<&str>) -> Vec<Value> {
    (0..state.data.devices.len() as u32)
        .filter_map(|i| DeviceView::new(state, i))
        .filter(|v| model_filter.is_none_or(|m| v.device.template().model.eq_ignore_ascii_case(m)))
        .map(|v| Value::Object(v.render(None)))
        .collect()
}
