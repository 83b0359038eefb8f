using System.Text;

namespace Grid.Api.Import;

/// <summary>
/// An RFC 4180 reader: comma-separated, double-quoted fields may hold commas, quotes ("")
/// and line breaks. A UTF-8 byte-order mark (as Excel writes) is skipped.
/// </summary>
public static class Csv
{
    /// <summary>The records with the 1-based line on which each starts.</summary>
    public static IEnumerable<(int Line, string[] Fields)> Read(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var atRecordStart = true;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            atRecordStart = false;
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    if (!(fields.Count == 1 && fields[0].Length == 0)) yield return (recordLine, fields.ToArray());
                    fields.Clear();
                    line++;
                    recordLine = line;
                    atRecordStart = true;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (quoted) throw new FormatException($"第 {recordLine} 行：引号内的字段没有闭合。");
        if (!atRecordStart)
        {
            fields.Add(field.ToString());
            if (!(fields.Count == 1 && fields[0].Length == 0)) yield return (recordLine, fields.ToArray());
        }
    }
}

/// <summary>A CSV table whose first record names the columns.</summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> columns;

    private CsvTable(Dictionary<string, int> columns, List<(int Line, string[] Fields)> rows)
    {
        this.columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<(int Line, string[] Fields)> Rows { get; }

    public static CsvTable Parse(string text, IReadOnlyCollection<string> required, IReadOnlyCollection<string> optional, out string? error)
    {
        error = null;
        List<(int Line, string[] Fields)> records;
        try { records = Csv.Read(text).ToList(); }
        catch (FormatException e) { error = e.Message; return new CsvTable([], []); }
        if (records.Count == 0) { error = "CSV 为空：第一行须为列名。"; return new CsvTable([], []); }

        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var columns = new Dictionary<string, int>();
        for (var i = 0; i < header.Length; i++)
        {
            if (!required.Contains(header[i]) && !optional.Contains(header[i]))
            {
                error = $"未知的列「{header[i]}」。可用的列：{string.Join(", ", required)}（必填），{string.Join(", ", optional)}（可选）。";
                return new CsvTable([], []);
            }
            if (!columns.TryAdd(header[i], i)) { error = $"列「{header[i]}」出现了两次。"; return new CsvTable([], []); }
        }
        var missing = required.Where(r => !columns.ContainsKey(r)).ToList();
        if (missing.Count > 0) { error = $"缺少必填的列：{string.Join(", ", missing)}。"; return new CsvTable([], []); }
        return new CsvTable(columns, records.Skip(1).ToList());
    }

    /// <summary>The trimmed value of a column in a row; empty when the column or cell is absent.</summary>
    public string Get(string[] row, string column) =>
        columns.TryGetValue(column, out var i) && i < row.Length ? row[i].Trim() : "";

    public int Width => columns.Count;
}
