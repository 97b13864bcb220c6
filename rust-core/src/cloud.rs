//! The one table of Microsoft 365 clouds: authority, Graph and Exchange Online hosts and the
//! resource URIs tokens are issued for. Values the docs mark UNCONFIRMED live only here.

use std::fmt;

use url::Url;

/// The two services the engine talks to; also the token cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Exchange,
    Graph,
    /// Azure Monitor's Logs Ingestion API (Send-OutlookQrGuardLog); asked for only when sending.
    Monitor,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Exchange => "Exchange Online",
            Resource::Graph => "Microsoft Graph",
            Resource::Monitor => "Azure Monitor",
        })
    }
}

/// A national cloud, named like `Connect-MgGraph -Environment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cloud {
    Global,
    UsGovGccHigh,
    UsGovDod,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 4] = [
        Cloud::Global,
        Cloud::UsGovGccHigh,
        Cloud::UsGovDod,
        Cloud::China,
    ];

    /// Accepts the Graph (`Global`, `USGov`, `USGovDoD`, `China`) and Exchange
    /// (`O365Default`, `O365USGovGCCHigh`, `O365USGovDoD`, `O365China`) spellings.
    pub fn parse(name: &str) -> Option<Cloud> {
        match name.to_ascii_lowercase().as_str() {
            "global" | "o365default" | "azurecloud" => Some(Cloud::Global),
            "usgov" | "usgovgcchigh" | "o365usgovgcchigh" => Some(Cloud::UsGovGccHigh),
            "usgovdod" | "o365usgovdod" => Some(Cloud::UsGovDod),
            "china" | "o365china" | "azurechinacloud" => Some(Cloud::China),
            _ => None,
        }
    }
}

struct CloudRow {
    cloud: Cloud,
    authority: &'static str,
    /// Other sign-in hosts of the same cloud, accepted for -AuthorityUri.
    authority_aliases: &'static [&'static str],
    graph_base: &'static str,
    graph_resource: &'static str,
    exchange_base: &'static str,
    exchange_resource: &'static str,
    /// Azure Monitor's token resource, with the trailing slash Microsoft's client keeps (so the
    /// scope is `https://monitor.azure.com//.default`, as Azure.Monitor.Ingestion sends).
    monitor_resource: &'static str,
    /// Host suffix of data collection endpoints (and DCR ingestion endpoints) in this cloud.
    monitor_ingest_suffix: &'static str,
}

