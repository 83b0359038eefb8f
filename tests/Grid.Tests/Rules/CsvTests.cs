using Grid.Api.Import;

namespace Grid.Tests.Rules;

[Trait("Tier", "Unit")]
public class CsvTests
{
    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks()
    {
        var rows = Csv.Read("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n").ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["x, y", "say \"hi\"", "two\nlines"], rows[1].Fields);
        Assert.Equal(["last", "", ""], rows[2].Fields);
    }

    [Fact]
    public void Records_report_the_line_they_start_on()
    {
        var rows = Csv.Read("h\n\"multi\nline\"\nnext").ToList();
        Assert.Equal([1, 2, 4], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_byte_order_mark_and_blank_lines_are_skipped()
    {
        var rows = Csv.Read("\uFEFFname\n\nvalue\n").ToList();
        Assert.Equal(["name"], rows[0].Fields);
        Assert.Equal(["value"], rows[1].Fields);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void An_unclosed_quote_is_an_error() =>
        Assert.Throws<FormatException>(() => Csv.Read("a\n\"open").ToList());

    [Fact]
    public void A_table_refuses_unknown_and_missing_columns()
    {
        CsvTable.Parse("cell_code,color\n1,2", ["cell_code", "address"], [], out var unknown);
        Assert.Contains("未知的列「color」", unknown);
        CsvTable.Parse("cell_code\n1", ["cell_code", "address"], [], out var missing);
        Assert.Contains("缺少必填的列：address", missing);
    }
}
