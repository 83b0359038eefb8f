using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Grid.Silo.Storage.Postgres;

/// <summary>
/// Applies the project's own PostgreSQL scripts (deploy/sql/postgres, embedded in this assembly)
/// in name order, each once, each in its own transaction, recorded with its SHA-256 in
/// grid_schema_scripts. An applied script that has since changed stops the migration: scripts
/// are append-only, a change goes into a new script. Then Hangfire's own schema is installed or
/// upgraded (Hangfire.PostgreSql's scripts, schema <c>hangfire</c>). Nodes starting together take
/// turns on a session advisory lock, so a script never runs twice.
/// </summary>
public static class PostgresSchema
{
    private const string Prefix = "sql/postgres/";

    /// <summary>The advisory lock key Grid's migrations hold ("grid" + "schema" as ASCII, truncated to 64 bits).</summary>
    public const long LockKey = 0x67726964_73636865;

    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", LockKey));
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS grid_schema_scripts (
                    name        text        NOT NULL PRIMARY KEY,
                    sha256      text        NOT NULL,
                    applied_utc timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var known = new Dictionary<string, string>();
            await using (var read = new NpgsqlCommand("SELECT name, sha256 FROM grid_schema_scripts", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) known[reader.GetString(0)] = reader.GetString(1);
            }

            var applied = new List<string>();
            foreach (var (name, sql) in Scripts())
            {
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
                if (known.TryGetValue(name, out var knownHash))
                {
                    if (knownHash != hash)
                        throw new InvalidOperationException(
                            $"Schema script {name} was changed after it was applied to database {connection.Database}. Put the change in a new script.");
                    continue;
                }
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await using (var script = new NpgsqlCommand(sql, connection, tx))
                    await script.ExecuteNonQueryAsync(cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO grid_schema_scripts (name, sha256) VALUES (@name, @hash)", connection, tx))
                {
                    record.Parameters.AddWithValue("name", name);
                    record.Parameters.AddWithValue("hash", hash);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await tx.CommitAsync(cancellationToken);
                applied.Add(name);
            }
            // Hangfire's own schema (its versioned scripts, idempotent), under the same lock: its installer
            // does not survive two nodes creating the schema at once.
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, PostgresScheduling.Schema);
            return applied;
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", LockKey));
        }
    }

    /// <summary>Scripts this release carries that the database has not recorded (for readiness and the runbook's checks).</summary>
    public static async Task<IReadOnlyList<string>> PendingAsync(NpgsqlDataSource data, CancellationToken cancellationToken = default)
    {
        var applied = new HashSet<string>();
        await using (var command = data.CreateCommand("SELECT name FROM grid_schema_scripts"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetString(0));
        }
        return [.. Scripts().Select(s => s.Name).Where(n => !applied.Contains(n))];
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

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