// Sources, cited per value:
// [NC]   MicrosoftDocs/entra-docs docs/identity-platform/authentication-national-cloud.md
//        (Microsoft Entra authentication endpoints table)
// [GDEP] microsoftgraph/microsoft-graph-docs-contrib concepts/deployments.md (Graph service
//        root endpoints; "GCC: worldwide endpoints; GCC High graph.microsoft.us; DoD
//        dod-graph.microsoft.us")
// [EXO]  MicrosoftDocs/office-docs-powershell exchange/exchange-ps/exchange/Connect-ExchangeOnline.md
//        (-ConnectionUri per environment; these are the module's PowerShell endpoints)
// [CSS]  microsoft/CSS-Exchange Shared/AzureFunctions/Get-CloudServiceEndpoint.ps1 (Microsoft's
//        own scripts: ExchangeOnlineEndpoint per cloud, also the token resource they use)
// [SCUBA] cisagov/ScubaGear PowerShell/ScubaGear/Modules/Providers/ProviderHelpers/
//        EXORestHelper.psm1 (Get-ExchangeOnlineScope, Get-ExchangeOnlineApiEndpoint: the
//        adminapi InvokeCommand front door and token scope for commercial/GCC/GCC High/DoD)
// [LIA]  MicrosoftDocs/azure-monitor-docs articles/azure-monitor/logs/logs-ingestion-api-overview.md
//        (Request headers, Authorization: token audience monitor.azure.com / .us / .cn; example
//        URI https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com/...)
// [LIAUD] Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.Ingestion/src/LogsIngestionAudience.cs
//        (AzurePublicCloud "https://monitor.azure.com//.default", AzureGovernment
//        "https://monitor.azure.us//.default", AzureChina "https://monitor.azure.cn//.default")
// No Microsoft document names the adminapi host or its token audience; the Exchange values
// are from Microsoft's CSS-Exchange scripts and third-party REST callers, as marked.
const CLOUDS: [CloudRow; 4] = [
    CloudRow {
        cloud: Cloud::Global,
        authority: "https://login.microsoftonline.com", // [NC], [GDEP]
        authority_aliases: &[],
        graph_base: "https://graph.microsoft.com", // [GDEP]
        graph_resource: "https://graph.microsoft.com", // [GDEP] (the root is the resource)
        // [EXO] (ConnectionUri default https://outlook.office365.com/powershell-liveid/),
        // [SCUBA] (adminapi front door for commercial and GCC).
        exchange_base: "https://outlook.office365.com",
        // [SCUBA] scope https://outlook.office365.com/.default; UNCONFIRMED in Microsoft docs.
        exchange_resource: "https://outlook.office365.com",
        monitor_resource: "https://monitor.azure.com/", // [LIA], [LIAUD]
        monitor_ingest_suffix: "ingest.monitor.azure.com", // [LIA] example URI
    },
    CloudRow {
        cloud: Cloud::UsGovGccHigh,
        authority: "https://login.microsoftonline.us", // [NC], [GDEP], [CSS]
        authority_aliases: &[],
        graph_base: "https://graph.microsoft.us", // [GDEP] (US Government L4), [CSS]
        graph_resource: "https://graph.microsoft.us", // [GDEP]
        // [EXO] ConnectionUri https://outlook.office365.us/powershell-liveID, [CSS], [SCUBA].
        exchange_base: "https://outlook.office365.us",
        // [SCUBA] scope https://outlook.office365.us/.default; [CSS] uses the same host.
        exchange_resource: "https://outlook.office365.us",
        monitor_resource: "https://monitor.azure.us/", // [LIA], [LIAUD] (Azure Government)
        monitor_ingest_suffix: "ingest.monitor.azure.us", // UNCONFIRMED (by analogy with [LIA])
    },
    CloudRow {
        cloud: Cloud::UsGovDod,
        authority: "https://login.microsoftonline.us", // [NC], [EXO], [CSS]
        authority_aliases: &[],
        graph_base: "https://dod-graph.microsoft.us", // [GDEP] (US Government L5), [CSS]
        graph_resource: "https://dod-graph.microsoft.us", // [GDEP]
        // [SCUBA] adminapi front door and [CSS] ExchangeOnlineEndpoint (USGovernmentL5). Was
        // webmail.apps.mil: that is the module's remote-PowerShell ConnectionUri in [EXO], not
        // a REST host any source uses; that adminapi also answers there is UNCONFIRMED.
        exchange_base: "https://outlook-dod.office365.us",
        // [SCUBA] scope https://outlook-dod.office365.us/.default, [CSS].
        exchange_resource: "https://outlook-dod.office365.us",
        monitor_resource: "https://monitor.azure.us/", // [LIA], [LIAUD] (Azure Government)
        monitor_ingest_suffix: "ingest.monitor.azure.us", // UNCONFIRMED (by analogy with [LIA])
    },
    CloudRow {
        cloud: Cloud::China,
        // [NC] and [CSS]; [GDEP] lists login.chinacloudapi.cn (an alias, UNCONFIRMED that
        // the two are fully interchangeable).
        authority: "https://login.partner.microsoftonline.cn",
        // [GDEP] (entra-auth-and-graph.md §1: "treat the two as aliases", UNCONFIRMED).
        authority_aliases: &["login.chinacloudapi.cn"],
        graph_base: "https://microsoftgraph.chinacloudapi.cn", // [GDEP], [CSS]
        graph_resource: "https://microsoftgraph.chinacloudapi.cn", // [GDEP]
        // [EXO] ConnectionUri https://partner.outlook.cn/PowerShell, [CSS]. That adminapi is
        // served there is UNCONFIRMED (ScubaGear has no China row).
        exchange_base: "https://partner.outlook.cn",
        // [CSS] uses this host as the token resource (for EWS); for adminapi UNCONFIRMED.
        exchange_resource: "https://partner.outlook.cn",
        monitor_resource: "https://monitor.azure.cn/", // [LIA], [LIAUD]
        monitor_ingest_suffix: "ingest.monitor.azure.cn", // UNCONFIRMED (by analogy with [LIA])
    },
];

#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    #[error("'{value}' is not a usable {what} URL: {reason}")]
    BadUrl {
        what: &'static str,
        value: String,
        reason: String,
    },
}

