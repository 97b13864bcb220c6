using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// Base of every cmdlet: runs a native call while pumping its log and progress events onto the
/// pipeline thread, and turns Ctrl+C into a cancellation of the Rust task.
/// </summary>
public abstract class OutlookQrGuardCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private const int ProgressActivityId = 1;

    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Progress bar text for the current native call; null = no bar.</summary>
    protected virtual string? ProgressActivity => null;

    /// <summary>Runs <paramref name="start"/> and waits for it on the pipeline thread.</summary>
    internal T RunNative<T>(Func<NativeEventQueue, CancellationToken, Task<T>> start, Action<ProgressEvent>? onProgress = null)
    {
        var events = new NativeEventQueue();
        Task<T> task;
        try
        {
            task = start(events, _stopping.Token);
        }
        catch (EnumException<Error> e)
        {
            throw NativeErrorMapper.FromNative(e.Value);
        }
        while (!task.IsCompleted)
        {
            if (events.TryTake(out var item, 50) && item is not null) Dispatch(item, onProgress);
        }
        while (events.TryTake(out var rest, 0) && rest is not null) Dispatch(rest, onProgress);
        CompleteProgress();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (EnumException<Error> e)
        {
            throw NativeErrorMapper.FromNative(e.Value);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (OperationCanceledException e)
        {
            // interoptopus reports a panic inside an async Rust method as a cancelled task.
            throw new OutlookQrGuardException(OutlookQrGuardErrorKind.Internal,
                "The native engine stopped unexpectedly (an internal error). Run the command again with -Debug and report the output.",
                "NativePanic", string.Empty, e);
        }
    }

    /// <summary>
    /// Like <see cref="RunNative{T}"/>, but Ctrl+C does not abort the native task (that would lose
    /// what it already did): <paramref name="onStop"/> asks it to stop, and the call is waited for
    /// to its end, so its results can still be reported. Events after the stop are dropped:
    /// PowerShell refuses writes from a stopping command.
    /// </summary>
    internal T RunNativeToEnd<T>(Func<NativeEventQueue, Task<T>> start, Action onStop, Action<ProgressEvent>? onProgress = null)
    {
        var events = new NativeEventQueue();
        Task<T> task;
        try
        {
            task = start(events);
        }
        catch (EnumException<Error> e)
        {
            throw NativeErrorMapper.FromNative(e.Value);
        }
        using (_stopping.Token.Register(onStop))
        {
            while (!task.IsCompleted)
            {
                if (events.TryTake(out var item, 50) && item is not null) DispatchUnlessStopped(item, onProgress);
            }
        }
        while (events.TryTake(out var rest, 0) && rest is not null) DispatchUnlessStopped(rest, onProgress);
        if (!_stopping.IsCancellationRequested)
        {
            try { CompleteProgress(); }
            catch (PipelineStoppedException) { }
        }
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (EnumException<Error> e)
        {
            throw NativeErrorMapper.FromNative(e.Value);
        }
        catch (OperationCanceledException e)
        {
            // Never aborted from here: a cancelled task is a panic inside the Rust method.
            throw new OutlookQrGuardException(OutlookQrGuardErrorKind.Internal,
                "The native engine stopped unexpectedly (an internal error). Run the command again with -Debug and report the output.",
                "NativePanic", string.Empty, e);
        }
    }

    private void DispatchUnlessStopped(NativeEvent item, Action<ProgressEvent>? onProgress)
    {
        if (_stopping.IsCancellationRequested) return;
        try
        {
            Dispatch(item, onProgress);
        }
        catch (PipelineStoppedException)
        {
            // Stopped between the check and the write: the native call still runs to its end.
        }
    }

    private void Dispatch(NativeEvent item, Action<ProgressEvent>? onProgress)
    {
        switch (item)
        {
            case LogEvent log:
                WriteLog(log);
                break;
            case PromptEvent prompt:
                WriteHostMessage(prompt.Message, ConsoleColor.Yellow);
                break;
            case ProgressEvent progress when onProgress is not null:
                onProgress(progress);
                break;
            case ProgressEvent progress when ProgressActivity is not null:
                var percent = progress.Total == 0 ? -1 : (int)Math.Min(100, progress.Done * 100 / progress.Total);
                WriteProgress(new ProgressRecord(ProgressActivityId, ProgressActivity, $"{progress.Done} of {progress.Total}") { PercentComplete = percent });
                break;
        }
    }

    /// <summary>What Write-Host does: an information record tagged PSHOST, always shown.</summary>
    protected void WriteHostMessage(string message, ConsoleColor? color = null)
    {
        var text = new HostInformationMessage { Message = message, NoNewLine = false };
        if (color is not null) text.ForegroundColor = color;
        WriteInformation(text, new[] { "PSHOST" });
    }

    /// <summary>Writes log lines that came back with a result.</summary>
    internal void WriteLogs(System.Collections.Generic.IEnumerable<LogLine> lines)
    {
        foreach (var line in lines) WriteLog(new LogEvent((NativeLogLevel)line.level, line.message));
    }

    private void WriteLog(LogEvent log)
    {
        switch (log.Level)
        {
            case NativeLogLevel.Error:
            case NativeLogLevel.Warning:
                WriteWarning(log.Message);
                break;
            case NativeLogLevel.Info:
                WriteVerbose(log.Message);
                break;
            default:
                WriteDebug(log.Message);
                break;
        }
    }

    private void CompleteProgress()
    {
        if (ProgressActivity is null) return;
        WriteProgress(new ProgressRecord(ProgressActivityId, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>Reports a native failure as a terminating error with a stable id.</summary>
    protected void ThrowNativeError(OutlookQrGuardException e, object? targetObject = null) =>
        ThrowTerminatingError(NativeErrorMapper.ToErrorRecord(e, targetObject));

    /// <summary>Reports a native failure as a non-terminating error (one item of a batch failed).</summary>
    protected void WriteNativeError(OutlookQrGuardException e, object? targetObject = null) =>
        WriteError(NativeErrorMapper.ToErrorRecord(e, targetObject));
}
