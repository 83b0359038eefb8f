using System.Text.RegularExpressions;

namespace Grid.Contracts;

/// <summary>
/// Checks and masks for personal information (PIPL): residents' names, phone numbers and
/// resident ID numbers. Masked forms keep enough to recognise a person one already knows.
/// </summary>
public static partial class PersonalData
{
    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MobilePattern();

    [GeneratedRegex(@"^0\d{2,3}-?\d{7,8}$")]
    private static partial Regex LandlinePattern();

    [GeneratedRegex(@"(?<!\d)1[3-9]\d{9}(?!\d)")]
    private static partial Regex MobileInText();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumberInText();

    /// <summary>
    /// Masks every mobile number and resident ID number in free text: the last line of defence
    /// for logs, where a value may arrive inside an exception message or an unexpected property.
    /// </summary>
    public static string Scrub(string text) =>
        IdNumberInText().Replace(MobileInText().Replace(text, m => MaskPhone(m.Value)), m => MaskIdNumber(m.Value));

    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckCharacters = "10X98765432";

    public static bool IsMobile(string? phone) => phone is not null && MobilePattern().IsMatch(phone);

    public static bool IsPhone(string? phone) => phone is not null && (MobilePattern().IsMatch(phone) || LandlinePattern().IsMatch(phone));

    /// <summary>Null when a valid 18-character resident ID number (GB 11643), else why not.</summary>
    public static string? IdNumberError(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "身份证号不能为空。";
        if (id.Length != 18) return $"身份证号必须是 18 位字符，实际为 {Math.Min(id.Length, 999)} 位。";
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i])) return "身份证号必须由 17 位数字和 1 位校验码组成。";
        }
        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", out _)) return "身份证号中的出生日期无效。";
        return id[17] == IdCheckCharacter(id.AsSpan(0, 17)) ? null : "身份证号的校验码不正确。";
    }

    public static char IdCheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * IdWeights[i];
        return IdCheckCharacters[sum % 11];
    }

    /// <summary>138****5678.</summary>
    public static string MaskPhone(string phone) => phone.Length switch
    {
        0 => "",
        < 7 => new string('*', phone.Length),
        _ => string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4)),
    };

    /// <summary>张*, 欧阳**: the family name stays, the given name goes.</summary>
    public static string MaskName(string name)
    {
        if (name.Length <= 1) return name.Length == 0 ? "" : "*";
        var keep = name.Length >= 4 ? 2 : 1; // four-character names usually carry a two-character family name
        return string.Concat(name.AsSpan(0, keep), new string('*', name.Length - keep));
    }

    /// <summary>330***********1234.</summary>
    public static string MaskIdNumber(string id) => id.Length <= 7
        ? new string('*', id.Length)
        : string.Concat(id.AsSpan(0, 3), new string('*', id.Length - 7), id.AsSpan(id.Length - 4));
}