/// Where tokens come from and where the two services live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    name: String,
    authority: Url,
    graph_base: Url,
    graph_resource: String,
    exchange_base: Url,
    exchange_resource: String,
    monitor_resource: String,
    monitor_ingest_suffix: String,
}

impl Environment {
    pub fn for_cloud(cloud: Cloud) -> Environment {
        let row = CLOUDS
            .iter()
            .find(|r| r.cloud == cloud)
            .unwrap_or(&CLOUDS[0]);
        Environment {
            name: format!("{cloud:?}"),
            authority: fixed_url(row.authority),
            graph_base: fixed_url(row.graph_base),
            graph_resource: row.graph_resource.to_owned(),
            exchange_base: fixed_url(row.exchange_base),
            exchange_resource: row.exchange_resource.to_owned(),
            monitor_resource: row.monitor_resource.to_owned(),
            monitor_ingest_suffix: row.monitor_ingest_suffix.to_owned(),
        }
    }

    /// Custom hosts (the tenant emulator serves all three from one base URL) that keep the
    /// global resource URIs, since those are the audiences the emulator issues tokens for.
    pub fn custom(
        authority_base: &str,
        graph_base: &str,
        exchange_base: &str,
    ) -> Result<Environment, EnvironmentError> {
        let global = Environment::for_cloud(Cloud::Global);
        Ok(Environment {
            name: "Custom".to_owned(),
            authority: parse_base("authority", authority_base)?,
            graph_base: parse_base("Graph", graph_base)?,
            exchange_base: parse_base("Exchange", exchange_base)?,
            ..global
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Base URL without trailing slash, e.g. `https://login.microsoftonline.com`.
    pub fn authority(&self) -> &Url {
        &self.authority
    }

    pub fn graph_base(&self) -> &Url {
        &self.graph_base
    }

    pub fn exchange_base(&self) -> &Url {
        &self.exchange_base
    }

    /// The v1 resource URI (managed identity's `resource`, the token audience).
    pub fn resource_uri(&self, resource: Resource) -> &str {
        match resource {
            Resource::Exchange => &self.exchange_resource,
            Resource::Graph => &self.graph_resource,
            Resource::Monitor => &self.monitor_resource,
        }
    }

    /// Host suffix of this cloud's data collection endpoints (`ingest.monitor.azure.com`).
    pub fn monitor_ingest_suffix(&self) -> &str {
        &self.monitor_ingest_suffix
    }

    /// The v2 app-only / delegated scope, `{resource}/.default` (for Monitor the resource ends
    /// in `/`, giving the SDK's `https://monitor.azure.com//.default`).
    pub fn default_scope(&self, resource: Resource) -> String {
        format!("{}/.default", self.resource_uri(resource))
    }

    pub fn token_endpoint(&self, tenant: &str) -> Url {
        join_path(&self.authority, &[tenant, "oauth2", "v2.0", "token"])
    }

    /// `{authority}/{tenant}/oauth2/v2.0/authorize` (v2-oauth2-auth-code-flow.md).
    pub fn authorize_endpoint(&self, tenant: &str) -> Url {
        join_path(&self.authority, &[tenant, "oauth2", "v2.0", "authorize"])
    }

    pub fn device_code_endpoint(&self, tenant: &str) -> Url {
        join_path(&self.authority, &[tenant, "oauth2", "v2.0", "devicecode"])
    }

    /// `{exchange}/adminapi/beta/{tenant}/InvokeCommand`.
    pub fn invoke_command_url(&self, tenant: &str) -> Url {
        join_path(
            &self.exchange_base,
            &["adminapi", "beta", tenant, "InvokeCommand"],
        )
    }

    /// `{graph}/v1.0/{segments…}`, each segment percent-encoded.
    pub fn graph_url(&self, segments: &[&str]) -> Url {
        let mut all = vec!["v1.0"];
        all.extend_from_slice(segments);
        join_path(&self.graph_base, &all)
    }

    /// `{graph}/beta/{segments…}` (sign-in logs carry `originalTransferMethod` only there).
    pub fn graph_beta_url(&self, segments: &[&str]) -> Url {
        let mut all = vec!["beta"];
        all.extend_from_slice(segments);
        join_path(&self.graph_base, &all)
    }
}

/// The three endpoints `Connect-OutlookQrGuard` lets an admin override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Authority,
    Exchange,
    Graph,
}

impl Endpoint {
    /// The cmdlet parameter that sets it, for messages.
    pub fn parameter(self) -> &'static str {
        match self {
            Endpoint::Authority => "-AuthorityUri",
            Endpoint::Exchange => "-ExchangeUri",
            Endpoint::Graph => "-GraphUri",
        }
    }

    fn host_of(self, env: &Environment) -> Option<&str> {
        match self {
            Endpoint::Authority => env.authority.host_str(),
            Endpoint::Exchange => env.exchange_base.host_str(),
            Endpoint::Graph => env.graph_base.host_str(),
        }
    }
}

impl Cloud {
    /// The `-Environment` spelling, for messages.
    pub fn parameter_value(self) -> &'static str {
        match self {
            Cloud::Global => "Global",
            Cloud::UsGovGccHigh => "USGovGCCHigh",
            Cloud::UsGovDod => "USGovDoD",
            Cloud::China => "China",
        }
    }
}

