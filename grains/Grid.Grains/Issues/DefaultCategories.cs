using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// The categories a new installation starts with, after the component (部件) and event (事件)
/// classes of digital city management (GB/T 30428.2), trimmed to what a community grid meets.
/// Handling hours are common municipal practice; admins change them through the API.
/// </summary>
public static class DefaultCategories
{
    private static IssueCategory Class(string code, string name, string kind) => new() { Code = code, Name = name, Kind = kind };

    private static IssueCategory Sub(string code, string name, string kind, int hours) =>
        new() { Code = code, Name = name, Kind = kind, ParentCode = code[..2], HandlingHours = hours };

    public static readonly ImmutableArray<IssueCategory> All =
    [
        Class("01", "公用设施", "component"),
        Sub("01.01", "井盖破损或缺失", "component", 24),
        Sub("01.02", "路灯不亮", "component", 72),
        Sub("01.03", "供水设施损坏", "component", 24),
        Sub("01.04", "燃气设施隐患", "component", 4),
        Class("02", "道路交通", "component"),
        Sub("02.01", "道路破损", "component", 72),
        Sub("02.02", "交通标志损坏", "component", 72),
        Class("03", "市容环卫设施", "component"),
        Sub("03.01", "垃圾箱破损", "component", 48),
        Sub("03.02", "公厕设施损坏", "component", 48),
        Class("04", "园林绿化", "component"),
        Sub("04.01", "树木倒伏或枯死", "component", 48),
        Sub("04.02", "绿地毁损", "component", 72),
        Class("10", "市容环境", "event"),
        Sub("10.01", "暴露垃圾", "event", 24),
        Sub("10.02", "乱堆物堆料", "event", 48),
        Sub("10.03", "道路积水", "event", 12),
        Class("11", "街面秩序", "event"),
        Sub("11.01", "占道经营", "event", 24),
        Sub("11.02", "违章停车", "event", 12),
        Sub("11.03", "私搭乱建", "event", 120),
        Class("12", "施工管理", "event"),
        Sub("12.01", "施工扰民", "event", 24),
        Class("13", "安全隐患", "event"),
        Sub("13.01", "消防通道堵塞", "event", 8),
        Sub("13.02", "电动车违规充电", "event", 8),
        Sub("13.03", "道路塌陷", "event", 4),
        Class("14", "矛盾纠纷", "event"),
        Sub("14.01", "邻里纠纷", "event", 72),
        Sub("14.02", "物业纠纷", "event", 120),
        Class("15", "民生服务", "event"),
        Sub("15.01", "独居老人求助", "event", 24),
        Sub("15.02", "困难群众救助", "event", 72),
        Sub("15.03", "政策咨询", "event", 48),
    ];
}
