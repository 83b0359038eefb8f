namespace Grid.Contracts;

/// <summary>
/// The hierarchical unit-grid codes of GB/T 30428: a 6-digit administrative division,
/// then 3 digits each for the street (township), the community (village) and the grid cell.
/// A community is therefore named by the first 12 digits of each of its cells' codes.
/// </summary>
public static class GridCodes
{
    public const int CommunityCodeLength = 12;
    public const int CellCodeLength = 15;

    // Province-level prefixes of GB/T 2260 (mainland, Taiwan, Hong Kong, Macao).
    private static readonly HashSet<string> Provinces =
    [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    ];

    /// <summary>Null when <paramref name="code"/> is a valid 15-digit cell code, else why not.</summary>
    public static string? CellCodeError(string? code) => Check(code, CellCodeLength, "网格编码");

    /// <summary>Null when <paramref name="code"/> is a valid 12-digit community code, else why not.</summary>
    public static string? CommunityCodeError(string? code) => Check(code, CommunityCodeLength, "社区编码");

    public static bool IsCellCode(string? code) => CellCodeError(code) is null;

    public static bool IsCommunityCode(string? code) => CommunityCodeError(code) is null;

    public static string CommunityOf(string cellCode) =>
        IsCellCode(cellCode) ? cellCode[..CommunityCodeLength] : throw new ArgumentException($"'{cellCode}' is not a cell code.", nameof(cellCode));

    private static string? Check(string? code, int length, string what)
    {
        if (string.IsNullOrEmpty(code)) return $"{what}不能为空。";
        if (code.Length != length || !code.All(char.IsAsciiDigit))
            return $"{what}必须是 {length} 位数字，实际为「{Shorten(code)}」。";
        if (!Provinces.Contains(code[..2]))
            return $"{what}「{code}」的前两位不是 GB/T 2260 中的省级代码。";
        if (code.AsSpan(2, 4) is "0000")
            return $"{what}「{code}」指向省级区划，不是县级区划（第 3～6 位为 0000）。";
        for (var part = 6; part < length; part += 3)
        {
            if (code.AsSpan(part, 3) is "000")
                return $"{what}「{code}」第 {part + 1}～{part + 3} 位的层级为空（000）。";
        }
        return null;
    }

    private static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
