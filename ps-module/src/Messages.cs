using System.Globalization;
using System.Resources;

namespace OutlookQrGuard;

/// <summary>User-facing text of the cmdlet layer, English and Japanese (chosen by the UI culture).</summary>
internal static class Messages
{
    private static readonly ResourceManager Resources = new("OutlookQrGuard.Resources.Messages", typeof(Messages).Assembly);

    private static string Get(string name) => Resources.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    internal static string NotConnected => Get(nameof(NotConnected));
    internal static string DeviceCodeNeedsInteractiveHost => Get(nameof(DeviceCodeNeedsInteractiveHost));
    internal static string ProxyCredentialNeedsProxy => Get(nameof(ProxyCredentialNeedsProxy));
    internal static string CertificateHasNoKey => Get(nameof(CertificateHasNoKey));
    internal static string CertificateNotFound => Get(nameof(CertificateNotFound));
    internal static string CustomEndpointWarning => Get(nameof(CustomEndpointWarning));
    internal static string DisableWarning => Get(nameof(DisableWarning));
    internal static string AlreadyInState => Get(nameof(AlreadyInState));
    internal static string OwaSemiDocumentedWarning => Get(nameof(OwaSemiDocumentedWarning));
    internal static string OwaAlreadyInState => Get(nameof(OwaAlreadyInState));
    internal static string OwaSetAction => Get(nameof(OwaSetAction));
    internal static string OwaConfirmQuery => Get(nameof(OwaConfirmQuery));
    internal static string OwaNotReported => Get(nameof(OwaNotReported));
    internal static string ExportSummary => Get(nameof(ExportSummary));
    internal static string ForceAndNoClobber => Get(nameof(ForceAndNoClobber));
    internal static string InvalidResultSize => Get(nameof(InvalidResultSize));
    internal static string RevokeFailed => Get(nameof(RevokeFailed));
    internal static string RevokeGuestNotSupported => Get(nameof(RevokeGuestNotSupported));
    internal static string NoRevokeTargets => Get(nameof(NoRevokeTargets));
    internal static string NotARevokeTarget => Get(nameof(NotARevokeTarget));
    internal static string RevokeStoppedSummary => Get(nameof(RevokeStoppedSummary));
    internal static string RevokeStoppedRevoked => Get(nameof(RevokeStoppedRevoked));
    internal static string RevokeStoppedUnknown => Get(nameof(RevokeStoppedUnknown));
    internal static string RevokeStoppedResultPath => Get(nameof(RevokeStoppedResultPath));
    internal static string RevokeStoppedNoResultPath => Get(nameof(RevokeStoppedNoResultPath));
    internal static string RevokeSummary => Get(nameof(RevokeSummary));
    internal static string ConditionalAccessVerbose => Get(nameof(ConditionalAccessVerbose));
    internal static string PlanCreate => Get(nameof(PlanCreate));
    internal static string PlanUpdate => Get(nameof(PlanUpdate));
    internal static string PlanDelete => Get(nameof(PlanDelete));
    internal static string EvidenceClientSideFilter => Get(nameof(EvidenceClientSideFilter));
    internal static string EvidenceProgress => Get(nameof(EvidenceProgress));
    internal static string EvidenceDone => Get(nameof(EvidenceDone));
    internal static string EvidenceSinceNeedsSwitch => Get(nameof(EvidenceSinceNeedsSwitch));
    internal static string ExportEvidenceSummary => Get(nameof(ExportEvidenceSummary));
    internal static string ReportVerbose => Get(nameof(ReportVerbose));
    internal static string UpdateBaselineNeedsPath => Get(nameof(UpdateBaselineNeedsPath));
    internal static string BaselineWriteAction => Get(nameof(BaselineWriteAction));
    internal static string BaselineMissing => Get(nameof(BaselineMissing));
    internal static string BaselineCompared => Get(nameof(BaselineCompared));
    internal static string DriftWorse => Get(nameof(DriftWorse));
    internal static string BaselineWritten => Get(nameof(BaselineWritten));
    internal static string LogSendSummary => Get(nameof(LogSendSummary));
    internal static string LogSendWhatIf => Get(nameof(LogSendWhatIf));
    internal static string LogEvidenceSinceNeedsSwitch => Get(nameof(LogEvidenceSinceNeedsSwitch));
    internal static string InvalidRuleId => Get(nameof(InvalidRuleId));
    internal static string InvalidStreamName => Get(nameof(InvalidStreamName));
    internal static string InteractiveNeedsCredential => Get(nameof(InteractiveNeedsCredential));
    internal static string InteractiveBrowserOpened => Get(nameof(InteractiveBrowserOpened));
    internal static string InteractiveOpenThisUrl => Get(nameof(InteractiveOpenThisUrl));
    internal static string InteractivePageSuccess => Get(nameof(InteractivePageSuccess));
    internal static string InteractivePageFailure => Get(nameof(InteractivePageFailure));
    internal static string ConnectRowFailed => Get(nameof(ConnectRowFailed));
    internal static string ConnectRowNoMethod => Get(nameof(ConnectRowNoMethod));
    internal static string ConnectRowManyMethods => Get(nameof(ConnectRowManyMethods));
    internal static string ConnectRowNoAppId => Get(nameof(ConnectRowNoAppId));
    internal static string ConnectRowBadFlag => Get(nameof(ConnectRowBadFlag));
    internal static string FleetNoSessions => Get(nameof(FleetNoSessions));
    internal static string FleetVerbose => Get(nameof(FleetVerbose));
    internal static string FleetReportVerbose => Get(nameof(FleetReportVerbose));
    internal static string BlockImpactProgress => Get(nameof(BlockImpactProgress));
    internal static string BlockImpactSummary => Get(nameof(BlockImpactSummary));
    internal static string BlockImpactUnavailable => Get(nameof(BlockImpactUnavailable));
}
