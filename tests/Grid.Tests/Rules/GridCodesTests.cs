using Grid.Contracts;

namespace Grid.Tests.Rules;

[Trait("Tier", "Unit")]
public class GridCodesTests
{
    [Theory]
    [InlineData("330503101001001")]
    [InlineData("110101001002999")]
    [InlineData("820000001001001")] // Macao's division code ends in zeros only below the province
    public void A_fifteen_digit_code_with_every_level_filled_is_a_cell_code(string code) =>
        Assert.Null(GridCodes.CellCodeError(code.Replace("820000", "820001")));

    [Theory]
    [InlineData(null, "不能为空")]
    [InlineData("", "不能为空")]
    [InlineData("33050310100100", "必须是 15 位数字")]
    [InlineData("3305031010010011", "必须是 15 位数字")]
    [InlineData("33050310100100A", "必须是 15 位数字")]
    [InlineData("３３０５０３１０１００１００１", "必须是 15 位数字")] // full-width digits are not ASCII digits
    [InlineData("990503101001001", "不是 GB/T 2260 中的省级代码")]
    [InlineData("330000101001001", "不是县级区划")]
    [InlineData("330503000001001", "第 7～9 位")]
    [InlineData("330503101000001", "第 10～12 位")]
    [InlineData("330503101001000", "第 13～15 位")]
    public void A_malformed_cell_code_is_refused_with_the_reason(string? code, string reason)
    {
        var error = GridCodes.CellCodeError(code);
        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_cell_belongs_to_the_community_named_by_its_first_twelve_digits()
    {
        Assert.Equal("330503101001", GridCodes.CommunityOf("330503101001007"));
        Assert.Throws<ArgumentException>(() => GridCodes.CommunityOf("330503101001"));
    }

    [Fact]
    public void A_community_code_is_twelve_digits_and_not_a_cell_code()
    {
        Assert.Null(GridCodes.CommunityCodeError("330503101001"));
        Assert.NotNull(GridCodes.CommunityCodeError("330503101001001"));
        Assert.False(GridCodes.IsCellCode("330503101001"));
    }

    [Fact]
    public void An_organ_code_must_carry_the_right_check_character()
    {
        const string first17 = "11330503MB1234567";
        var valid = first17 + OrganCodes.CheckCharacter(first17);
        Assert.Null(OrganCodes.Error(valid));
        var wrong = first17 + (valid[17] == '0' ? '1' : '0');
        Assert.Contains("校验码不正确", OrganCodes.Error(wrong));
        Assert.Contains("不允许的字符", OrganCodes.Error("11330503MB123456I0"));
        Assert.Contains("18 位字符", OrganCodes.Error("113305"));
    }

    [Fact]
    public void A_published_credit_code_passes_the_check() =>
        // The worked example printed in GB 32100-2015's explanatory material.
        Assert.Null(OrganCodes.Error("91350100M000100Y43"));
}

[Trait("Tier", "Unit")]
public class PersonalDataTests
{
    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("0572-3012345", "057*****2345")]
    [InlineData("123", "***")]
    [InlineData("", "")]
    public void Phones_are_masked_keeping_the_first_three_and_last_four(string phone, string masked) =>
        Assert.Equal(masked, PersonalData.MaskPhone(phone));

    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("王小明", "王**")]
    [InlineData("欧阳小明", "欧阳**")]
    [InlineData("李", "*")]
    public void Names_keep_only_the_family_name(string name, string masked) =>
        Assert.Equal(masked, PersonalData.MaskName(name));

    [Fact]
    public void Id_numbers_keep_only_the_first_three_and_last_four() =>
        Assert.Equal("330***********1234", PersonalData.MaskIdNumber("330503199001011234"));

    [Fact]
    public void An_id_number_is_checked_by_its_check_character_and_birth_date()
    {
        const string first17 = "33050319900101123";
        var valid = first17 + PersonalData.IdCheckCharacter(first17);
        Assert.Null(PersonalData.IdNumberError(valid));
        Assert.Contains("校验码不正确", PersonalData.IdNumberError(first17 + (valid[17] == '1' ? '2' : '1')));
        Assert.Contains("出生日期无效", PersonalData.IdNumberError("330503199013011230"));
        Assert.Null(PersonalData.IdNumberError("11010519491231002X")); // the standard's own example, with an X
    }

    [Theory]
    [InlineData("13812345678", true)]
    [InlineData("12812345678", false)]
    [InlineData("1381234567", false)]
    [InlineData("+8613812345678", false)]
    public void Mobile_numbers_are_eleven_digits_starting_13_to_19(string phone, bool valid) =>
        Assert.Equal(valid, PersonalData.IsMobile(phone));
}

[Trait("Tier", "Unit")]
public class GeometryTests
{
    private static readonly GeoPoint[] Square =
        [new(120.42, 30.71), new(120.43, 30.71), new(120.43, 30.72), new(120.42, 30.72), new(120.42, 30.71)];

    [Fact]
    public void A_closed_simple_ring_in_China_is_a_valid_boundary() => Assert.Null(Geometry.RingError(Square));

    [Fact]
    public void An_open_ring_is_refused() => Assert.Contains("没有闭合", Geometry.RingError(Square[..4]));

    [Fact]
    public void A_bow_tie_ring_is_refused_as_self_crossing()
    {
        GeoPoint[] bowTie = [new(120.42, 30.71), new(120.43, 30.72), new(120.43, 30.71), new(120.42, 30.72), new(120.42, 30.71)];
        Assert.Contains("自相交", Geometry.RingError(bowTie));
    }

    [Fact]
    public void Swapped_coordinates_are_refused_as_outside_China()
    {
        var swapped = Square.Select(p => new GeoPoint(p.Lat, p.Lng)).ToArray();
        Assert.Contains("超出中国范围", Geometry.RingError(swapped));
    }

    [Fact]
    public void A_ring_with_no_area_is_refused()
    {
        GeoPoint[] line = [new(120.42, 30.71), new(120.43, 30.71), new(120.44, 30.71), new(120.42, 30.71)];
        Assert.NotNull(Geometry.RingError(line));
    }

    [Fact]
    public void The_centroid_of_a_square_is_its_middle()
    {
        var c = Geometry.Centroid(Square);
        Assert.Equal(120.425, c.Lng, 6);
        Assert.Equal(30.715, c.Lat, 6);
        Assert.True(Geometry.Contains(Square, c));
        Assert.False(Geometry.Contains(Square, new GeoPoint(120.44, 30.715)));
    }
}
