using System.Globalization;

namespace Grid.Silo.Storage;

/// <summary>UTC instants as fixed-width ISO 8601 text, so that SQLite's text order is time order.</summary>
internal static class SqliteText
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static object Utc(DateTimeOffset? t) => t is { } v ? Utc(v) : DBNull.Value;

    public static DateTimeOffset ParseUtc(string s) =>
        new(DateTime.ParseExact(s, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
}
