namespace Grid.Api.Auth;

/// <summary>Claim names in Grid's tokens; kept short and unmapped (no XML-namespace URIs).</summary>
public static class GridClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Community = "community";
    public const string Cell = "cell";
    public const string Member = "member";
}
