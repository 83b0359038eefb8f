using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Http;

namespace Grid.Api.Directory;

/// <summary>How a registration answers: 201 with the new record, 200 with the same one on a retry, else its problem.</summary>
internal static class Registered
{
    public static IResult Household(Outcome<HouseholdRecord> outcome, Caller caller) =>
        Answer(outcome, h => h.Id, "/api/households/", "householdId", h => HouseholdResponse.For(h, caller));

    public static IResult Member(Outcome<MemberRecord> outcome, Caller caller) =>
        Answer(outcome, m => m.Id, "/api/members/", "memberId", m => MemberResponse.For(m, caller));

    private static IResult Answer<T, TBody>(Outcome<T> outcome, Func<T, string> id, string path, string idField, Func<T, TBody> body) => outcome.Kind switch
    {
        OutcomeKind.Created => TypedResults.Created(path + id(outcome.Value!), body(outcome.Value!)),
        OutcomeKind.Done => TypedResults.Ok(body(outcome.Value!)),
        // On a conflict the record that holds the key is named, so the caller can look at it.
        _ => Problem.For(outcome, held => new Dictionary<string, object?> { [idField] = id(held) }),
    };
}
