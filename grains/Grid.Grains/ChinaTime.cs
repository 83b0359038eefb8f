namespace Grid.Grains;

/// <summary>Times are stored in UTC; days, months and "today" are China Standard Time (UTC+8, no DST).</summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Day(DateTimeOffset utc) => DateOnly.FromDateTime(utc.ToOffset(Offset).DateTime);

    /// <summary>The UTC instants where a China Standard Time month begins and ends.</summary>
    public static (DateTimeOffset FromUtc, DateTimeOffset ToUtc) Month(int year, int month)
    {
        var from = new DateTimeOffset(year, month, 1, 0, 0, 0, Offset);
        return (from.ToUniversalTime(), from.AddMonths(1).ToUniversalTime());
    }
}
