namespace Grid.Contracts;

/// <summary>
/// Organs are identified by their unified social credit code (统一社会信用代码, GB 32100-2015):
/// 18 characters from a 31-character alphabet, the last a check character.
/// </summary>
public static class OrganCodes
{
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static string? Error(string? code)
    {
        if (string.IsNullOrEmpty(code)) return "机关代码（统一社会信用代码）不能为空。";
        if (code.Length != 18) return $"机关代码必须是 18 位字符，实际为 {Math.Min(code.Length, 999)} 位。";
        foreach (var c in code)
        {
            if (Alphabet.IndexOf(c) < 0) return $"机关代码含有不允许的字符「{c}」（只允许数字和除 I、O、S、V、Z 以外的大写字母）。";
        }
        var expected = CheckCharacter(code.AsSpan(0, 17));
        return code[17] == expected ? null : $"机关代码「{code}」的校验码不正确（应为「{expected}」）。";
    }

    public static bool IsValid(string? code) => Error(code) is null;

    /// <summary>The check character for the first 17 characters of a code.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += Alphabet.IndexOf(first17[i]) * Weights[i];
        return Alphabet[(31 - sum % 31) % 31];
    }
}
