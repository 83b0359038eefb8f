using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Grid.Contracts;

namespace Grid.Grains.Activities;

/// <summary>
/// 签到: when a member may sign in, and the short code shown at the venue. The code is derived from
/// the occurrence's secret and the time (a new six-digit code every <see cref="CodeStep"/>), so a
/// code passed on by message goes stale within minutes; the code of the previous step is still
/// taken, so a member who read it just before it changed is not turned away.
/// </summary>
public static class SignInRules
{
    public static readonly TimeSpan CodeStep = TimeSpan.FromMinutes(5);
    public const int MaxWrongCodes = 10;

    public static bool WindowOpen(ActivityPlan plan, DateTimeOffset now) => now >= plan.SignInOpensUtc && now <= plan.EndUtc;

    /// <summary>Why a sign-in is refused now, or null. Codes are checked separately.</summary>
    public static string? WindowError(ActivityPlan plan, DateTimeOffset now)
    {
        if (now < plan.SignInOpensUtc)
            return $"签到于 {plan.SignInOpensUtc.ToOffset(ChinaTime.Offset):yyyy-MM-dd HH:mm}（北京时间）开始。";
        if (now > plan.EndUtc)
            return $"签到已于 {plan.EndUtc.ToOffset(ChinaTime.Offset):yyyy-MM-dd HH:mm}（北京时间）截止。";
        return null;
    }

    public static long StepOf(DateTimeOffset t) => t.ToUnixTimeSeconds() / (long)CodeStep.TotalSeconds;

    /// <summary>The six-digit code of one time step (HOTP-style truncation of an HMAC-SHA256).</summary>
    public static string Code(ReadOnlySpan<byte> secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, counter, mac);
        var offset = mac[^1] & 0x0F;
        var value = (BinaryPrimitives.ReadInt32BigEndian(mac.Slice(offset, 4)) & 0x7FFFFFFF) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string CodeAt(ReadOnlySpan<byte> secret, DateTimeOffset now) => Code(secret, StepOf(now));

    /// <summary>When the code shown at <paramref name="now"/> gives way to the next one.</summary>
    public static DateTimeOffset CodeChangesAt(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeSeconds((StepOf(now) + 1) * (long)CodeStep.TotalSeconds);

    /// <summary>The current or the previous step's code, compared in constant time.</summary>
    public static bool CodeMatches(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now)
    {
        if (code is null) return false;
        var given = Encoding.ASCII.GetBytes(code.Trim());
        var step = StepOf(now);
        var current = CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Code(secret, step)));
        var previous = CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Code(secret, step - 1)));
        return current | previous;
    }
}

/// <summary>Final attendance and the points it earns (积分): attended earns, absence without leave costs.</summary>
public static class AttendanceRules
{
    public static Attendance Of(ActivityView activity, string memberId) =>
        activity.SignIns.TryGetValue(memberId, out var signIn) ? (signIn.Remote ? Attendance.AttendedRemotely : Attendance.Attended)
        : activity.Leaves.ContainsKey(memberId) ? Attendance.OnLeave
        : Attendance.Absent;

    public static System.Collections.Immutable.ImmutableDictionary<string, Attendance> Final(ActivityView activity) =>
        System.Collections.Immutable.ImmutableDictionary.CreateRange(activity.Roll().Select(m => KeyValuePair.Create(m, Of(activity, m))));

    /// <summary>The ledger line for a member's attendance, or null when it earns nothing (leave, or a zero rule).</summary>
    public static PointsEntry? Points(ActivityPlan plan, string memberId, Attendance attendance, PointRules rules, string actor)
    {
        var day = plan.StartUtc.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return attendance switch
        {
            Attendance.Attended or Attendance.AttendedRemotely when rules.Attendance != 0 => new PointsEntry
            {
                SourceId = $"activity:{plan.Id}:attended", AtUtc = plan.StartUtc, Rule = "attendance", Points = rules.Attendance,
                Reason = $"参加{plan.Title}（{day}{(attendance == Attendance.AttendedRemotely ? "，远程签到" : "")}）", Actor = actor,
            },
            Attendance.Absent when rules.AbsenceWithoutLeave != 0 => new PointsEntry
            {
                SourceId = $"activity:{plan.Id}:absent", AtUtc = plan.StartUtc, Rule = "absence_without_leave", Points = rules.AbsenceWithoutLeave,
                Reason = $"无故缺席{plan.Title}（{day}）", Actor = actor,
            },
            _ => null,
        };
    }
}

/// <summary>Who an occurrence is for.</summary>
public static class Audience
{
    /// <summary>
    /// Members of the community in the schedule's branches (all branches when none are named), and,
    /// when the schedule says so, every member placed in one of the community's cells.
    /// </summary>
    public static bool IsExpected(ActivitySchedule schedule, string communityCode, MemberRecord member)
    {
        var d = member.Definition;
        var inBranch = d.CommunityCode == communityCode && (schedule.Branches.IsDefaultOrEmpty || schedule.Branches.Contains(d.Branch));
        var placed = schedule.IncludePlacedMembers && d.CellCode is { } cell && GridCodes.CommunityOf(cell) == communityCode;
        return inBranch || placed;
    }
}

/// <summary>The words of a reminder, for SMS and messaging gateways.</summary>
public static class ReminderText
{
    public static string For(ReminderNotice n, string communityName)
    {
        var start = n.StartUtc.ToOffset(ChinaTime.Offset);
        var weekday = "日一二三四五六"[(int)start.DayOfWeek];
        var theme = n.Theme.Length > 0 ? $"，主题：{n.Theme}" : "";
        var place = n.Place.Length > 0 ? $"在{n.Place}" : "";
        return $"【{communityName}】提醒：{n.Title}将于{start.Month}月{start.Day}日（周{weekday}）{start:HH:mm}{place}举行{theme}。请准时参加，不能参加请在系统中请假。";
    }
}
