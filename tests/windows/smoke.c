/* Smoke test of the Windows engine DLL through its C ABI, run under Wine by build.ps1:
 *   smoke.exe <path to outlook_qr_guard.dll> <expected API guard hash, hex> <expected version>
 * Loads the DLL, checks the interoptopus API guard against the committed bindings' hash, creates
 * the engine, reads its build info, and runs engine_self_test (no network) with progress and log
 * callbacks, then its failure path. Prints what it saw; exit 0 only if every check held.
 *
 * The layouts mirror interoptopus 0.16 (vendored crate, src/pattern/{callback,asynk,result,
 * string}.rs) as the committed bindings/Interop.cs uses them: callbacks are {fn, data, destructor};
 * AsyncCallback is {fn, context} and receives AsyncOutcome<T> (u8 tag: 0 Ok, 1 Cancelled);
 * ffi::Result is repr(u32) (0 Ok, 1 Err, 2 Panic, 3 Null); ffi::String is {ptr, len, capacity}
 * and a callback that receives one owns it. */
#include <windows.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *ptr; uint64_t len; uint64_t capacity; } RString;

/* Error is ErrorDetail {kind: u8 enum, message, code, target} behind a u8 variant tag; the padding is
 * generous on purpose (a larger buffer is harmless for values returned through a hidden pointer). */
typedef struct { uint32_t tag; union { void *ok; uint8_t err[256]; } v; } ResultPtr;
typedef struct { uint32_t tag; union { struct { uint8_t *data; int32_t len; int32_t capacity; } ok; uint8_t err[256]; } v; } ResultWire;
/* Each variant is laid out on its own after the u32 tag: a u32 Ok value sits at offset 4, the
 * 8-aligned Err at offset 8 (as ResultXxx.UnmanagedOk/UnmanagedErr in the bindings). */
typedef struct { uint8_t variant; uint8_t pad[7]; uint8_t kind; uint8_t pad2[7]; RString message; RString code; RString target; } Error;
typedef union { uint32_t tag; struct { uint32_t tag; uint32_t value; } ok; struct { uint32_t tag; Error error; } err; } ResultU32;
typedef struct { uint8_t tag; ResultU32 result; } OutcomeU32;

typedef struct { void (*fn)(uint64_t, uint64_t, const void *); const void *data; void (*destructor)(const void *); } ProgressCallback;
typedef struct { void (*fn)(uint8_t, RString, const void *); const void *data; void (*destructor)(const void *); } LogCallback;
typedef struct { void (*fn)(const OutcomeU32 *, const void *); const void *context; } AsyncCallbackU32;
typedef struct { void *data; void (*abort_fn)(void *); void (*drop_fn)(void *); } TaskHandle;

typedef uint64_t (*api_guard_fn)(void);
typedef ResultPtr (*engine_create_fn)(void);
typedef void (*engine_destroy_fn)(void *);
typedef ResultWire (*engine_build_info_fn)(void *);
typedef void (*wire_destroy_fn)(uint8_t *, int32_t, int32_t);
typedef int64_t (*string_destroy_fn)(RString);
typedef TaskHandle (*engine_self_test_fn)(void *, uint32_t, uint32_t, uint32_t, uint32_t, ProgressCallback, LogCallback, AsyncCallbackU32);

static string_destroy_fn string_destroy;
static int failures;

#define CHECK(cond, ...) do { if (cond) { printf("ok   " __VA_ARGS__); } else { printf("FAIL " __VA_ARGS__); failures++; } printf("\n"); } while (0)

typedef struct {
    HANDLE done;
    volatile LONG progress_calls;
    volatile LONG64 last_done, last_total;
    volatile LONG log_calls;
    volatile LONG log_ok;
    OutcomeU32 outcome;
} Run;

static void on_progress(uint64_t done, uint64_t total, const void *data)
{
    Run *run = (Run *)data;
    InterlockedIncrement(&run->progress_calls);
    InterlockedExchange64(&run->last_done, (LONG64)done);
    InterlockedExchange64(&run->last_total, (LONG64)total);
}

static void on_log(uint8_t level, RString message, const void *data)
{
    Run *run = (Run *)data;
    char text[256] = {0};
    size_t n = message.len < sizeof text - 1 ? (size_t)message.len : sizeof text - 1;
    if (message.ptr) memcpy(text, message.ptr, n);
    InterlockedIncrement(&run->log_calls);
    if (level == 4 && strstr(text, "self-test step")) InterlockedIncrement(&run->log_ok);
    printf("     log level %u: %s\n", level, text);
    string_destroy(message); /* the callee owns the string */
}

static void on_done(const OutcomeU32 *outcome, const void *context)
{
    Run *run = (Run *)context;
    run->outcome = *outcome; /* the strings in an Err stay owned by us now */
    SetEvent(run->done);
}

