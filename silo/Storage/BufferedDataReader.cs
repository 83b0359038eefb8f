using System.Collections;
using System.Data.Common;
using System.Globalization;

namespace Grid.Silo.Storage;

/// <summary>
/// Every result set of a command, read to the end and held in memory, so that the command's connection
/// (the file's writer) can go on while the caller reads the answer. Values are as the source reader gave
/// them (GetValue); the typed getters convert them as SQLite's own reader does for its storage classes.
/// </summary>
internal sealed class BufferedDataReader : DbDataReader
{
    private sealed record ResultSet(string[] Names, Type[] Types, string[] TypeNames, List<object[]> Rows);

    private readonly List<ResultSet> results;
    private readonly int recordsAffected;
    private int result;
    private int row = -1;
    private bool closed;

    private BufferedDataReader(List<ResultSet> results, int recordsAffected) => (this.results, this.recordsAffected) = (results, recordsAffected);

    /// <summary>Reads every row of every result set of <paramref name="reader"/>, which is left at its end.</summary>
    public static BufferedDataReader ReadAll(DbDataReader reader)
    {
        var results = new List<ResultSet>();
        do
        {
            var rows = new List<object[]>();
            Type[]? types = null;
            string[]? typeNames = null;
            while (reader.Read())
            {
                // Types as the source names them for its first row; a result set without rows names them without one.
                types ??= FieldTypes(reader);
                typeNames ??= TypeNames(reader);
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(values);
            }
            var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            results.Add(new ResultSet(names, types ?? FieldTypes(reader), typeNames ?? TypeNames(reader), rows));
        } while (reader.NextResult());
        return new BufferedDataReader(results, reader.RecordsAffected);
    }

    private static Type[] FieldTypes(DbDataReader reader) => Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();

    private static string[] TypeNames(DbDataReader reader) => Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToArray();

    private ResultSet Current => results[result];

    private object[] CurrentRow => row >= 0 && row < Current.Rows.Count ? Current.Rows[row] : throw new InvalidOperationException("No current row: call Read first.");

    public override int Depth => 0;

    public override int FieldCount => Current.Names.Length;

    public override bool HasRows => Current.Rows.Count > 0;

    public override bool IsClosed => closed;

    public override int RecordsAffected => recordsAffected;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => ++row < Current.Rows.Count;

    public override bool NextResult()
    {
        if (result + 1 >= results.Count) return false;
        result++;
        row = -1;
        return true;
    }

    public override void Close() => closed = true;

    public override string GetName(int ordinal) => Current.Names[ordinal];

    public override int GetOrdinal(string name)
    {
        var names = Current.Names;
        var exact = Array.IndexOf(names, name);
        if (exact >= 0) return exact;
        var ignoringCase = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return ignoringCase >= 0 ? ignoringCase : throw new IndexOutOfRangeException($"No column named {name}.");
    }

    public override Type GetFieldType(int ordinal) => Current.Types[ordinal];

    public override string GetDataTypeName(int ordinal) => Current.TypeNames[ordinal];

    public override object GetValue(int ordinal) => CurrentRow[ordinal];

    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, FieldCount);
        Array.Copy(CurrentRow, values, count);
        return count;
    }

    public override bool IsDBNull(int ordinal) => GetValue(ordinal) is DBNull;

    public override bool GetBoolean(int ordinal) => Convert.ToBoolean(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override byte GetByte(int ordinal) => Convert.ToByte(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override char GetChar(int ordinal) => GetValue(ordinal) is string s ? s[0] : Convert.ToChar(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override short GetInt16(int ordinal) => Convert.ToInt16(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override int GetInt32(int ordinal) => Convert.ToInt32(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override long GetInt64(int ordinal) => Convert.ToInt64(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override float GetFloat(int ordinal) => Convert.ToSingle(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override double GetDouble(int ordinal) => Convert.ToDouble(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override string GetString(int ordinal) => Convert.ToString(GetValue(ordinal), CultureInfo.InvariantCulture)!;

    public override DateTime GetDateTime(int ordinal) =>
        GetValue(ordinal) is string text ? DateTime.Parse(text, CultureInfo.InvariantCulture) : Convert.ToDateTime(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override Guid GetGuid(int ordinal) => GetValue(ordinal) switch
    {
        byte[] bytes => new Guid(bytes),
        var value => Guid.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!),
    };

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var bytes = (byte[])GetValue(ordinal);
        if (buffer is null) return bytes.Length;
        var count = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        Array.Copy(bytes, dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null) return text.Length;
        var count = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);
}
