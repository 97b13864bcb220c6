using System;
using System.Collections.Generic;
using System.Linq;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Model;

/// <summary>
/// One ActiveSync device partnership as Get-MobileDevice returns it: the 40 properties of
/// ExchangeOnlineManagement 3 (REST) in the service's order, plus UserDisplayNameNew (the owning
/// mailbox's Name: Identity before the first backslash). Dates are UTC.
/// </summary>
public sealed class OutlookMobileDevice
{
    /// <summary>The property order of Get-MobileDevice; a test checks it against the engine's.</summary>
    internal static readonly IReadOnlyList<string> PropertyOrder = new[] { "FriendlyName", "DeviceId", "DeviceImei", "DeviceMobileOperator", "DeviceOS", "DeviceOSLanguage", "DeviceTelephoneNumber", "DeviceType", "DeviceUserAgent", "DeviceModel", "FirstSyncTime", "UserDisplayName", "DeviceAccessState", "DeviceAccessStateReason", "DeviceAccessControlRule", "ClientVersion", "ClientType", "IsManaged", "IsCompliant", "IsDisabled", "AdminDisplayName", "ExchangeVersion", "DirectoryObjectVersion", "Name", "DistinguishedName", "Identity", "ObjectCategory", "ObjectClass", "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC", "ExchangeObjectId", "OrganizationalUnitRoot", "OrganizationId", "Id", "Guid", "OriginatingServer", "IsValid", "ObjectState" };

    internal OutlookMobileDevice(DeviceRecord r)
    {
        FriendlyName = r.friendly_name;
        DeviceId = r.device_id;
        DeviceImei = r.device_imei;
        DeviceMobileOperator = r.device_mobile_operator;
        DeviceOS = r.device_os;
        DeviceOSLanguage = r.device_os_language;
        DeviceTelephoneNumber = r.device_telephone_number;
        DeviceType = r.device_type;
        DeviceUserAgent = r.device_user_agent;
        DeviceModel = r.device_model;
        FirstSyncTime = Date(r.first_sync_time);
        UserDisplayName = r.user_display_name;
        DeviceAccessState = r.device_access_state;
        DeviceAccessStateReason = r.device_access_state_reason;
        DeviceAccessControlRule = r.device_access_control_rule;
        ClientVersion = r.client_version;
        ClientType = r.client_type;
        IsManaged = r.is_managed;
        IsCompliant = r.is_compliant;
        IsDisabled = r.is_disabled;
        AdminDisplayName = r.admin_display_name;
        ExchangeVersion = r.exchange_version;
        DirectoryObjectVersion = r.directory_object_version;
        Name = r.name;
        DistinguishedName = r.distinguished_name;
        Identity = r.identity;
        ObjectCategory = r.object_category;
        ObjectClass = r.object_class.ToArray();
        WhenChanged = Date(r.when_changed);
        WhenCreated = Date(r.when_created);
        WhenChangedUTC = Date(r.when_changed_utc);
        WhenCreatedUTC = Date(r.when_created_utc);
        ExchangeObjectId = r.exchange_object_id;
        OrganizationalUnitRoot = r.organizational_unit_root;
        OrganizationId = r.organization_id;
        Id = r.id;
        Guid = r.guid;
        OriginatingServer = r.originating_server;
        IsValid = r.is_valid;
        ObjectState = r.object_state;
        UserDisplayNameNew = r.user_display_name_new;
        MailboxDistinguishedName = r.mailbox_distinguished_name;
    }

    public string? FriendlyName { get; }
    public string? DeviceId { get; }
    public string? DeviceImei { get; }
    public string? DeviceMobileOperator { get; }
    public string? DeviceOS { get; }
    public string? DeviceOSLanguage { get; }
    public string? DeviceTelephoneNumber { get; }
    public string? DeviceType { get; }
    public string? DeviceUserAgent { get; }
    public string? DeviceModel { get; }
    public DateTime? FirstSyncTime { get; }
    public string? UserDisplayName { get; }
    public string? DeviceAccessState { get; }
    public string? DeviceAccessStateReason { get; }
    public string? DeviceAccessControlRule { get; }
    public string? ClientVersion { get; }
    public string? ClientType { get; }
    public bool? IsManaged { get; }
    public bool? IsCompliant { get; }
    public bool? IsDisabled { get; }
    public string? AdminDisplayName { get; }
    public string? ExchangeVersion { get; }
    public string? DirectoryObjectVersion { get; }
    public string? Name { get; }
    public string? DistinguishedName { get; }
    public string? Identity { get; }
    public string? ObjectCategory { get; }
    public string[] ObjectClass { get; }
    public DateTime? WhenChanged { get; }
    public DateTime? WhenCreated { get; }
    public DateTime? WhenChangedUTC { get; }
    public DateTime? WhenCreatedUTC { get; }
    public string? ExchangeObjectId { get; }
    public string? OrganizationalUnitRoot { get; }
    public string? OrganizationId { get; }
    public string? Id { get; }
    public string? Guid { get; }
    public string? OriginatingServer { get; }
    public bool? IsValid { get; }
    public string? ObjectState { get; }

    /// <summary>
    /// The owning mailbox's Name: the part of Identity before the first backslash (Identity is
    /// &lt;mailbox Name&gt;\ExchangeActiveSyncDevices\&lt;device Name&gt;).
    /// </summary>
    public string UserDisplayNameNew { get; }

    /// <summary>The owning mailbox, for Revoke-OutlookMobileSignin to resolve the user.</summary>
    internal string? MailboxDistinguishedName { get; }

    private static DateTime? Date(long? ticks) => ticks is long t ? new DateTime(t, DateTimeKind.Utc) : null;

    public override string ToString() => Identity ?? DeviceId ?? string.Empty;
}
