using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using OutlookQrGuard.Infrastructure;
using OutlookQrGuard.Native;
using Xunit;

namespace OutlookQrGuard.Tests;

/// <summary>The generated bindings against the real native engine.</summary>
public class NativeEngineTests
{
    static NativeEngineTests() => ModuleInitializer.RegisterResolver();

    [Fact]
    public void Build_info_reports_the_workspace_version()
    {
        using var engine = Engine.Create();
        var info = engine.BuildInfo().Unwire();
        var assemblyVersion = typeof(ModuleInitializer).Assembly.GetName().Version!;
        Assert.Equal($"{assemblyVersion.Major}.{assemblyVersion.Minor}.{assemblyVersion.Build}", info.version);
        Assert.Contains(Environment.Is64BitProcess ? "64" : "", info.target);
    }

    [Fact]
    public async Task Async_call_reports_progress_and_log_lines_through_callbacks()
    {
        using var engine = Engine.Create();
        var progress = new ConcurrentQueue<(ulong, ulong)>();
        var logs = new ConcurrentQueue<string>();
        var result = await engine.SelfTest(5, 1, 0, 0, (d, t) => progress.Enqueue((d, t)), (level, m) => logs.Enqueue($"{level}:{m.IntoString()}"));
        Assert.Equal(5u, result);
        Assert.Equal(new[] { (1UL, 5UL), (2UL, 5UL), (3UL, 5UL), (4UL, 5UL), (5UL, 5UL) }, progress.ToArray());
        Assert.Equal("4:self-test step 3 of 5", logs.ToArray()[2]);
    }

    [Fact]
    public async Task Cancellation_aborts_the_rust_task_promptly()
    {
        using var engine = Engine.Create();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.SelfTest(1000, 50, 0, 0, (_, _) => { }, (_, _) => { }, cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "cancellation took too long");
    }

    [Fact]
    public async Task Errors_cross_as_typed_detail()
    {
        using var engine = Engine.Create();
        var e = await Assert.ThrowsAsync<EnumException<Error>>(() => engine.SelfTest(5, 1, 3, 0, (_, _) => { }, (_, _) => { }));
        var mapped = NativeErrorMapper.FromNative(e.Value);
        Assert.Equal(OutlookQrGuardErrorKind.InvalidArgument, mapped.Kind);
        Assert.Equal("SelfTestFailure", mapped.ServiceCode);
        Assert.Equal("3", mapped.Target);
        Assert.Contains("step 3", mapped.Message);
        Assert.Equal("OutlookQrGuard.InvalidArgument.SelfTestFailure", NativeErrorMapper.ErrorId(mapped.Kind, mapped.ServiceCode));
        // No service call failed: no ids (a failed call's ids: tests/pester/ExchangeDiagnostics.Tests.ps1).
        Assert.Equal(string.Empty, mapped.ClientRequestId);
        Assert.Equal(string.Empty, mapped.RequestId);
    }

    [Fact]
    public async Task A_rust_panic_does_not_cross_the_boundary_and_the_engine_survives_it()
    {
        using var engine = Engine.Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.SelfTest(5, 1, 0, 2, (_, _) => { }, (_, _) => { }));
        Assert.Equal(3u, await engine.SelfTest(3, 1, 0, 0, (_, _) => { }, (_, _) => { }));
    }

    [Fact]
    public void The_cmdlet_device_type_has_the_engines_property_order()
    {
        using var engine = Engine.Create();
        using var wire = engine.BuildInfo();
        Assert.Equal(wire.Unwire().device_properties, OutlookQrGuard.Model.OutlookMobileDevice.PropertyOrder);
        var declared = System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(
            typeof(OutlookQrGuard.Model.OutlookMobileDevice).GetProperties(), p => p.Name));
        Assert.Equal(OutlookQrGuard.Model.OutlookMobileDevice.PropertyOrder, declared[..OutlookQrGuard.Model.OutlookMobileDevice.PropertyOrder.Count]);
    }
}
