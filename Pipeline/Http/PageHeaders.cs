namespace Chat.Pipeline.Http;

/// <summary>
/// Headers of every HTML file of the page (<c>/</c> and <c>/index.html</c>). The policy is the page's own
/// <c>&lt;meta&gt;</c> policy plus <c>frame-ancestors 'none'</c>, which a meta tag cannot carry (CSP3 section 6.4.2):
/// the page cannot be framed, so it cannot be clickjacked. X-Frame-Options says the same to browsers without CSP2.
/// </summary>
internal static class PageHeaders
{
    public const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static ReadOnlySpan<byte> Html => "Cache-Control: no-cache\r\nContent-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\n"u8;
}
