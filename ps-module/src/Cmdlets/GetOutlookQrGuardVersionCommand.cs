using System.Management.Automation;
using System.Reflection;
using OutlookQrGuard.Infrastructure;

namespace OutlookQrGuard.Cmdlets;

/// <summary>Get-OutlookQrGuardVersion: the module, assembly and native engine versions.</summary>
[Cmdlet(VerbsCommon.Get, "OutlookQrGuardVersion")]
[OutputType(typeof(OutlookQrGuardVersionInfo))]
public sealed class GetOutlookQrGuardVersionCommand : OutlookQrGuardCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            using var wire = NativeEngine.Instance.BuildInfo();
            var info = wire.Unwire();
            var assembly = typeof(GetOutlookQrGuardVersionCommand).Assembly;
            WriteObject(new OutlookQrGuardVersionInfo(
                MyInvocation.MyCommand.Module?.Version?.ToString() ?? string.Empty,
                assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? string.Empty,
                info.version,
                info.target,
                info.profile));
        }
        catch (OutlookQrGuardException e)
        {
            ThrowNativeError(e);
        }
    }
}

/// <summary>What Get-OutlookQrGuardVersion returns.</summary>
public sealed record OutlookQrGuardVersionInfo(
    string ModuleVersion, string AssemblyVersion, string EngineVersion, string EngineTarget, string EngineBuild);
