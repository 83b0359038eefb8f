using Grid.Contracts;
using Serilog.Core;
using Serilog.Events;

namespace Grid.Silo.Logging;

/// <summary>
/// Records that carry residents' or members' personal data are logged as their identity only,
/// whether a message asks for them as {@Value} (destructured) or {Value} (ToString, which the
/// records themselves restrict).
/// </summary>
public sealed class PersonalDataDestructuringPolicy : IDestructuringPolicy
{
    public bool TryDestructure(object value, ILogEventPropertyValueFactory factory, out LogEventPropertyValue result)
    {
        var identity = value switch
        {
            Resident => "resident",
            HouseholdDefinition d => $"household in {d.CellCode}",
            HouseholdRecord r => r.Id,
            MemberDefinition d => $"member of {d.CommunityCode}",
            MemberRecord r => r.Id,
            IssueReport r => $"report in {r.CellCode}",
            IssueRecord r => r.Id,
            RosterEntry e => e.MemberId ?? "roster entry",
            UserAccount a => a.Username,
            _ => null,
        };
        result = identity is null ? null! : new ScalarValue($"{value.GetType().Name}({identity})");
        return identity is not null;
    }
}

/// <summary>
/// Wraps the real sinks and masks mobile and ID numbers in every string property and in the
/// exception text before anything is written: names cannot be recognised by pattern, so they
/// are kept out by the policy above; numbers are caught here even when they slip in elsewhere.
/// </summary>
public sealed class ScrubbingSink(ILogEventSink inner) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent e)
    {
        var properties = e.Properties.Select(p => new LogEventProperty(p.Key, Scrub(p.Value)));
        var exception = e.Exception is null ? null : new RedactedException(e.Exception);
        inner.Emit(new LogEvent(e.Timestamp, e.Level, exception, e.MessageTemplate, properties, e.TraceId ?? default, e.SpanId ?? default));
    }

    private static LogEventPropertyValue Scrub(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } => new ScalarValue(PersonalData.Scrub(s)),
        SequenceValue seq => new SequenceValue(seq.Elements.Select(Scrub)),
        StructureValue st => new StructureValue(st.Properties.Select(p => new LogEventProperty(p.Name, Scrub(p.Value))), st.TypeTag),
        DictionaryValue d => new DictionaryValue(d.Elements.Select(kv => new KeyValuePair<ScalarValue, LogEventPropertyValue>(kv.Key, Scrub(kv.Value)))),
        _ => value,
    };

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

/// <summary>An exception as logged: its type and scrubbed text, never the original message.</summary>
public sealed class RedactedException(Exception original) : Exception(PersonalData.Scrub(original.Message))
{
    public override string ToString() => PersonalData.Scrub(original.ToString());

    public override string? StackTrace => original.StackTrace;
}
