using System;
using System.Collections.Concurrent;
using OutlookQrGuard.Native;

namespace OutlookQrGuard.Infrastructure;

/// <summary>What the native side reports while a call runs.</summary>
internal abstract record NativeEvent;
internal sealed record LogEvent(NativeLogLevel Level, string Message) : NativeEvent;
internal sealed record ProgressEvent(ulong Done, ulong Total) : NativeEvent;
internal sealed record PromptEvent(string Message) : NativeEvent;

internal enum NativeLogLevel : byte { Error = 1, Warning = 2, Info = 3, Debug = 4, Trace = 5 }

/// <summary>
/// The callbacks handed to Rust run on Tokio worker threads, where PowerShell forbids writing to
/// the pipeline. They only enqueue here; the cmdlet drains the queue on the pipeline thread.
/// They never throw: an exception would be deferred to the callback's Dispose and mask the result.
/// </summary>
internal sealed class NativeEventQueue
{
    private readonly BlockingCollection<NativeEvent> _events = new(new ConcurrentQueue<NativeEvent>());

    internal LogCallbackDelegate Log => (level, message) =>
    {
        string text;
        try { text = message.IntoString(); }
        catch (Exception) { text = "(unreadable log line)"; }
        _events.TryAdd(new LogEvent((NativeLogLevel)level, text));
    };

    internal ProgressCallbackDelegate Progress => (done, total) => _events.TryAdd(new ProgressEvent(done, total));

    internal PromptCallbackDelegate Prompt => message =>
    {
        string text;
        try { text = message.IntoString(); }
        catch (Exception) { text = "(unreadable message)"; }
        _events.TryAdd(new PromptEvent(text));
    };

    /// <summary>Log lines that arrived with a result (background work) rather than by callback.</summary>
    internal void Add(NativeEvent item) => _events.TryAdd(item);

    internal bool TryTake(out NativeEvent? item, int millisecondsTimeout) =>
        _events.TryTake(out item, millisecondsTimeout);
}
