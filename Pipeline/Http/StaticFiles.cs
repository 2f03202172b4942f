using System.Text;

namespace Chat.Pipeline.Http;

/// <summary>The page's own files, loaded into memory at start-up and looked up by request path without allocating.</summary>
public sealed class StaticFiles
{
    private readonly Dictionary<string, StaticFile> _files;
    private readonly Dictionary<string, StaticFile>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private StaticFiles(Dictionary<string, StaticFile> files)
    {
        _files = files;
        _lookup = files.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _files.Count;

    /// <summary>Loads every file under <paramref name="root"/>; <c>index.html</c> is served at <c>/</c> too.</summary>
    public static StaticFiles Load(string root)
    {
        var files = new Dictionary<string, StaticFile>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var relative = "/" + Path.GetRelativePath(root, path).Replace('\\', '/');
                var file = new StaticFile(Encoding.ASCII.GetBytes(ContentTypeOf(path)), File.ReadAllBytes(path));
                files[relative] = file;
                if (relative == "/index.html") files["/"] = file;
            }
        }
        return new StaticFiles(files);
    }

    public bool TryGet(ReadOnlySpan<byte> path, out StaticFile file)
    {
        file = null!;
        if (path.Length > 256) return false;
        Span<char> chars = stackalloc char[path.Length];
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] >= 0x80) return false;
            chars[i] = (char)path[i];
        }
        return _lookup.TryGetValue(chars, out file!);
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".ico" => "image/x-icon",
        ".webmanifest" => "application/manifest+json",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
