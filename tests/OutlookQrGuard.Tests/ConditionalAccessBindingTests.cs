using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Model;
using OutlookQrGuard.Native;
using Xunit;

namespace OutlookQrGuard.Tests;

/// <summary>The issue #8 calls through the real engine (no tenant), and the cmdlet types built from their results.</summary>
public class ConditionalAccessBindingTests
{
    static ConditionalAccessBindingTests() => ModuleInitializer.RegisterResolver();

    private const ulong NoSuchSession = 987_654_321;

    [Fact]
    public async Task Planning_on_a_closed_session_fails_with_a_typed_error_and_writes_nothing()
    {
        using var engine = Engine.Create();
        var request = new BlockRequest { enforce = true, exclude_users = new List<string> { "breakglass@contoso.com" }, exclude_groups = new List<string>() }.Wire();
        var block = await Assert.ThrowsAsync<EnumException<Error>>(() => engine.PlanBlock(NoSuchSession, request, (_, _) => { }));
        var unblock = await Assert.ThrowsAsync<EnumException<Error>>(() => engine.PlanUnblock(NoSuchSession, (_, _) => { }));
        foreach (var e in new[] { block, unblock })
        {
            var mapped = NativeErrorMapper.FromNative(e.Value);
            Assert.Equal("SessionClosed", mapped.ServiceCode);
            Assert.Contains("Connect-OutlookQrGuard", mapped.Message);
        }
    }

    [Fact]
    public async Task An_evidence_listing_on_a_closed_session_is_refused_and_an_unknown_listing_closes_quietly()
    {
        using var engine = Engine.Create();
        var query = new EvidenceQuery { since_ticks = null, until_ticks = null, user = null, interactive_only = false }.Wire();
        var e = await Assert.ThrowsAsync<EnumException<Error>>(() => engine.OpenSigninEvidence(NoSuchSession, query));
        Assert.Equal("SessionClosed", NativeErrorMapper.FromNative(e.Value).ServiceCode);
        // The cmdlet closes listings in finally blocks, also ones the engine already closed itself.
        Assert.False(engine.CloseSigninListing(NoSuchSession).Is);
    }

    [Fact]
    public void Evidence_carries_the_event_in_UTC_with_the_location_parts_the_log_has()
    {
        var at = new DateTime(2026, 11, 30, 9, 12, 33, DateTimeKind.Utc);
        var e = new SigninEvidence(new SigninEvent
        {
            id = "e1", created_ticks = at.Ticks, user_principal_name = "hanako@contoso.com", user_id = "u1", user_display_name = "Hanako",
            app_display_name = "Microsoft Outlook", app_id = "27922004-5251-4030-b22d-91ecd9a37ea4", client_app_used = "Mobile Apps and Desktop clients",
            event_type = "interactiveUser", device_name = "iPhone", operating_system = "iOS 18.1", browser = "", device_id = "",
            ip_address = "203.0.113.5", city = "Osaka", state = "", country = "JP", error_code = 0, result = "Success", failure_reason = "",
            conditional_access_status = "notApplied", transfer_method = "authenticationTransfer", correlation_id = "c1",
        });
        Assert.Equal(at, e.Time);
        Assert.Equal(DateTimeKind.Utc, e.Time.Kind);
        Assert.Equal("Osaka, JP", e.Location);
        Assert.Equal("iOS 18.1", e.DeviceOS);
        Assert.Equal("Microsoft Outlook", e.App);
        Assert.Equal("hanako@contoso.com", e.UserPrincipalName);
    }

    [Fact]
    public void A_plan_with_nothing_to_do_reports_the_current_state_and_the_reason()
    {
        var plan = new PolicyPlan
        {
            action = "None", method = "", path = "", policy_id = "p1", display_name = "Contoso: no QR sign-in",
            current_state = "enabled", target_state = "enabled", body = "", reason = "An equivalent policy already blocks it.",
            excluded_users = new List<DirectoryObjectRef> { new() { id = "u1", display_name = "Break Glass", kind = "User" } },
            excluded_groups = new List<DirectoryObjectRef>(),
        };
        var r = PolicyChangeResult.Unchanged(plan);
        Assert.Equal("None", r.Action);
        Assert.False(r.Changed);
        Assert.Equal("enabled", r.State);
        Assert.Equal("An equivalent policy already blocks it.", r.Reason);
        Assert.Equal("User 'Break Glass' (u1)", r.ExcludedUsers[0].ToString());
    }
}