/// Where an override points, relative to the chosen cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// The cloud's own host for that endpoint (the table above).
    OwnCloud,
    /// 127.0.0.0/8, ::1 or localhost: the tenant emulator, or a local forwarder.
    Loopback,
    /// That endpoint's host in another cloud (not also this cloud's: GCC High and DoD share
    /// their authority).
    OtherCloud(Cloud),
    /// Anything else: a reverse proxy, a test host, or a typo.
    Custom,
}

/// Classifies the host of an override for `endpoint` against `cloud`'s table row.
pub fn classify_host(cloud: Cloud, endpoint: Endpoint, url: &Url) -> HostKind {
    if crate::http::is_loopback(url) {
        return HostKind::Loopback;
    }
    let Some(host) = url.host_str() else {
        return HostKind::Custom;
    };
    let same = |c: Cloud| {
        let alias = endpoint == Endpoint::Authority
            && CLOUDS
                .iter()
                .filter(|r| r.cloud == c)
                .flat_map(|r| r.authority_aliases)
                .any(|a| a.eq_ignore_ascii_case(host));
        alias
            || endpoint
                .host_of(&Environment::for_cloud(c))
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
    };
    if same(cloud) {
        return HostKind::OwnCloud;
    }
    Cloud::ALL
        .into_iter()
        .find(|c| same(*c))
        .map_or(HostKind::Custom, HostKind::OtherCloud)
}

/// Why an endpoint override was refused. Each names the parameter, the host and the cloud.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(transparent)]
    BadUrl(#[from] EnvironmentError),
    /// Refused even with the switch: Entra issues tokens per cloud and a cloud accepts only
    /// its own ("Tokens from one cloud are not accepted in another", entra-auth-and-graph.md
    /// §1 [G-deployments]); the audiences always follow -Environment, so mixing would send a
    /// token of one cloud to another.
    #[error(
        "{parameter} '{host}' belongs to the {other} cloud, not {cloud} (-Environment {cloud}): tokens of one cloud are not accepted in another. Use -Environment {other} instead, or leave {parameter} out"
    )]
    OtherCloud {
        parameter: &'static str,
        host: String,
        cloud: &'static str,
        other: &'static str,
    },
    #[error(
        "{parameter} '{host}' is neither a {cloud} host ({expected}) nor loopback: the sign-in credentials or the {cloud} tokens would be sent there. If that host is meant (a reverse proxy you run), add -AllowCustomEndpoint"
    )]
    NotOfTheCloud {
        parameter: &'static str,
        host: String,
        cloud: &'static str,
        expected: String,
    },
}

/// The overrides an admin typed, `None` = the cloud's default.
#[derive(Debug, Default, Clone, Copy)]
pub struct EndpointOverrides<'a> {
    pub authority: Option<&'a str>,
    pub exchange: Option<&'a str>,
    pub graph: Option<&'a str>,
}

/// An environment built from overrides, with the hosts the admin must be warned about.
#[derive(Debug)]
pub struct CheckedEnvironment {
    pub environment: Environment,
    /// `-Parameter host` of each override allowed only by `allow_custom`.
    pub custom_hosts: Vec<String>,
}

