using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Grains;

public sealed class CategoryCatalogGrain(
    [PersistentState(GridStorage.Categories, GridStorage.Provider)] IPersistentState<CategoryCatalogState> state)
    : Grain, ICategoryCatalogGrain
{
    private ImmutableArray<IssueCategory> Categories => state.State.Seeded ? state.State.Categories : DefaultCategories.All;

    public Task<ImmutableArray<IssueCategory>> All() => Task.FromResult(Categories);

    public Task<IssueCategory?> Find(string code) => Task.FromResult(Categories.FirstOrDefault(c => c.Code == code));

    public async Task<ImmutableArray<IssueCategory>> Save(IssueCategory category)
    {
        var categories = Categories;
        var existing = categories.FirstOrDefault(c => c.Code == category.Code);
        categories = existing is null ? categories.Add(category) : categories.Replace(existing, category);
        state.State = new CategoryCatalogState { Categories = [.. categories.OrderBy(c => c.Code, StringComparer.Ordinal)], Seeded = true };
        await state.WriteStateAsync();
        return state.State.Categories;
    }
}