static int run_self_test(engine_self_test_fn self_test, void *engine, uint32_t steps, uint32_t fail_at, Run *run)
{
    memset(run, 0, sizeof *run);
    run->done = CreateEventA(NULL, TRUE, FALSE, NULL);
    ProgressCallback progress = { on_progress, run, NULL };
    LogCallback log = { on_log, run, NULL };
    AsyncCallbackU32 callback = { on_done, run };
    TaskHandle task = self_test(engine, steps, 5, fail_at, 0, progress, log, callback);
    DWORD waited = WaitForSingleObject(run->done, 30000);
    if (task.drop_fn) task.drop_fn(task.data);
    CloseHandle(run->done);
    return waited == WAIT_OBJECT_0;
}

static void *need(HMODULE dll, const char *name)
{
    FARPROC f = GetProcAddress(dll, name);
    if (!f) { printf("FAIL export %s missing\n", name); exit(2); }
    return (void *)(intptr_t)f;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: smoke.exe <dll> <api guard hex> <version>\n"); return 2; }
    setvbuf(stdout, NULL, _IONBF, 0);
    HMODULE dll = LoadLibraryA(argv[1]);
    if (!dll) { printf("FAIL LoadLibrary(%s): error %lu\n", argv[1], GetLastError()); return 1; }
    printf("ok   LoadLibrary %s\n", argv[1]);

    uint64_t expected = _strtoui64(argv[2], NULL, 16);
    uint64_t guard = ((api_guard_fn)need(dll, "__api_guard"))();
    CHECK(guard == expected, "API guard 0x%016" PRIx64 " (bindings expect 0x%016" PRIx64 ")", guard, expected);

    string_destroy = (string_destroy_fn)need(dll, "interoptopus_string_destroy");
    ResultPtr created = ((engine_create_fn)need(dll, "engine_create"))();
    CHECK(created.tag == 0 && created.v.ok, "engine_create (result tag %u)", created.tag);
    if (created.tag != 0) return 1;
    void *engine = created.v.ok;

    ResultWire info = ((engine_build_info_fn)need(dll, "engine_build_info"))(engine);
    CHECK(info.tag == 0, "engine_build_info (result tag %u)", info.tag);
    if (info.tag == 0) {
        /* The wire buffer holds the serialized BuildInfo; its strings appear verbatim. */
        const char *want[] = { argv[3], "x86_64-windows", "release" }; /* build_info.rs: ARCH-OS */
        for (int i = 0; i < 3; i++) {
            size_t n = strlen(want[i]);
            int found = 0;
            for (int32_t at = 0; at + (int32_t)n <= info.v.ok.len && !found; at++)
                found = memcmp(info.v.ok.data + at, want[i], n) == 0;
            CHECK(found, "build info names '%s'", want[i]);
        }
        ((wire_destroy_fn)need(dll, "interoptopus_wire_destroy_78044"))(info.v.ok.data, info.v.ok.len, info.v.ok.capacity);
    }

    engine_self_test_fn self_test = (engine_self_test_fn)need(dll, "engine_self_test");
    Run run;
    int finished = run_self_test(self_test, engine, 4, 0, &run);
    CHECK(finished, "self-test completed on the engine's runtime");
    CHECK(finished && run.outcome.tag == 0 && run.outcome.result.tag == 0 && run.outcome.result.ok.value == 4,
          "self-test returned Ok(4) (outcome %u, result %u, value %u)", run.outcome.tag, run.outcome.result.tag, run.outcome.result.ok.value);
    CHECK(run.progress_calls == 4 && run.last_done == 4 && run.last_total == 4,
          "progress callback: %ld calls, last %lld of %lld", run.progress_calls, (long long)run.last_done, (long long)run.last_total);
    CHECK(run.log_calls == 4 && run.log_ok == 4, "log callback: %ld lines, %ld from the self-test", run.log_calls, run.log_ok);

    finished = run_self_test(self_test, engine, 5, 2, &run);
    CHECK(finished && run.outcome.tag == 0 && run.outcome.result.tag == 1, "self-test asked to fail at step 2 returns Err (result %u)", run.outcome.result.tag);
    if (finished && run.outcome.result.tag == 1) {
        RString code = run.outcome.result.err.error.code;
        CHECK(code.len == 15 && memcmp(code.ptr, "SelfTestFailure", 15) == 0, "error code SelfTestFailure");
        CHECK(run.progress_calls == 1, "one progress tick before the failure (%ld)", run.progress_calls);
        string_destroy(run.outcome.result.err.error.message);
        string_destroy(run.outcome.result.err.error.code);
        string_destroy(run.outcome.result.err.error.target);
    }

    ((engine_destroy_fn)need(dll, "engine_destroy"))(engine);
    printf("ok   engine_destroy\n");
    /* No FreeLibrary: the runtime's threads wind down in the background (docs/windows-cross-build.md). */
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
