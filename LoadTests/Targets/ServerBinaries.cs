namespace Chat.LoadTests.Targets;

/// <summary>Where the servers are: beside the runner (the unit tests copy ChatServer.dll there) or in the repository's build output.</summary>
internal static class ServerBinaries
{
    public const string KestrelRelative = "LoadTests/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll";
    public const string KestrelLeanRelative = "LoadTests/KestrelLean/bin/Release/net10.0/KestrelLean.dll";
    public const string BunChatRelative = "LoadTests/BunChat/chat.js";
    public const string OursRelative = "ChatServer/bin/Release/net10.0/ChatServer.dll";

    /// <summary>The directory holding Chat.slnx above the runner, or null when the runner runs outside a checkout.</summary>
    public static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chat.slnx"))) return directory.FullName;
        }

        return null;
    }

    public static string? Ours()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "ChatServer.dll");
        if (File.Exists(beside)) return beside;
        return InRepository(OursRelative);
    }

    public static string? Kestrel() => InRepository(KestrelRelative);

    public static string? KestrelLean() => InRepository(KestrelLeanRelative);

    /// <summary>The Bun chat script: copied beside the runner by its build, else the repository's.</summary>
    public static string? BunChat()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "BunChat", "chat.js");
        return File.Exists(beside) ? beside : InRepository(BunChatRelative);
    }

    private static string? InRepository(string relative)
    {
        var root = RepositoryRoot();
        if (root is null) return null;
        var path = Path.Combine(root, relative);
        return File.Exists(path) ? path : null;
    }
}
