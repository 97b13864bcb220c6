/* Test-only stand-in for bcryptprimitives.dll, which Wine 8.0 (Debian 12) lacks: Rust's standard
 * library imports ProcessPrng from it for its random numbers (HashMap keys, tempfile names).
 * Every supported Windows ships the real DLL (Windows 10 and later); this file never ships.
 * ProcessPrng's contract (always succeeds, fills the buffer): Microsoft Learn,
 * https://learn.microsoft.com/en-us/windows/win32/seccng/processprng
 * It is served here by RtlGenRandom (advapi32 SystemFunction036), which Wine implements. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            /* ProcessPrng never reports failure; a Wine without a random source cannot test. */
            ExitProcess(99);
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
