using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// Applies the project's own SQLite scripts (deploy/sql/sqlite, embedded in this assembly) in
/// name order, each once, each in a transaction. An applied script that has since changed
/// stops start-up: scripts are append-only, a change goes into a new script.
/// </summary>
public static class SqliteSchema
{
    private const string Prefix = "sql/sqlite/";

    public static IReadOnlyList<string> Apply(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        // WAL lets readers proceed while a grain writes; it is a property of the file, set once.
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS GridSchemaScripts (
                Name TEXT NOT NULL PRIMARY KEY,
                Sha256 TEXT NOT NULL,
                AppliedUtc TEXT NOT NULL);
            """);

        var applied = new List<string>();
        foreach (var (name, sql) in Scripts())
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "SELECT Sha256 FROM GridSchemaScripts WHERE Name = $name";
                check.Parameters.AddWithValue("$name", name);
                if (check.ExecuteScalar() is string known)
                {
                    if (known != hash)
                        throw new InvalidOperationException($"Schema script {name} was changed after it was applied to {connection.DataSource}. Put the change in a new script.");
                    continue;
                }
            }
            using var tx = connection.BeginTransaction();
            Execute(connection, sql, tx);
            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO GridSchemaScripts (Name, Sha256, AppliedUtc) VALUES ($name, $hash, $at)";
                record.Parameters.AddWithValue("$name", name);
                record.Parameters.AddWithValue("$hash", hash);
                record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
                record.ExecuteNonQuery();
            }
            tx.Commit();
            applied.Add(name);
        }
        return applied;
    }

    public static IEnumerable<(string Name, string Sql)> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            yield return (resource[Prefix.Length..], reader.ReadToEnd());
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
