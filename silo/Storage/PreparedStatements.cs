using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// The writer's statements, parsed once per connection. Every write of the file runs on the one writer
/// thread (<see cref="SqliteWriter"/>), and a command made anew for each write parsed its SQL again
/// there each time; the same few statements run thousands of times a second. Only for a connection
/// used by one thread at a time, as the writer's is.
/// </summary>
public static class PreparedStatements
{
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Commands = new();

    /// <summary>This connection's command for <paramref name="sql"/>, prepared at its first run and kept with the connection.</summary>
    public static SqliteCommand Prepared(this SqliteConnection connection, string sql)
    {
        var commands = Commands.GetOrCreateValue(connection);
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands.Add(sql, command);
        }
        return command;
    }

    /// <summary>Sets the named parameter (adding it at the first use), so that a kept command is bound afresh for each run.</summary>
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index < 0) parameters.Add(new SqliteParameter(name, value ?? DBNull.Value));
        else parameters[index].Value = value ?? DBNull.Value;
        return command;
    }
}
