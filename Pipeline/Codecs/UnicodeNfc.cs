using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Chat.Pipeline.Codecs;

/// <summary>
/// Unicode normalisation form C for display names. The build runs with InvariantGlobalization, where
/// <see cref="string.Normalize()"/> returns its input unchanged, so this calls ICU's <c>unorm2_normalize</c> itself,
/// from the same libicuuc the runtime would load (probed by version, as the runtime does). Without ICU on the machine
/// text with combining marks cannot be normalised and is refused (the caller assigns a name instead), rather than
/// passed on in a form that could impersonate another name.
/// </summary>
internal static unsafe class UnicodeNfc
{
    private static readonly nint Instance;
    private static readonly delegate* unmanaged<nint, char*, int, char*, int, int*, int> NormalizeExport;
    private static readonly bool Invariant = AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant;

    static UnicodeNfc()
    {
        if (!Invariant || !OperatingSystem.IsLinux()) return;
        for (var version = 90; version >= 50; version--)
        {
            if (!NativeLibrary.TryLoad($"libicuuc.so.{version}", out var library)) continue;
            if (!NativeLibrary.TryGetExport(library, $"unorm2_getNFCInstance_{version}", out var getInstance)
                || !NativeLibrary.TryGetExport(library, $"unorm2_normalize_{version}", out var normalize))
            {
                if (!NativeLibrary.TryGetExport(library, "unorm2_getNFCInstance", out getInstance)
                    || !NativeLibrary.TryGetExport(library, "unorm2_normalize", out normalize)) continue;
            }
            var error = 0;
            var instance = ((delegate* unmanaged<int*, nint>)getInstance)(&error);
            if (error > 0 || instance == 0) continue;
            Instance = instance;
            NormalizeExport = (delegate* unmanaged<nint, char*, int, char*, int, int*, int>)normalize;
            return;
        }
    }

    /// <summary>The NFC form of <paramref name="text"/>; false when ICU is missing and the text is not plainly NFC.</summary>
    public static bool TryNormalize(string text, out string normalized)
    {
        normalized = text;
        if (Ascii.IsValid(text)) return true;
        if (!Invariant)
        {
            normalized = text.Normalize(NormalizationForm.FormC);
            return true;
        }
        if (Instance == 0) return !HasCombiningMark(text);
        // NFC never grows text by more than a factor of 3 (UAX #15, "Stream-Safe Text Format" bounds).
        var destination = new char[text.Length * 3 + 16];
        var error = 0;
        int length;
        fixed (char* source = text)
        fixed (char* target = destination)
        {
            length = NormalizeExport(Instance, source, text.Length, target, destination.Length, &error);
        }
        if (error > 0) return false;
        normalized = new string(destination, 0, length);
        return true;
    }

    private static bool HasCombiningMark(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) return true;
        }
        return false;
    }
}