/// The one place that decides where tokens may go. An override to the cloud's own host or to
/// loopback is taken as is; another cloud's host never (even with `allow_custom`); any other
/// host only with `allow_custom`, and then it is reported in `custom_hosts` for a warning.
/// The token audiences always stay `cloud`'s.
pub fn environment_with_overrides(
    cloud: Cloud,
    overrides: EndpointOverrides<'_>,
    allow_custom: bool,
) -> Result<CheckedEnvironment, EndpointError> {
    let mut environment = Environment::for_cloud(cloud);
    if overrides.authority.is_some() || overrides.exchange.is_some() || overrides.graph.is_some() {
        // Shown on the session: the audiences are the cloud's, some hosts are not.
        environment.name = format!("{cloud:?} (custom endpoints)");
    }
    let mut custom_hosts = Vec::new();
    for (endpoint, given) in [
        (Endpoint::Authority, overrides.authority),
        (Endpoint::Exchange, overrides.exchange),
        (Endpoint::Graph, overrides.graph),
    ] {
        let Some(given) = given else { continue };
        let what = match endpoint {
            Endpoint::Authority => "authority",
            Endpoint::Exchange => "Exchange",
            Endpoint::Graph => "Graph",
        };
        let url = parse_base(what, given)?;
        let host = url.host_str().unwrap_or("").to_owned();
        match classify_host(cloud, endpoint, &url) {
            HostKind::OwnCloud | HostKind::Loopback => {}
            HostKind::OtherCloud(other) => {
                return Err(EndpointError::OtherCloud {
                    parameter: endpoint.parameter(),
                    host,
                    cloud: cloud.parameter_value(),
                    other: other.parameter_value(),
                });
            }
            HostKind::Custom if allow_custom => {
                custom_hosts.push(format!("{} {host}", endpoint.parameter()));
            }
            HostKind::Custom => {
                return Err(EndpointError::NotOfTheCloud {
                    parameter: endpoint.parameter(),
                    host,
                    cloud: cloud.parameter_value(),
                    expected: endpoint
                        .host_of(&Environment::for_cloud(cloud))
                        .unwrap_or("")
                        .to_owned(),
                });
            }
        }
        match endpoint {
            Endpoint::Authority => environment.authority = url,
            Endpoint::Exchange => environment.exchange_base = url,
            Endpoint::Graph => environment.graph_base = url,
        }
    }
    Ok(CheckedEnvironment {
        environment,
        custom_hosts,
    })
}

impl Environment {
    /// Whether a bearer token for `resource` may be sent to `url`: only to the origin (scheme,
    /// host, port) of this session's endpoint for that resource. The HTTP layer asks this at
    /// send time, behind the checks of next links and of the overrides.
    pub fn admits_bearer(&self, resource: Resource, url: &Url) -> bool {
        let base = match resource {
            Resource::Exchange => &self.exchange_base,
            Resource::Graph => &self.graph_base,
            // The data collection endpoint is per call, not per session: the monitor sender's
            // own bearer source admits exactly the endpoint it was given (monitor::ingestion).
            Resource::Monitor => return false,
        };
        crate::http::same_origin(url, base)
    }
}

fn fixed_url(s: &'static str) -> Url {
    // Only called with the literals of the table above (not outside input); a unit test
    // parses every one of them.
    #[allow(clippy::expect_used)]
    Url::parse(s).expect("the cloud table holds valid URLs")
}

fn parse_base(what: &'static str, value: &str) -> Result<Url, EnvironmentError> {
    let bad = |reason: &str| EnvironmentError::BadUrl {
        what,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(value.trim_end_matches('/')).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("the scheme must be https (or http to loopback)"));
    }
    if url.host().is_none() {
        return Err(bad("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL takes no query or fragment"));
    }
    Ok(url)
}

