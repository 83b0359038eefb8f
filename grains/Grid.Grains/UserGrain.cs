using Grid.Contracts;

namespace Grid.Grains;

public sealed class UserGrain(
    [PersistentState(GridStorage.User, GridStorage.Provider)] IPersistentState<UserState> state)
    : Grain, IUserGrain
{
    public Task<UserAccount?> Get() => Task.FromResult(state.State.Account);

    public async Task Save(UserAccount account)
    {
        if (!string.Equals(account.Username, this.GetPrimaryKeyString(), StringComparison.Ordinal))
            throw new ArgumentException($"Account {account.Username} does not belong to user grain {this.GetPrimaryKeyString()}.", nameof(account));
        if (account == state.State.Account) return;
        state.State = new UserState { Account = account };
        await state.WriteStateAsync();
    }
}
