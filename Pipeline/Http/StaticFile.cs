namespace Chat.Pipeline.Http;

/// <summary>One file of the chat page, read once at start-up.</summary>
public sealed record StaticFile(byte[] ContentType, byte[] Body);
