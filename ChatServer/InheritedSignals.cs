using System.Runtime.InteropServices;

namespace Chat.Server;

/// <summary>
/// Gives back to their default the stop and reload signals that whoever started the process set to ignored:
/// <c>nohup</c> ignores SIGHUP, and a shell without job control ignores SIGINT in what it starts with <c>&amp;</c>.
/// .NET keeps an ignored signal ignored and then never calls a <see cref="PosixSignalRegistration"/> for it, so such a
/// server would not reload its TLS pair on SIGHUP nor drain on SIGINT. Asking for a signal means wanting it, as Go's
/// signal.Notify decides for the same two. Call first, before anything starts .NET's signal handling (the console,
/// <see cref="System.Diagnostics.Process"/>, a registration): it reads each signal's disposition once, at that start.
/// </summary>
internal static partial class InheritedSignals
{
    private const int SigHup = 1;
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private static readonly nint Ignore = 1;

    /// <summary>Sets each signal <c>Program</c> registers for back to its default if it was ignored.</summary>
    public static unsafe void Unignore()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var signal in (ReadOnlySpan<int>)[SigHup, SigInt, SigTerm])
        {
            SignalAction current;
            if (sigaction(signal, null, &current) != 0 || current.Handler != Ignore) continue;
            // All zero: SIG_DFL, an empty mask, no flags; only the handler's place is the same in every libc's layout.
            var byDefault = default(SignalAction);
            sigaction(signal, &byDefault, null);
        }
    }

    /// <summary>
    /// struct sigaction with its handler first, as glibc and musl lay it out; the rest (mask, flags, restorer) is only
    /// ever zero here, and the size leaves room for the largest layout.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct SignalAction
    {
        public nint Handler;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sigaction(int signal, SignalAction* action, SignalAction* previous);
}
