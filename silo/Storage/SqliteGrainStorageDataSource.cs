using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// The data source Orleans' ADO.NET grain storage opens its connections from. Its writes must join the
/// file's group commit (<see cref="SqliteWriter"/>) like every other write of the node, but the provider
/// opens a connection, runs one command and reads its answer. So the connection it gets is a shell:
/// a command whose text begins with SELECT (a state read at activation) runs on an ordinary pooled
/// connection, anything else runs on the writer and its answer is handed back, buffered, once the
/// group has committed.
/// </summary>
public sealed class SqliteGrainStorageDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString => connectionString;

    // Orleans checks that this is the invariant's connection type; it runs its commands only on opened connections.
    protected override DbConnection CreateDbConnection() => new SqliteConnection(connectionString);

    protected override DbConnection OpenDbConnection()
    {
        var connection = new SqliteGrainStorageConnection(connectionString);
        connection.Open();
        return connection;
    }

    protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(OpenDbConnection());

    protected override DbCommand CreateDbCommand(string? commandText = null) => throw new NotSupportedException("Open a connection and create commands on it.");

    protected override DbBatch CreateDbBatch() => throw new NotSupportedException("Open a connection and create commands on it.");
}

/// <summary>Opens nothing itself: each command takes a read connection or the file's writer when it runs.</summary>
internal sealed class SqliteGrainStorageConnection(string connectionString) : DbConnection
{
    private ConnectionState state = ConnectionState.Closed;

    [AllowNull]
    public override string ConnectionString
    {
        get => connectionString;
        set => throw new NotSupportedException("The connection string comes from the data source.");
    }

    public override string Database => "main";

    public override string DataSource => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public override string ServerVersion => new SqliteConnection().ServerVersion;

    public override ConnectionState State => state;

    public override void Open() => state = ConnectionState.Open;

    public override void Close() => state = ConnectionState.Closed;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

    // Every write already commits in the writer's transaction; a transaction across commands would have to hold the writer.
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException("Grain storage commands commit one by one through the file's writer.");

    protected override DbCommand CreateDbCommand() => new SqliteGrainStorageCommand(this, connectionString);
}

internal sealed class SqliteGrainStorageCommand(DbConnection connection, string connectionString) : DbCommand
{
    // Holds the text and the parameters as the provider sets them; given a real connection only while it runs.
    private readonly SqliteCommand command = new();

    [AllowNull]
    public override string CommandText
    {
        get => command.CommandText;
        set => command.CommandText = value;
    }

    public override int CommandTimeout
    {
        get => command.CommandTimeout;
        set => command.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => command.CommandType;
        set => command.CommandType = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => command.UpdatedRowSource;
        set => command.UpdatedRowSource = value;
    }

    public override bool DesignTimeVisible { get; set; }

    protected override DbConnection? DbConnection
    {
        get => connection;
        set => throw new NotSupportedException("A grain storage command stays on the connection that created it.");
    }

    protected override DbParameterCollection DbParameterCollection => command.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => null;
        set
        {
            if (value is not null) throw new NotSupportedException("Grain storage commands commit one by one through the file's writer.");
        }
    }

    // A span: the provider's texts begin with a line break, and trimming the string would copy the whole text at every call.
    private bool IsRead => command.CommandText.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    // The provider's few parameter names, with SQLite's '@', made once rather than at every write.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Prefixed = new(StringComparer.Ordinal);

    // A write handed to the writer may commit whatever happens to its caller; there is nothing to cancel.
    public override void Cancel() { }

    public override void Prepare() { }

    protected override DbParameter CreateDbParameter() => command.CreateParameter();

    public override int ExecuteNonQuery()
    {
        using var reader = ExecuteDbDataReader(CommandBehavior.Default);
        while (reader.NextResult()) { }
        return reader.RecordsAffected;
    }

    public override object? ExecuteScalar()
    {
        using var reader = ExecuteDbDataReader(CommandBehavior.Default);
        return reader.Read() ? reader.GetValue(0) : null;
    }

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
        IsRead ? Read(behavior) : ExecuteDbDataReaderAsync(behavior, CancellationToken.None).GetAwaiter().GetResult();

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        if (IsRead) return Read(behavior);
        return await SqliteWriter.For(connectionString).WriteAsync(writer =>
        {
            // The writer's own command for this text, parsed once (PreparedStatements), given this call's parameters. The
            // provider names them without SQLite's '@': with it, binding finds each at once instead of trying every prefix.
            var prepared = writer.Prepared(command.CommandText);
            try
            {
                foreach (SqliteParameter parameter in command.Parameters)
                {
                    if (parameter.ParameterName is not ['@' or '$' or ':', ..]) parameter.ParameterName = Prefixed.GetOrAdd(parameter.ParameterName, name => "@" + name);
                    prepared.Parameters.Add(parameter);
                }
                using var reader = prepared.ExecuteReader();
                return BufferedDataReader.ReadAll(reader);
            }
            finally
            {
                // The values (a whole state's payload) are not kept until the next write of this text.
                prepared.Parameters.Clear();
            }
        }, cancellationToken);
    }

    private SqliteDataReader Read(CommandBehavior behavior)
    {
        var reader = new SqliteConnection(connectionString);
        try
        {
            reader.Open();
            command.Connection = reader;
            return command.ExecuteReader(behavior | CommandBehavior.CloseConnection);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) command.Dispose();
        base.Dispose(disposing);
    }
}
