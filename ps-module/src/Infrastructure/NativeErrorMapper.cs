using System;
using System.Management.Automation;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>The kinds of failure the engine reports (scripts can switch on them).</summary>
public enum OutlookQrGuardErrorKind
{
    InvalidArgument, Authentication, PermissionDenied, NotFound, Throttled, Connection,
    Protocol, Io, AlreadyExists, Cancelled, Internal,
}

/// <summary>An error reported by the native engine, with everything needed for an ErrorRecord.</summary>
public sealed class OutlookQrGuardException : Exception
{
    internal OutlookQrGuardException(OutlookQrGuardErrorKind kind, string message, string serviceCode, string target, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ServiceCode = serviceCode;
        Target = target;
    }

    internal OutlookQrGuardException(OutlookQrGuardErrorKind kind, string message, string serviceCode, string target, string clientRequestId, string requestId)
        : this(kind, message, serviceCode, target)
    {
        ClientRequestId = clientRequestId;
        RequestId = requestId;
    }

    /// <summary>The kind of failure (authentication, permission, I/O …).</summary>
    public OutlookQrGuardErrorKind Kind { get; }

    /// <summary>The service's own code, e.g. AADSTS7000215; empty when there is none.</summary>
    public string ServiceCode { get; }

    /// <summary>What the error concerns (a user, a path, an app id); empty when nothing specific.</summary>
    public string Target { get; }

    /// <summary>The client-request-id sent with the failed Exchange or Graph call (what Microsoft support asks for); empty when no service call failed.</summary>
    public string ClientRequestId { get; } = string.Empty;

    /// <summary>The service's request-id for the failed call; empty when it gave none.</summary>
    public string RequestId { get; } = string.Empty;
}

internal static class NativeErrorMapper
{
    internal static OutlookQrGuardException FromNative(Error error)
    {
        var detail = error.AsFailed();
        return new OutlookQrGuardException(
            Kind(detail.kind),
            detail.message.IntoString(),
            detail.code.IntoString(),
            detail.target.IntoString(),
            detail.client_request_id.IntoString(),
            detail.request_id.IntoString());
    }

    internal static OutlookQrGuardErrorKind Kind(ErrorKind kind) =>
        kind.IsInvalidArgument ? OutlookQrGuardErrorKind.InvalidArgument
        : kind.IsAuthentication ? OutlookQrGuardErrorKind.Authentication
        : kind.IsPermissionDenied ? OutlookQrGuardErrorKind.PermissionDenied
        : kind.IsNotFound ? OutlookQrGuardErrorKind.NotFound
        : kind.IsThrottled ? OutlookQrGuardErrorKind.Throttled
        : kind.IsConnection ? OutlookQrGuardErrorKind.Connection
        : kind.IsProtocol ? OutlookQrGuardErrorKind.Protocol
        : kind.IsIo ? OutlookQrGuardErrorKind.Io
        : kind.IsAlreadyExists ? OutlookQrGuardErrorKind.AlreadyExists
        : kind.IsCancelled ? OutlookQrGuardErrorKind.Cancelled
        : OutlookQrGuardErrorKind.Internal;

    internal static ErrorCategory Category(OutlookQrGuardErrorKind kind) => kind switch
    {
        OutlookQrGuardErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        OutlookQrGuardErrorKind.Authentication => ErrorCategory.AuthenticationError,
        OutlookQrGuardErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        OutlookQrGuardErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        OutlookQrGuardErrorKind.Throttled => ErrorCategory.LimitsExceeded,
        OutlookQrGuardErrorKind.Connection => ErrorCategory.ConnectionError,
        OutlookQrGuardErrorKind.Protocol => ErrorCategory.ProtocolError,
        OutlookQrGuardErrorKind.Io => ErrorCategory.WriteError,
        OutlookQrGuardErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        OutlookQrGuardErrorKind.Cancelled => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Stable ids scripts can match on: OutlookQrGuard.&lt;Kind&gt;[.&lt;ServiceCode&gt;].</summary>
    internal static string ErrorId(OutlookQrGuardErrorKind kind, string serviceCode) =>
        string.IsNullOrEmpty(serviceCode) ? $"OutlookQrGuard.{kind}" : $"OutlookQrGuard.{kind}.{serviceCode}";

    internal static ErrorRecord ToErrorRecord(OutlookQrGuardException e, object? targetObject) =>
        new(e, ErrorId(e.Kind, e.ServiceCode), Category(e.Kind), targetObject ?? (string.IsNullOrEmpty(e.Target) ? null : e.Target));
}