/// Appends percent-encoded path segments to a base URL that may itself have a path.
fn join_path(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        path.extend(segments);
    }
    url
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_has_https_hosts_and_distinct_resources() {
        for cloud in Cloud::ALL {
            let env = Environment::for_cloud(cloud);
            for url in [env.authority(), env.graph_base(), env.exchange_base()] {
                assert_eq!(url.scheme(), "https", "{cloud:?}");
            }
            assert_ne!(
                env.resource_uri(Resource::Exchange),
                env.resource_uri(Resource::Graph)
            );
        }
    }

    #[test]
    fn global_endpoints_match_the_docs() {
        let env = Environment::for_cloud(Cloud::Global);
        assert_eq!(
            env.token_endpoint("contoso.onmicrosoft.com").as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            env.default_scope(Resource::Exchange),
            "https://outlook.office365.com/.default"
        );
        assert_eq!(
            env.invoke_command_url("contoso.onmicrosoft.com").as_str(),
            "https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"
        );
        assert_eq!(
            env.graph_url(&["users", "a@b.com", "revokeSignInSessions"])
                .as_str(),
            "https://graph.microsoft.com/v1.0/users/a@b.com/revokeSignInSessions"
        );
    }

    /// Every row, every host and audience, against the sources cited at the table.
    #[test]
    fn every_cloud_row_matches_its_sources() {
        // (cloud, authority, graph base = graph resource, exchange base, exchange resource)
        let expected = [
            (
                Cloud::Global,
                "login.microsoftonline.com",
                "https://graph.microsoft.com",
                "outlook.office365.com",
                "https://outlook.office365.com",
            ),
            (
                Cloud::UsGovGccHigh,
                "login.microsoftonline.us",
                "https://graph.microsoft.us",
                "outlook.office365.us",
                "https://outlook.office365.us",
            ),
            (
                Cloud::UsGovDod,
                "login.microsoftonline.us",
                "https://dod-graph.microsoft.us",
                "outlook-dod.office365.us",
                "https://outlook-dod.office365.us",
            ),
            (
                Cloud::China,
                "login.partner.microsoftonline.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "partner.outlook.cn",
                "https://partner.outlook.cn",
            ),
        ];
        for (cloud, authority, graph, exchange_host, exchange_resource) in expected {
            let env = Environment::for_cloud(cloud);
            assert_eq!(env.authority().host_str(), Some(authority), "{cloud:?}");
            assert_eq!(
                env.graph_base().as_str().trim_end_matches('/'),
                graph,
                "{cloud:?}"
            );
            assert_eq!(env.resource_uri(Resource::Graph), graph, "{cloud:?}");
            assert_eq!(
                env.default_scope(Resource::Graph),
                format!("{graph}/.default")
            );
            assert_eq!(
                env.exchange_base().host_str(),
                Some(exchange_host),
                "{cloud:?}"
            );
            assert_eq!(
                env.resource_uri(Resource::Exchange),
                exchange_resource,
                "{cloud:?}"
            );
            assert_eq!(
                env.invoke_command_url("72f988bf-86f1-41af-91ab-2d7cd011db47")
                    .as_str(),
                format!(
                    "https://{exchange_host}/adminapi/beta/72f988bf-86f1-41af-91ab-2d7cd011db47/InvokeCommand"
                ),
                "{cloud:?}"
            );
            assert_eq!(
                env.token_endpoint("contoso.onmicrosoft.com").as_str(),
                format!("https://{authority}/contoso.onmicrosoft.com/oauth2/v2.0/token")
            );
        }
        // The DoD REST host is not the remote-PowerShell one (ScubaGear's EXORestHelper).
        assert_ne!(
            Environment::for_cloud(Cloud::UsGovDod)
                .exchange_base()
                .host_str(),
            Some("webmail.apps.mil")
        );
    }

    #[test]
    fn environment_names_parse_in_both_spellings() {
        for (name, cloud) in [
            ("Global", Cloud::Global),
            ("O365Default", Cloud::Global),
            ("USGov", Cloud::UsGovGccHigh),
            ("O365USGovGCCHigh", Cloud::UsGovGccHigh),
            ("USGovDoD", Cloud::UsGovDod),
            ("O365USGovDoD", Cloud::UsGovDod),
            ("China", Cloud::China),
            ("O365China", Cloud::China),
        ] {
            assert_eq!(Cloud::parse(name), Some(cloud), "{name}");
        }
        assert_eq!(Cloud::parse("Germany"), None);
        assert_eq!(Cloud::parse("O365GermanyCloud"), None);
    }

    #[test]
    fn custom_environment_keeps_real_resources_and_handles_base_paths() {
        let env = Environment::custom(
            "https://127.0.0.1:8443/",
            "https://127.0.0.1:8443",
            "https://127.0.0.1:8443/prefix/",
        )
        .unwrap();
        assert_eq!(
            env.token_endpoint("t").as_str(),
            "https://127.0.0.1:8443/t/oauth2/v2.0/token"
        );
        assert_eq!(
            env.invoke_command_url("t").as_str(),
            "https://127.0.0.1:8443/prefix/adminapi/beta/t/InvokeCommand"
        );
        assert_eq!(
            env.resource_uri(Resource::Exchange),
            "https://outlook.office365.com"
        );
        assert!(Environment::custom("ftp://x", "https://x", "https://x").is_err());
        assert!(Environment::custom("https://x?a=b", "https://x", "https://x").is_err());
    }

    const ENDPOINTS: [Endpoint; 3] = [Endpoint::Authority, Endpoint::Exchange, Endpoint::Graph];

    fn own_host(cloud: Cloud, endpoint: Endpoint) -> String {
        endpoint
            .host_of(&Environment::for_cloud(cloud))
            .unwrap()
            .to_owned()
    }

    #[test]
    fn each_cloud_and_endpoint_classifies_own_other_loopback_and_random_hosts() {
        for cloud in Cloud::ALL {
            for endpoint in ENDPOINTS {
                let own = Url::parse(&format!("https://{}", own_host(cloud, endpoint))).unwrap();
                assert_eq!(classify_host(cloud, endpoint, &own), HostKind::OwnCloud);
                // Host names compare case-insensitively (Url lowercases them).
                let upper = Url::parse(&own.as_str().to_uppercase()).unwrap();
                assert_eq!(classify_host(cloud, endpoint, &upper), HostKind::OwnCloud);
                for lo in [
                    "https://127.0.0.1:8443",
                    "http://[::1]:1",
                    "https://localhost",
                ] {
                    let url = Url::parse(lo).unwrap();
                    assert_eq!(classify_host(cloud, endpoint, &url), HostKind::Loopback);
                }
                for random in [
                    "https://proxy.contoso.com",
                    "https://graph.microsoft.com.evil.example",
                ] {
                    let url = Url::parse(random).unwrap();
                    assert_eq!(
                        classify_host(cloud, endpoint, &url),
                        HostKind::Custom,
                        "{random}"
                    );
                }
                for other in Cloud::ALL.into_iter().filter(|c| *c != cloud) {
                    let host = own_host(other, endpoint);
                    let url = Url::parse(&format!("https://{host}")).unwrap();
                    let want = if host == own_host(cloud, endpoint) {
                        // GCC High and DoD sign in at the same authority ([NC]).
                        HostKind::OwnCloud
                    } else {
                        // The first row with that host (GCC High for the shared authority).
                        let first = Cloud::ALL
                            .into_iter()
                            .find(|c| own_host(*c, endpoint) == host)
                            .unwrap();
                        assert!(first == other || own_host(first, endpoint) == host);
                        HostKind::OtherCloud(first)
                    };
                    assert_eq!(
                        classify_host(cloud, endpoint, &url),
                        want,
                        "{cloud:?} {endpoint:?} {host}"
                    );
                }
            }
        }
    }

    #[test]
    fn chinas_authority_alias_is_its_own_and_another_clouds_elsewhere() {
        let alias = Url::parse("https://login.chinacloudapi.cn").unwrap();
        assert_eq!(
            classify_host(Cloud::China, Endpoint::Authority, &alias),
            HostKind::OwnCloud
        );
        assert_eq!(
            classify_host(Cloud::Global, Endpoint::Authority, &alias),
            HostKind::OtherCloud(Cloud::China)
        );
        // An authority alias is no Graph or Exchange host.
        assert_eq!(
            classify_host(Cloud::China, Endpoint::Graph, &alias),
            HostKind::Custom
        );
    }

    fn one(endpoint: Endpoint, value: &str) -> EndpointOverrides<'_> {
        match endpoint {
            Endpoint::Authority => EndpointOverrides {
                authority: Some(value),
                ..Default::default()
            },
            Endpoint::Exchange => EndpointOverrides {
                exchange: Some(value),
                ..Default::default()
            },
            Endpoint::Graph => EndpointOverrides {
                graph: Some(value),
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_policy_takes_own_and_loopback_refuses_other_clouds_and_gates_the_rest() {
        for cloud in Cloud::ALL {
            for endpoint in ENDPOINTS {
                let own = format!("https://{}", own_host(cloud, endpoint));
                for allow in [false, true] {
                    for ok in [own.as_str(), "https://127.0.0.1:8443"] {
                        let c =
                            environment_with_overrides(cloud, one(endpoint, ok), allow).unwrap();
                        assert!(c.custom_hosts.is_empty());
                    }
                }
                // Another cloud's host: refused with or without the switch, naming all three.
                for other in Cloud::ALL
                    .into_iter()
                    .filter(|c| own_host(*c, endpoint) != own_host(cloud, endpoint))
                {
                    let host = own_host(other, endpoint);
                    for allow in [false, true] {
                        let e = environment_with_overrides(
                            cloud,
                            one(endpoint, &format!("https://{host}")),
                            allow,
                        )
                        .unwrap_err();
                        assert!(matches!(e, EndpointError::OtherCloud { .. }), "{e}");
                        let m = e.to_string();
                        assert!(m.contains(endpoint.parameter()) && m.contains(&host), "{m}");
                        let HostKind::OtherCloud(named) = classify_host(
                            cloud,
                            endpoint,
                            &Url::parse(&format!("https://{host}")).unwrap(),
                        ) else {
                            panic!("{host} is another cloud's")
                        };
                        assert_eq!(own_host(named, endpoint), host);
                        assert!(
                            m.contains(cloud.parameter_value())
                                && m.contains(named.parameter_value()),
                            "{m}"
                        );
                    }
                }
                // A random host: refused without the switch (naming parameter, host, cloud),
                // taken and reported with it.
                let e = environment_with_overrides(
                    cloud,
                    one(endpoint, "https://proxy.contoso.com"),
                    false,
                )
                .unwrap_err();
                let m = e.to_string();
                assert!(matches!(e, EndpointError::NotOfTheCloud { .. }), "{m}");
                assert!(
                    m.contains(endpoint.parameter()) && m.contains("proxy.contoso.com"),
                    "{m}"
                );
                assert!(
                    m.contains(cloud.parameter_value()) && m.contains("-AllowCustomEndpoint"),
                    "{m}"
                );
                let c = environment_with_overrides(
                    cloud,
                    one(endpoint, "https://proxy.contoso.com"),
                    true,
                )
                .unwrap();
                assert_eq!(
                    c.custom_hosts,
                    vec![format!("{} proxy.contoso.com", endpoint.parameter())]
                );
            }
        }
    }

    #[test]
    fn audiences_follow_the_cloud_whatever_the_overrides() {
        for cloud in Cloud::ALL {
            let all = EndpointOverrides {
                authority: Some("https://127.0.0.1:1"),
                exchange: Some("https://exo.proxy.example"),
                graph: Some("https://localhost:2/prefix"),
            };
            let c = environment_with_overrides(cloud, all, true).unwrap();
            let plain = Environment::for_cloud(cloud);
            for r in [Resource::Exchange, Resource::Graph] {
                assert_eq!(
                    c.environment.default_scope(r),
                    plain.default_scope(r),
                    "{cloud:?}"
                );
            }
            assert_eq!(
                c.environment.token_endpoint("t").as_str(),
                "https://127.0.0.1:1/t/oauth2/v2.0/token"
            );
            assert_eq!(
                c.custom_hosts,
                vec!["-ExchangeUri exo.proxy.example".to_owned()]
            );
        }
        // A bad URL is still reported as such, before any host check.
        let e = environment_with_overrides(Cloud::Global, one(Endpoint::Graph, "ftp://x"), true)
            .unwrap_err();
        assert!(matches!(e, EndpointError::BadUrl(_)), "{e}");
    }

    #[test]
    fn a_bearer_goes_only_to_the_origin_of_its_resource() {
        let env = Environment::for_cloud(Cloud::Global);
        let ok = Url::parse("https://graph.microsoft.com/v1.0/users?$top=1").unwrap();
        assert!(env.admits_bearer(Resource::Graph, &ok));
        assert!(!env.admits_bearer(Resource::Exchange, &ok));
        for bad in [
            "https://graph.microsoft.us/v1.0/users",
            "http://graph.microsoft.com/v1.0/users",
            "https://graph.microsoft.com:8443/v1.0/users",
            "https://login.microsoftonline.com/t/oauth2/v2.0/token",
        ] {
            assert!(
                !env.admits_bearer(Resource::Graph, &Url::parse(bad).unwrap()),
                "{bad}"
            );
        }
        let exo = env.invoke_command_url("t");
        assert!(env.admits_bearer(Resource::Exchange, &exo));
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        let env = Environment::for_cloud(Cloud::Global);
        let url = env.graph_url(&["users", "o'brien#x/y@contoso.com"]);
        assert_eq!(url.path(), "/v1.0/users/o'brien%23x%2Fy@contoso.com");
    }
}
